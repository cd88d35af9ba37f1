"""Pyrite vdbe/ops package."""
