"""Pyrite schema package."""
