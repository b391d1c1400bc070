"""Metadata scrapers: full catalogue data from JavBus-style mirrors."""
