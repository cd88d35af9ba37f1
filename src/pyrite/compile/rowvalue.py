"""Compiler layer: row values (vectors) that need more than one register.

SQLite's counterpart is the vector part of ``expr.c``: sqlite3ExprVectorSize,
sqlite3VectorFieldSubexpr / TK_SELECT_COLUMN (a row-value subquery coded once
into consecutive registers), codeVectorCompare and the vector branch of
sqlite3ExprCodeIN.

* A subquery used as a row value, ``(a, b) = (SELECT x, y ...)``, runs once
  (again for each row when correlated) into ``n`` registers, NULLs when it
  returns no row; its elements then stand as register operands with the
  affinity and collation of the subquery's columns.
* ``(a, b) IN ((1, 2), (3, 4))`` is the disjunction of the vector equalities.
* ``(a, b) IN (SELECT x, y ...)`` materializes the subquery (once unless
  correlated) and scans it: true at the first row equal in every field,
  NULL when no row is equal but some row is equal-or-NULL in every field,
  false otherwise; the same answer SQLite's index probe plus its NULL scan
  gives.  Each field compares with the affinity of ``lhs_i`` against the
  subquery's column ``i`` and their collating sequence.
"""

from __future__ import annotations

from typing import Any

from pyrite.compile.context import SRT_MEM, SRT_TABLE, SelectDest
from pyrite.sql import ast


def subquery_width(parse: Any, select: ast.Select) -> int:
    """Number of result columns of ``select`` (stars expanded)."""
    from pyrite.compile.insert import _count_select_columns
    return _count_select_columns(parse, select)


def code_vector_subquery(parse: Any, select: ast.Select, n: int) -> tuple[int, Any]:
    """Run a row-value subquery into ``n`` consecutive registers (first row,
    or NULLs): returns the first register and the SelectInfo."""
    from pyrite.compile.select import compile_select
    once = parse.emit("Once", 0, 0)
    reg = parse.alloc_reg(n)
    parse.emit("Null", 0, reg, reg + n - 1)
    saved = parse.ok_const_factor
    info = compile_select(parse, select, SelectDest(SRT_MEM, reg, n_sdst=n),
                          outer=parse.outer_context(select), limit_one=True)
    parse.ok_const_factor = saved
    if getattr(info, "correlated", False):
        parse.builder.change_p2(once, once + 1)
    else:
        parse.builder.change_p2(once, parse.current_addr())
    return reg, info


def _column_ref(parse: Any, reg: int, source: Any) -> Any:
    """A register operand carrying ``source``'s affinity and collation."""
    from pyrite.compile.expr import RegRef, _explicit_collation, expr_affinity, \
        expr_collation
    found, coll = _explicit_collation(parse, source)
    if not found:
        coll = expr_collation(parse, source)
    return RegRef(reg, expr_affinity(source), coll, found)


def vector_operands(parse: Any, expr: ast.Expr, n: int) -> list[ast.Expr]:
    """The ``n`` elements of a row value: a vector's items, or a subquery's
    columns coded into registers ("row value misused" on a size mismatch)."""
    if isinstance(expr, ast.Vector):
        if len(expr.items) != n:
            parse.error("row value misused")
        return list(expr.items)
    if isinstance(expr, ast.Subquery):
        if subquery_width(parse, expr.select) != n:
            parse.error("row value misused")
        reg, info = code_vector_subquery(parse, expr.select, n)
        return [_column_ref(parse, reg + i, info.columns[i].expr) for i in range(n)]
    parse.error("row value misused")
    raise AssertionError


def vector_size(expr: ast.Expr) -> int:
    return len(expr.items) if isinstance(expr, ast.Vector) else 1


def prepare_vector_compare(parse: Any, expr: ast.Binary) -> ast.Binary:
    """``expr`` with a subquery operand replaced by the registers it fills."""
    left, right = expr.left, expr.right
    if isinstance(left, ast.Subquery) and isinstance(right, ast.Vector):
        left = ast.Vector(tuple(vector_operands(parse, left, len(right.items))))
    elif isinstance(right, ast.Subquery) and isinstance(left, ast.Vector):
        right = ast.Vector(tuple(vector_operands(parse, right, len(left.items))))
    if left is expr.left and right is expr.right:
        return expr
    return ast.Binary(expr.op, left, right)


def _lhs_registers(parse: Any, items: list[ast.Expr]) -> list[Any]:
    """Evaluate the left-hand row value once, into registers."""
    from pyrite.compile.expr import code_expr
    out = []
    for e in items:
        reg = parse.alloc_reg()
        code_expr(parse, e, reg)
        out.append(_column_ref(parse, reg, e))
    return out


