"""The polars computation layer: pure functions, frames in, result objects out."""
