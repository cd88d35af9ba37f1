"""Pyrite vdbe/functions package."""
