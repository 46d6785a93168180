"""newsmap: turn news reports about a conflict into a map and data."""

__version__ = "0.1.0"
