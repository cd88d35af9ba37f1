"""Schema layer: Table/Column/Index objects built from sqlite_schema (see schema.py)."""

from pyrite.schema.schema import Column, Index, Schema, Table

__all__ = ["Column", "Index", "Schema", "Table"]