def code_vector_in(parse: Any, expr: ast.In, dest_if_false: int, dest_if_null: int) -> None:
    """Fall through when ``(a, b, ...) IN (...)`` is true, else jump to
    ``dest_if_false`` / ``dest_if_null`` (``expr.negated`` is ignored)."""
    from pyrite.compile.expr import code_expr
    lhs = expr.expr
    assert isinstance(lhs, ast.Vector)
    n = len(lhs.items)
    if expr.table is not None:
        parse.error("IN with a table name on the right is not supported yet")
    if expr.values is not None:
        for v in expr.values:
            k = vector_size(v)
            if k != n:
                parse.error(f"IN(...) element has {k} term{'s' if k != 1 else ''} - "
                            f"expected {n}")
        if not expr.values:
            parse.emit("Goto", 0, dest_if_false)
            return
        regs = _lhs_registers(parse, list(lhs.items))
        disj: ast.Expr | None = None
        for v in expr.values:
            eq = ast.Binary("=", ast.Vector(tuple(regs)), v)
            disj = eq if disj is None else ast.Binary("OR", disj, eq)
        assert disj is not None
        res = parse.alloc_reg()
        code_expr(parse, disj, res)
        _branch_on(parse, res, dest_if_false, dest_if_null)
        return
    assert expr.select is not None
    width = subquery_width(parse, expr.select)
    if width != n:
        parse.error(f"sub-select returns {width} columns - expected {n}")
    regs = _lhs_registers(parse, list(lhs.items))
    eph, info = _materialize(parse, expr.select, n)
    res = _code_scan(parse, eph, regs, [c.expr for c in info.columns])
    _branch_on(parse, res, dest_if_false, dest_if_null)


def _branch_on(parse: Any, res: int, dest_if_false: int, dest_if_null: int) -> None:
    parse.emit("IsNull", res, dest_if_null)
    parse.emit("IfNot", res, dest_if_false)


def _materialize(parse: Any, select: ast.Select, n: int) -> tuple[int, Any]:
    """The subquery's rows in an ephemeral table (refilled per row when
    correlated)."""
    from pyrite.compile.expr import _explain_subquery_begin, _explain_subquery_end
    from pyrite.compile.select import compile_select
    cursor = parse.alloc_cursor()
    once = parse.emit("Once", 0, 0)
    explain_addr, saved_parent = _explain_subquery_begin(parse, "LIST SUBQUERY")
    parse.emit("OpenEphemeral", cursor, n)
    info = compile_select(parse, select, SelectDest(SRT_TABLE, cursor),
                          outer=parse.outer_context(select))
    correlated = getattr(info, "correlated", False)
    _explain_subquery_end(parse, explain_addr, saved_parent, correlated)
    parse.builder.change_p2(once, once + 1 if correlated else parse.current_addr())
    return cursor, info


def _code_scan(parse: Any, cursor: int, lhs: list[Any], rhs: list[Any]) -> int:
    """A register holding the IN answer (1, 0 or NULL) for the row value
    ``lhs`` against the rows of ``cursor``."""
    from pyrite.compile.expr import _coll_p4, compare_affinity, compare_collation
    res = parse.alloc_reg()
    row_null = parse.alloc_reg()
    tmp = parse.alloc_reg(len(lhs))
    parse.emit("Integer", 0, res)
    done = parse.label()
    parse.emit("Rewind", cursor, done)
    top = parse.current_addr()
    next_row = parse.label()
    mark_null = parse.label()
    parse.emit("Integer", 0, row_null)
    for i, (left, right) in enumerate(zip(lhs, rhs)):
        right_ref = _column_ref(parse, tmp + i, right)
        aff = compare_affinity(left, right_ref)
        coll = compare_collation(parse, left, right_ref)
        parse.emit("Column", cursor, i, tmp + i)
        parse.emit("Ne", tmp + i, next_row, left.reg, _coll_p4(coll), ord(aff))
        is_null = parse.label()
        cont = parse.label()
        parse.emit("IsNull", tmp + i, is_null)
        parse.emit("NotNull", left.reg, cont)
        parse.resolve(is_null)
        parse.emit("Integer", 1, row_null)
        parse.resolve(cont)
    parse.emit("If", row_null, mark_null)
    parse.emit("Integer", 1, res)
    parse.emit("Goto", 0, done)
    parse.resolve(mark_null)
    parse.emit("Null", 0, res)
    parse.resolve(next_row)
    parse.emit("Next", cursor, top)
    parse.resolve(done)
    return res

