"""Compiler layer: CREATE TABLE checks of CHECK constraints.

SQLite resolves every CHECK expression when the table is created
(sqlite3EndTable -> sqlite3ResolveSelfReference with NC_IsCheck), so a CHECK
naming an unknown column or function, using an aggregate or window function,
a subquery or a bound parameter makes CREATE TABLE fail.

Resolution walks the expression parent before children.  An unknown column,
a parameter or a subquery stops the walk.  A function call is checked
(unknown name, argument count, aggregate or window function) after its
arguments and its error does not stop the walk: a later error replaces it
(SQLite keeps the latest message).
"""

from __future__ import annotations
from pyrite.values import fold_name

from typing import Any

from pyrite import errors
from pyrite.sql import ast

_WHAT = "CHECK constraints"
_ROWID_NAMES = ("rowid", "oid", "_rowid_")


def _column_ok(table: Any, col: ast.Column) -> bool:
    # A schema qualifier is not checked (SQLite ignores it here).
    if col.table is not None and fold_name(col.table) != fold_name(table.name):
        return False
    if table.column_index(col.name) >= 0:
        return True
    return fold_name(col.name) in _ROWID_NAMES and not table.without_rowid


def _column_text(col: ast.Column) -> str:
    parts = [p for p in (col.table, col.name) if p]
    return ".".join(parts)


def validate_checks(parse: Any, table: Any) -> None:
    """Raise SQLite's error for the first CHECK constraint of ``table`` that
    cannot be resolved."""
    for chk in table.checks:
        noted: list[str] = []
        _walk(parse, table, chk.expr, noted)
        if noted:
            parse.error(noted[-1])


def _check_function(parse: Any, table: Any, node: ast.FunctionCall) -> None:
    """The errors of the call itself, its arguments being fine."""
    import dataclasses

    from pyrite.compile.build import resolve_on_table
    fd = parse.find_function(node.name, len(node.args))
    if node.over is not None and fd is not None:
        if fd.is_aggregate or getattr(fd, "window_only", False):
            parse.error(f"misuse of window function {node.name}()")
        parse.error(f"{node.name}() may not be used as a window function")
    stub = dataclasses.replace(node, args=tuple(ast.Literal(None) for _ in node.args),
                               filter=None, over=None)
    resolve_on_table(parse, table, -999, stub)


def _walk(parse: Any, table: Any, node: Any, noted: list[str]) -> None:
    import dataclasses
    if isinstance(node, tuple | list):
        for x in node:
            _walk(parse, table, x, noted)
        return
    if not isinstance(node, ast.Node):
        return
    if isinstance(node, ast.Column):
        if not _column_ok(table, node):
            if node.table is None and getattr(node, "quoted", False):
                return          # "abc" falls back to the string 'abc'
            parse.error(f"no such column: {_column_text(node)}")
        return
    if isinstance(node, ast.Variable):
        parse.error(f"parameters prohibited in {_WHAT}")
    if isinstance(node, ast.Subquery | ast.Exists | ast.Select) or (
            isinstance(node, ast.In) and (node.select is not None or node.table is not None)):
        parse.error(f"subqueries prohibited in {_WHAT}")
    for f in dataclasses.fields(node):
        v = getattr(node, f.name)
        if isinstance(v, ast.Node | tuple | list) and not isinstance(v, ast.WindowSpec):
            _walk(parse, table, v, noted)
    if isinstance(node, ast.FunctionCall):
        try:
            _check_function(parse, table, node)
        except errors.Error as e:
            noted.append(str(e))


# ---------------------------------------------------------------------------
# When CHECK constraints are coded
# ---------------------------------------------------------------------------

def check_applies(parse: Any, table: Any, expr: ast.Expr, changed_cols: set[int] | None,
                  rowid_changed: bool) -> bool:
    """Whether a CHECK constraint is checked for this row: never with PRAGMA
    ignore_check_constraints on; by an UPDATE (``changed_cols`` given) only
    when it refers to a column the UPDATE changes (or to the rowid when that
    changes), as sqlite3ExprReferencesUpdatedColumn decides."""
    if getattr(parse.db, "ignore_check_constraints", False):
        return False
    if changed_cols is None:
        return True
    return references_changed(table, expr, changed_cols, rowid_changed)


