"""Pyrite vdbe package."""
