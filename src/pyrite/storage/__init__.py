"""Pyrite storage package."""