def references_changed(table: Any, expr: Any, changed_cols: set[int],
                       rowid_changed: bool) -> bool:
    """Whether ``expr`` (over ``table``'s columns, unresolved) reads a column
    in ``changed_cols``, or the rowid when ``rowid_changed``
    (sqlite3ExprReferencesUpdatedColumn)."""
    found = False

    def visit(node: Any) -> None:
        nonlocal found
        if found:
            return
        if isinstance(node, tuple | list):
            for x in node:
                visit(x)
            return
        if not isinstance(node, ast.Node):
            return
        if isinstance(node, ast.Column):
            ci = table.column_index(node.name)
            if ci >= 0:
                if ci in changed_cols or (ci == table.rowid_alias and rowid_changed):
                    found = True
            elif fold_name(node.name) in _ROWID_NAMES and rowid_changed:
                found = True
            return
        import dataclasses
        for f in dataclasses.fields(node):
            visit(getattr(node, f.name))
    visit(expr)
    return found


def pragma_ignore_check_constraints(parse: Any, name: str, value: Any) -> None:
    """PRAGMA ignore_check_constraints [= bool] (a flag read when statements
    are compiled)."""
    from pyrite.compile.pragma import _int_value, _result_rows
    if value is None:
        on = bool(getattr(parse.db, "ignore_check_constraints", False))
        _result_rows(parse, [name], [(1 if on else 0,)])
        return
    parse.db.ignore_check_constraints = bool(_int_value(value))


# ---------------------------------------------------------------------------
# DEFAULT expressions (sqlite3AddDefaultValue)
# ---------------------------------------------------------------------------

def _is_constant(node: Any) -> bool:
    """sqlite3ExprIsConstantOrFunction for a CREATE TABLE default: no column
    names, parameters, subqueries or window functions (functions are fine)."""
    import dataclasses
    if isinstance(node, tuple | list):
        return all(_is_constant(x) for x in node)
    if not isinstance(node, ast.Node):
        return True
    if isinstance(node, ast.Column | ast.Variable | ast.Subquery | ast.Exists | ast.Select):
        return False
    if isinstance(node, ast.In) and (node.select is not None or node.table is not None):
        return False
    if isinstance(node, ast.FunctionCall) and node.over is not None:
        return False
    return all(_is_constant(getattr(node, f.name)) for f in dataclasses.fields(node))


def validate_defaults(parse: Any, stmt: ast.CreateTable) -> None:
    """Raise "default value of column [y] is not constant" for the first
    column whose DEFAULT is not a constant expression."""
    for cdef in stmt.columns:
        for c in cdef.constraints:
            if isinstance(c, ast.DefaultConstraint) and c.expr is not None \
                    and not _is_constant(c.expr):
                parse.error(f"default value of column [{cdef.name}] is not constant")


# ---------------------------------------------------------------------------
# STRICT tables (OP_TypeCheck)
# ---------------------------------------------------------------------------

class StrictTypes:
    """P4 of TypeCheck: the table's name (what EXPLAIN shows) and, per
    column register, the STRICT type name to enforce ("" for none: ANY, a
    generated column or the rowid alias)."""

    def __init__(self, table: Any) -> None:
        self.name = table.name
        self.types: list[str] = []
        self.columns: list[str] = [c.name for c in table.columns]
        from pyrite.schema.schema import strict_type_name
        for i, col in enumerate(table.columns):
            t = strict_type_name(col.decl_type).upper()
            # Generated columns are computed after the check.
            if t == "ANY" or getattr(col, "generated", None) is not None \
                    or i == table.rowid_alias:
                t = ""
            self.types.append(t)

    def __str__(self) -> str:
        return self.name


def code_type_check(parse: Any, table: Any, reg_first: int) -> None:
    """After the row's affinities: a STRICT table refuses values of the wrong
    type ("cannot store TEXT value in INTEGER column t.c")."""
    if getattr(table, "strict", False):
        parse.emit("TypeCheck", reg_first, len(table.columns), 0, StrictTypes(table))
