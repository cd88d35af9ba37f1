"""Pyrite io package."""
