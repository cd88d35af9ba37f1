"""Pyrite compile package."""
