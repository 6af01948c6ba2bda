"""crowdwatch: a terminal dashboard that watches crowded trades unwind."""

__version__ = "0.1.0"
