"""NASSAV: a self-hosted library service for catalogue-coded videos."""

__version__ = "0.1.0"
