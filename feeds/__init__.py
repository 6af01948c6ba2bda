"""Data sources: the demo simulator, a files folder and Yahoo Finance."""
