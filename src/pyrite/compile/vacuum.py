"""Compiler layer: VACUUM [schema] [INTO expr] (SQLite's ``sqlite3Vacuum``).

The statement is one Vacuum opcode; the work happens in the connection
(:mod:`pyrite.vacuum`), outside any transaction, as in SQLite.  The INTO
expression is evaluated first and must be text.
"""

from __future__ import annotations
from pyrite.values import fold_name

from typing import Any

from pyrite.sql import ast


def code_vacuum(parse: Any, stmt: ast.Vacuum) -> None:
    """VACUUM: Init, [INTO expression], Vacuum, Halt."""
    from pyrite.compile.expr import code_expr
    from pyrite.compile.select import _resolve_constant
    schema = stmt.schema
    if schema is not None and fold_name(schema) not in ("main", "temp"):
        parse.error(f"unknown database {schema}")
    parse.begin_coding()
    reg = 0
    if stmt.into is not None:
        reg = parse.alloc_reg()
        code_expr(parse, _resolve_constant(parse, stmt.into), reg)
    # TEMP holds nothing in Pyrite: VACUUM temp has nothing to do.
    if schema is None or fold_name(schema) == "main":
        parse.emit("Vacuum", 0, reg)
    parse.readonly = False
    parse.finish_coding()
