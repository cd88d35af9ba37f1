"""Pyrite sql package."""
