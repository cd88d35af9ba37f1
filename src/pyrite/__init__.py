"""Pyrite: a SQLite-compatible database engine in pure Python."""
