"""ATTACH and DETACH (SQLite's ``attach.c``).

SQLite codes both as a call of an internal SQL function; we run them
through the Attach/Detach opcodes, which call the connection's
``attach``/``detach``.  A bare identifier in either statement names
itself (``ATTACH x AS y`` attaches the file "x" as "y"), as SQLite's
resolveAttachExpr makes it a string.
"""

from __future__ import annotations

from typing import Any

from pyrite.sql import ast


def _as_name(expr: ast.Expr | None) -> ast.Expr | None:
    """A bare identifier stands for its own text."""
    if isinstance(expr, ast.Column) and expr.table is None \
            and getattr(expr, "schema", None) is None:
        return ast.Literal(expr.name)
    return expr


def _code_operand(parse: Any, expr: ast.Expr | None) -> int:
    from pyrite.compile.context import NameContext, SrcList
    from pyrite.compile.expr import code_expr
    from pyrite.compile.resolve import resolve_expr
    reg = parse.alloc_reg()
    if expr is None:
        parse.emit("Null", 0, reg)
        return reg
    code_expr(parse, resolve_expr(parse, _as_name(expr), NameContext(SrcList())), reg)
    return reg


def code_attach(parse: Any, stmt: ast.Attach) -> None:
    """ATTACH [DATABASE] file AS name [KEY key]."""
    parse.begin_coding()
    file_reg = _code_operand(parse, stmt.expr)
    name_reg = _code_operand(parse, stmt.alias)
    parse.emit("Attach", file_reg, name_reg)
    parse.finish_coding()


def code_detach(parse: Any, stmt: ast.Detach) -> None:
    """DETACH [DATABASE] name."""
    parse.begin_coding()
    name_reg = _code_operand(parse, stmt.name)
    parse.emit("Detach", name_reg)
    parse.finish_coding()
