"""Compiler layer: expression code generation (SQLite's ``expr.c``).

Reads resolved expression trees (see resolve.py: ColumnRef, FuncRef,
AggColumn) and emits VDBE code through ``Parse``.  Entry points mirror
SQLite's: ``code_expr`` (sqlite3ExprCode), ``code_expr_target``
(sqlite3ExprCodeTarget: the value may land in another register),
``code_expr_temp`` (sqlite3ExprCodeTemp: constants are hoisted into the
init section), ``code_if_true``/``code_if_false`` (sqlite3ExprIfTrue/IfFalse),
``expr_affinity``, ``expr_collation``, ``code_in`` (sqlite3ExprCodeIN).

Comparisons put SQLite's P5 on the compare opcodes: the comparison affinity
(an affinity letter's code) or'd with SQLITE_JUMPIFNULL (0x10) or
SQLITE_NULLEQ (0x80), and the collating sequence in P4.
"""

from __future__ import annotations
from pyrite.values import fold_name

import threading
from dataclasses import dataclass
from typing import Any

from pyrite import values
from pyrite.compile.context import Parse, SelectDest, SRT_EXISTS, SRT_MEM, SRT_SET
from pyrite.compile.resolve import AggColumn, ColumnRef, FixedColumn, FuncRef, walk
from pyrite.sql import ast
from pyrite.vdbe.functions import NEEDS_COLLATION

SQLITE_JUMPIFNULL = 0x10
SQLITE_NULLEQ = 0x80
SQLITE_KEEPNULL = 0x08

_ARITH_OPS = {
    "+": "Add", "-": "Subtract", "*": "Multiply", "/": "Divide", "%": "Remainder",
    "||": "Concat", "&": "BitAnd", "|": "BitOr", "<<": "ShiftLeft", ">>": "ShiftRight",
}
_COMPARE_OPS = {"<": "Lt", "<=": "Le", ">": "Gt", ">=": "Ge", "=": "Eq", "!=": "Ne",
                "IS": "Eq", "IS NOT": "Ne"}
_NEGATE_OP = {"Lt": "Ge", "Le": "Gt", "Gt": "Le", "Ge": "Lt", "Eq": "Ne", "Ne": "Eq"}
_SMALLEST_I32 = -(1 << 31)
_LARGEST_I32 = (1 << 31) - 1


@dataclass(frozen=True, slots=True, eq=False)
class RegRef(ast.Expr):
    """A value already in register ``reg`` (SQLite's TK_REGISTER)."""

    reg: int
    affinity: str = values.AFF_NONE
    collation: Any = None       # Collation object or None
    explicit_collation: bool = False


# ---------------------------------------------------------------------------
# Affinity and collation
# ---------------------------------------------------------------------------

# A scalar subquery has the affinity of its first result column, known
# once the subquery is coded (its names resolve only then): code_subquery
# notes it here, keyed by the SELECT node (kept, so the id stays its own).
_subquery_affinity = threading.local()


def _note_subquery_affinity(select: ast.Select, aff: str) -> None:
    seen = getattr(_subquery_affinity, "map", None)
    if seen is None or len(seen) > 256:
        seen = _subquery_affinity.map = {}
    seen[id(select)] = (select, aff)


def _subquery_affinity_of(select: ast.Select) -> str:
    entry = getattr(_subquery_affinity, "map", {}).get(id(select))
    return entry[1] if entry is not None and entry[0] is select else values.AFF_NONE


def expr_affinity(expr: ast.Expr | None) -> str:
    """The affinity of ``expr`` (sqlite3ExprAffinity); AFF_NONE when it has none."""
    while True:
        if isinstance(expr, ColumnRef):
            return expr.affinity
        if isinstance(expr, FixedColumn):
            return expr.column.affinity
        if isinstance(expr, ast.Subquery):
            return _subquery_affinity_of(expr.select)
        if isinstance(expr, ast.Collate):
            expr = expr.expr
            continue
        if isinstance(expr, ast.Cast):
            return values.affinity_of_type(expr.type_name)
        if isinstance(expr, RegRef):
            return expr.affinity
        if isinstance(expr, AggColumn):
            return expr.affinity or values.AFF_NONE
        if isinstance(expr, ast.Vector) and expr.items:
            expr = expr.items[0]
            continue
        return values.AFF_NONE


def _collate_children(expr: Any) -> tuple[Any, tuple[Any, ...], Any]:
    """(pLeft, x.pList, pRight) of ``expr`` as SQLite's Expr holds them, for
    the EP_Collate walk: LIKE is like(pattern, string[, escape]), BETWEEN and
    IN keep their operand in pLeft and the rest in the list, CASE its base in
    pLeft and WHEN/THEN/ELSE in the list, a function its arguments."""
    if isinstance(expr, ast.Binary):
        return expr.left, (), expr.right
    if isinstance(expr, (ast.Unary,)):
        return expr.operand, (), None
    if isinstance(expr, (ast.IsNull, ast.Cast)):
        return expr.expr, (), None
    if isinstance(expr, ast.Like):
        items = (expr.right, expr.left) + ((expr.escape,) if expr.escape is not None else ())
        return None, items, None
    if isinstance(expr, ast.Between):
        return expr.expr, (expr.low, expr.high), None
    if isinstance(expr, ast.In):
        return expr.expr, tuple(expr.values or ()), None
    if isinstance(expr, ast.Case):
        items = tuple(x for pair in expr.whens for x in pair)
        if expr.else_ is not None:
            items += (expr.else_,)
        return expr.base, items, None
    if isinstance(expr, (ast.FunctionCall, FuncRef)):
        return None, tuple(expr.args), None
    if isinstance(expr, AggColumn):
        return expr.source, (), None
    if isinstance(expr, ast.Vector):
        return None, tuple(expr.items), None
    return None, (), None


def _has_collate(expr: Any) -> bool:
    """SQLite's EP_Collate: an explicit COLLATE somewhere in ``expr``
    (not inside a subquery)."""
    if isinstance(expr, ast.Collate):
        return True
    if isinstance(expr, RegRef):
        return bool(expr.explicit_collation)
    left, items, right = _collate_children(expr)
    return (left is not None and _has_collate(left)) or \
        any(_has_collate(x) for x in items) or (right is not None and _has_collate(right))


def _explicit_collation(parse: Parse, expr: Any) -> tuple[bool, values.Collation | None]:
    """(found, collation) for an explicit COLLATE inside ``expr``: the
    EP_Collate walk of sqlite3ExprCollSeq (into the left operand when it
    holds a COLLATE, else the first list item that does, else the right
    operand), which may end at a column's collation under CAST or a vector."""
    if not _has_collate(expr):
        return False, None
    while True:
        if isinstance(expr, ast.Collate):
            return True, parse.find_collation(expr.collation)
        if isinstance(expr, RegRef):
            return True, expr.collation
        if isinstance(expr, FixedColumn):
            expr = expr.column
        if isinstance(expr, ColumnRef):
            return True, parse.find_collation(expr.collation) if expr.collation else None
        if isinstance(expr, ast.Cast) or (isinstance(expr, ast.Unary) and expr.op == "+"):
            expr = expr.expr if isinstance(expr, ast.Cast) else expr.operand
            continue
        if isinstance(expr, ast.Vector) and expr.items:
            expr = expr.items[0]
            continue
        if not _has_collate(expr):
            return True, None
        left, items, right = _collate_children(expr)
        if left is not None and _has_collate(left):
            expr = left
            continue
        expr = next((x for x in items if _has_collate(x)), right)
        if expr is None:
            return True, None


def expr_collation(parse: Parse, expr: ast.Expr | None) -> values.Collation | None:
    """The collating sequence of ``expr`` (sqlite3ExprCollSeq); None = BINARY."""
    found, coll = _explicit_collation(parse, expr)
    if found:
        return coll
    while True:
        if isinstance(expr, FixedColumn):
            expr = expr.column
        if isinstance(expr, ColumnRef):
            return parse.find_collation(expr.collation) if expr.collation else None
        if isinstance(expr, (ast.Cast,)):
            expr = expr.expr
            continue
        if isinstance(expr, ast.Unary) and expr.op == "+":
            expr = expr.operand
            continue
        if isinstance(expr, RegRef):
            return expr.collation
        if isinstance(expr, AggColumn):
            return parse.find_collation(expr.collation) if expr.collation else None
        return None


def expr_coll_seq(parse: Parse, expr: Any) -> tuple[bool, values.Collation | None]:
    """(found, collation) as sqlite3ExprCollSeq answers: an explicit COLLATE,
    or a table column's collation -- BINARY (None) when it declares none, but
    found all the same; the rowid and other expressions have none."""
    found, coll = _explicit_collation(parse, expr)
    if found:
        return True, coll
    while True:
        if isinstance(expr, FixedColumn):
            expr = expr.column
        if isinstance(expr, ColumnRef):
            if expr.column < 0:
                return False, None
            return True, parse.find_collation(expr.collation) if expr.collation else None
        if isinstance(expr, ast.Cast):
            expr = expr.expr
            continue
        if isinstance(expr, ast.Unary) and expr.op == "+":
            expr = expr.operand
            continue
        if isinstance(expr, RegRef):
            return expr.collation is not None, expr.collation
        if isinstance(expr, AggColumn):
            coll = parse.find_collation(expr.collation) if expr.collation else None
            return coll is not None, coll
        return False, None


def compare_collation(parse: Parse, left: ast.Expr, right: ast.Expr) -> values.Collation | None:
    """Collation of ``left <op> right`` (sqlite3BinaryCompareCollSeq): an
    explicit COLLATE on either side, else the left operand's collating
    sequence (a column's, BINARY by default), else the right's."""
    found, coll = _explicit_collation(parse, left)
    if found:
        return coll
    found, coll = _explicit_collation(parse, right)
    if found:
        return coll
    found, coll = expr_coll_seq(parse, left)
    if found:
        return coll
    return expr_collation(parse, right)


def compare_affinity(left: ast.Expr, right: ast.Expr) -> str:
    """P5 affinity of a comparison (sqlite3CompareAffinity of both sides)."""
    return values.comparison_affinity(expr_affinity(left), expr_affinity(right))


def _coll_p4(coll: values.Collation | None) -> values.Collation:
    return coll if coll is not None else values.BINARY


# ---------------------------------------------------------------------------
# Constant detection
# ---------------------------------------------------------------------------

def is_constant(expr: Any) -> bool:
    """True when ``expr`` has the same value on every row (sqlite3ExprIsConstantNotJoin)."""
    if expr is None:
        return True
    if isinstance(expr, (ast.Literal, ast.Variable)):
        return True
    if isinstance(expr, FixedColumn):
        return is_constant(expr.value)
    if isinstance(expr, (ColumnRef, AggColumn, ast.Subquery, ast.Exists, RegRef,
                         ast.Raise, ast.Column, ast.FunctionCall)):
        return False
    if isinstance(expr, FuncRef):
        if expr.is_agg or not expr.funcdef.deterministic:
            return False
        return all(is_constant(a) for a in expr.args)
    if isinstance(expr, ast.CurrentTime):
        return True
    if isinstance(expr, ast.In):
        if expr.select is not None or expr.table is not None:
            return False
        return is_constant(expr.expr) and all(is_constant(v) for v in expr.values or ())
    if isinstance(expr, ast.Case):
        return (is_constant(expr.base) and is_constant(expr.else_)
                and all(is_constant(w) and is_constant(t) for w, t in expr.whens))
    import dataclasses
    for f in dataclasses.fields(expr):
        v = getattr(expr, f.name)
        if isinstance(v, ast.Expr):
            if not is_constant(v):
                return False
        elif isinstance(v, tuple):
            for x in v:
                if isinstance(x, ast.Expr) and not is_constant(x):
                    return False
    return True


def _can_be_null(expr: Any) -> bool:
    """Conservative sqlite3ExprCanBeNull."""
    if isinstance(expr, ast.Literal):
        return expr.value is None
    if isinstance(expr, FixedColumn):
        return _can_be_null(expr.value)
    if isinstance(expr, ColumnRef):
        if expr.column < 0:
            # the rowid is NULL only in the NULL row of an outer join
            return bool(expr.item is not None and expr.item.null_extended)
        col = expr.item.table.columns[expr.column] if expr.item is not None else None
        return not (col is not None and getattr(col, "not_null", False)) \
            or bool(expr.item is not None and expr.item.null_extended)
    return True


# ---------------------------------------------------------------------------
# Code generation
# ---------------------------------------------------------------------------

def code_expr(parse: Parse, expr: ast.Expr, target: int) -> int:
    """Evaluate ``expr`` into register ``target`` (sqlite3ExprCode)."""
    reg = code_expr_target(parse, expr, target)
    if reg != target:
        op = "Copy" if isinstance(expr, AggColumn) else "SCopy"
        parse.emit(op, reg, target)
    return target


def code_expr_nocache(parse: Parse, expr: ast.Expr, target: int) -> int:
    """Code ``expr`` into ``target`` without factoring constants (used for the
    init section itself)."""
    return code_expr(parse, expr, target)


def code_expr_temp(parse: Parse, expr: ast.Expr) -> int:
    """Register holding ``expr``'s value (sqlite3ExprCodeTemp): constants are
    computed once in the init section; columns already in registers are used
    in place."""
    if parse.ok_const_factor and is_constant(expr) and not isinstance(expr, RegRef):
        return run_just_once(parse, expr)
    reg = parse.get_temp_reg()
    r = code_expr_target(parse, expr, reg)
    if r != reg:
        parse.release_temp_reg(reg)
    return r


def run_just_once(parse: Parse, expr: ast.Expr, target: int | None = None) -> int:
    """A constant expression computed once per run (sqlite3ExprCodeRunJustOnce):
    without function calls in the init section, before anything else; with
    them in place behind a Once, so that it runs only if and when the
    program gets there (an error it raises must not stop a query that never
    reaches it, e.g. under LIMIT 0)."""
    if not _has_function_call(expr):
        if target is None:
            return parse.hoist_constant(expr)
        parse.constants.append((expr, target))
        return target
    reg = parse.alloc_reg() if target is None else target
    once = parse.emit("Once", 0, 0)
    saved = parse.ok_const_factor
    parse.ok_const_factor = False
    try:
        code_expr(parse, expr, reg)
    finally:
        parse.ok_const_factor = saved
    parse.builder.change_p2(once, parse.current_addr())
    return reg


def _has_function_call(expr: Any) -> bool:
    found = False

    def visit(e: Any) -> None:
        nonlocal found
        if isinstance(e, (FuncRef, ast.FunctionCall, ast.CurrentTime)):
            found = True
    walk(expr, visit)
    return found


def code_expr_list(parse: Parse, exprs: Any, target: int, factor: bool = True) -> int:
    """Evaluate a list of expressions into consecutive registers from ``target``
    (sqlite3ExprCodeExprList with SQLITE_ECEL_FACTOR: constants are computed in
    the init section straight into their register)."""
    for i, e in enumerate(exprs):
        if factor and parse.ok_const_factor and is_constant(e) and not isinstance(e, RegRef):
            run_just_once(parse, e, target + i)
        else:
            code_expr(parse, e, target + i)
    return len(exprs)


def code_expr_target(parse: Parse, expr: Any, target: int) -> int:
    """Evaluate ``expr``; the result is in ``target`` or in the returned
    register (sqlite3ExprCodeTarget)."""
    if isinstance(expr, RegRef):
        return expr.reg
    if isinstance(expr, AggColumn):
        return expr.reg
    if isinstance(expr, ColumnRef):
        return code_column(parse, expr, target)
    if isinstance(expr, FixedColumn):
        # the constant, with the column's affinity applied
        r = code_expr_target(parse, expr.value, target)
        if r != target:
            parse.emit("SCopy", r, target)
        aff = expr.column.affinity
        if aff > values.AFF_BLOB:
            parse.emit("Affinity", target, 1, 0, aff)
        return target
    if isinstance(expr, ast.Literal):
        code_literal(parse, expr.value, target)
        return target
    if isinstance(expr, ast.Variable):
        n = parse.variable_for(expr)
        parse.emit("Variable", n, target, 0, None if expr.text == "?" else
                   (expr.text if expr.text[0] != "?" else None))
        return target
    if isinstance(expr, ast.Unary):
        return _code_unary(parse, expr, target)
    if isinstance(expr, ast.Binary):
        return _code_binary(parse, expr, target)
    if isinstance(expr, ast.Collate):
        return code_expr_target(parse, expr.expr, target)
    if isinstance(expr, ast.Cast):
        code_expr(parse, expr.expr, target)
        aff = values.affinity_of_type(expr.type_name)
        parse.emit("Cast", target, ord(aff))
        return target
    if isinstance(expr, FuncRef):
        return _code_function(parse, expr, target)
    if isinstance(expr, ast.CurrentTime):
        fd = parse.find_function(fold_name(expr.kind), 0)
        return _code_function(parse, FuncRef(fold_name(expr.kind), (), fd), target)
    if isinstance(expr, (ast.Like, ast.Between, ast.In, ast.IsNull)):
        return _code_predicate_value(parse, expr, target)
    if isinstance(expr, ast.Case):
        return _code_case(parse, expr, target)
    if isinstance(expr, ast.Subquery):
        return code_subquery(parse, expr.select, exists=False)
    if isinstance(expr, ast.Exists):
        return code_subquery(parse, expr.select, exists=True)
    if isinstance(expr, ast.Vector):
        parse.error("row value misused")
    if isinstance(expr, ast.Raise):
        from pyrite.compile.trigger import code_raise
        return code_raise(parse, expr, target)
    if isinstance(expr, ast.Column):
        parse.error(f"no such column: {expr.name}")
    if isinstance(expr, ast.FunctionCall):
        parse.error(f"no such function: {expr.name}")
    parse.error(f"{type(expr).__name__} expressions are not supported yet")
    raise AssertionError


def code_literal(parse: Parse, value: Any, target: int) -> None:
    if value is None:
        parse.emit("Null", 0, target)
    elif isinstance(value, bool):
        parse.emit("Integer", int(value), target)
    elif isinstance(value, int):
        if _SMALLEST_I32 <= value <= _LARGEST_I32:
            parse.emit("Integer", value, target)
        else:
            parse.emit("Int64", 0, target, 0, value)
    elif isinstance(value, float):
        parse.emit("Real", 0, target, 0, value)
    elif isinstance(value, str):
        parse.emit("String8", 0, target, 0, value)
    elif isinstance(value, (bytes, bytearray)):
        parse.emit("Blob", len(value), target, 0, bytes(value))
    else:  # pragma: no cover
        raise TypeError(value)


def code_column(parse: Parse, ref: ColumnRef, target: int) -> int:
    """Read a table column (sqlite3ExprCodeGetColumnOfTable)."""
    cursor = ref.cursor
    column = ref.column
    if parse.agg_columns:
        # an aggregate query's column, read by a subquery in its output
        reg = parse.agg_columns.get((cursor, column))
        if reg is not None:
            return reg
    # A covering index read: where.py maps the table's columns to the index
    # (and GROUP BY to its sorter, which comes first for any kind of cursor).
    cover = parse.covering.get(cursor)
    if cover is not None:
        idx_cursor, mapping = cover
        pos = mapping.get(column)
        if pos is not None:
            if column < 0 and idx_cursor not in parse.pseudo_cursors:
                parse.emit("IdxRowid", idx_cursor, target)
            else:
                parse.emit("Column", idx_cursor, pos, target)
                if ref.affinity == values.AFF_REAL:
                    parse.emit("RealAffinity", target)
            return target
    # A row held in registers (RETURNING's target, UPSERT's excluded, a
    # co-routine's result).
    base = parse.register_cursors.get(cursor) if parse.register_cursors else None
    if base is not None:
        return base if column < 0 else base + 1 + column
    if column < 0:
        parse.emit("Rowid", cursor, target)
        return target
    item = ref.item
    if item is not None and getattr(item.table, "is_virtual", False):
        parse.emit("VColumn", cursor, column, target)
        return target
    default = None
    if item is not None and not getattr(item.table, "is_ephemeral", False):
        col = item.table.columns[column]
        if getattr(item.table, "has_generated", False) or \
                getattr(item.table, "without_rowid", False):
            from pyrite.compile import gencol
            if gencol.is_virtual(col):
                return gencol.code_virtual_column(parse, item.table, cursor, column, target)
            column = gencol.storage_column(item.table, column)
        default = column_default(col)
    parse.emit("Column", cursor, column, target, default)
    if ref.affinity == values.AFF_REAL:
        parse.emit("RealAffinity", target)
    return target


def column_default(col: Any) -> Any:
    """Column's P4 for ``col``: the value a record too short to hold it
    reads as (a column added by ALTER TABLE), its DEFAULT with the column's
    affinity applied, as sqlite3ValueFromExpr does."""
    default = _default_value(getattr(col, "default", None))
    if default is not None and col.affinity != values.AFF_BLOB:
        default = values.apply_affinity(default, col.affinity)
    return default


def _default_value(expr: Any) -> Any:
    """The constant value of a column DEFAULT for Column's P4 (sqlite3ColumnDefault)."""
    if expr is None:
        return None
    if isinstance(expr, ast.DefaultConstraint):
        expr = expr.expr
    if isinstance(expr, ast.Literal):
        return expr.value
    if isinstance(expr, ast.Unary) and expr.op in ("-", "+") \
            and isinstance(expr.operand, ast.Literal) \
            and isinstance(expr.operand.value, (int, float)):
        return -expr.operand.value if expr.op == "-" else expr.operand.value
    return None


def _code_unary(parse: Parse, expr: ast.Unary, target: int) -> int:
    op = expr.op.upper()
    operand = expr.operand
    if op == "-":
        if isinstance(operand, ast.Literal) and isinstance(operand.value, (int, float)) \
                and not isinstance(operand.value, bool):
            v = operand.value
            if isinstance(v, int) and v == 1 << 63:
                code_literal(parse, -(1 << 63), target)
            elif isinstance(v, int) and v > 1 << 63:
                # beyond int64: a real, as sqlite3AtoF reads the digits
                code_literal(parse, -values._str_to_float(str(v)), target)
            else:
                code_literal(parse, -v if v != 0 or isinstance(v, int) else -0.0, target)
            return target
        zero = parse.hoist_constant(ast.Literal(0)) if parse.ok_const_factor else None
        if zero is None:
            zero = parse.get_temp_reg()
            parse.emit("Integer", 0, zero)
        r = code_expr_temp(parse, operand)
        parse.emit("Subtract", r, zero, target)
        return target
    if op == "+":
        return code_expr_target(parse, operand, target)
    if op == "~":
        r = code_expr_temp(parse, operand)
        parse.emit("BitNot", r, target)
        return target
    if op == "NOT":
        r = code_expr_temp(parse, operand)
        parse.emit("Not", r, target)
        return target
    parse.error(f"unknown operator {op}")
    raise AssertionError


def _code_binary(parse: Parse, expr: ast.Binary, target: int) -> int:
    op = expr.op.upper()
    if op in _ARITH_OPS:
        r1 = code_expr_temp(parse, expr.left)
        r2 = code_expr_temp(parse, expr.right)
        parse.emit(_ARITH_OPS[op], r2, r1, target)
        return target
    truth = truth_test(expr)
    if truth is not None:
        operand, p3, p4 = truth
        r1 = code_expr_temp(parse, operand)
        parse.emit("IsTrue", r1, target, p3, p4)
        return target
    if op in _COMPARE_OPS:
        if isinstance(expr.left, ast.Vector) or isinstance(expr.right, ast.Vector):
            return _code_predicate_value(parse, expr, target)
        r1 = code_expr_temp(parse, expr.left)
        r2 = code_expr_temp(parse, expr.right)
        opname = _COMPARE_OPS[op]
        aff = compare_affinity(expr.left, expr.right)
        coll = compare_collation(parse, expr.left, expr.right)
        if op in ("IS", "IS NOT"):
            parse.emit("Integer", 1, target)
            parse.emit(opname, r2, parse.current_addr() + 2, r1, _coll_p4(coll),
                       ord(aff) | SQLITE_NULLEQ)
            parse.emit("Integer", 0, target)
        else:
            parse.emit("Integer", 1, target)
            parse.emit(opname, r2, parse.current_addr() + 2, r1, _coll_p4(coll), ord(aff))
            parse.emit("ZeroOrNull", r1, target, r2)
        return target
    if op in ("AND", "OR"):
        r1 = code_expr_temp(parse, expr.left)
        r2 = code_expr_temp(parse, expr.right)
        parse.emit("And" if op == "AND" else "Or", r1, r2, target)
        return target
    if op in ("->", "->>"):
        # SQLite makes the operators calls of the functions "->" and "->>"
        fd = parse.find_function(op, 2)
        if fd is None:
            parse.error(f"no such function: {op}")
        return _code_function(parse, FuncRef(op, (expr.left, expr.right), fd), target)
    parse.error(f"unknown operator {op}")
    raise AssertionError


def _code_predicate_value(parse: Parse, expr: Any, target: int) -> int:
    """Value (1, 0 or NULL) of a predicate coded with jumps."""
    if isinstance(expr, ast.Like):
        return _code_function(parse, _like_call(parse, expr), target) if not expr.negated \
            else _code_not(parse, _like_call(parse, expr), target)
    if isinstance(expr, ast.IsNull):
        parse.emit("Integer", 1, target)
        r = code_expr_temp(parse, expr.expr)
        addr = parse.emit("NotNull" if expr.negated else "IsNull", r, 0)
        parse.emit("Integer", 0, target)
        parse.builder.change_p2(addr, parse.current_addr())
        return target
    if isinstance(expr, ast.In):
        dest_false = parse.label()
        dest_null = parse.label()
        parse.emit("Null", 0, target)
        code_in(parse, expr, dest_false, dest_null)
        parse.emit("Integer", 1, target)
        parse.emit("Goto", 0, dest_null)
        parse.resolve(dest_false)
        parse.emit("AddImm", target, 0)
        parse.resolve(dest_null)
        if expr.negated:
            parse.emit("Not", target, target)
        return target
    if isinstance(expr, ast.Between):
        conj = _between_as_and(parse, expr)
        r = code_expr_target(parse, conj, target)
        return r
    if isinstance(expr, ast.Binary):
        conj = _expand_vector_compare(parse, expr)
        return code_expr_target(parse, conj, target)
    raise AssertionError(expr)


def _code_not(parse: Parse, inner: ast.Expr, target: int) -> int:
    r = code_expr_target(parse, inner, target)
    parse.emit("Not", r, target)
    return target


def _like_call(parse: Parse, expr: ast.Like) -> FuncRef:
    """LIKE/GLOB as the function call SQLite makes of them: like(pattern, x[, esc])."""
    name = fold_name(expr.op)
    args = (expr.right, expr.left) + ((expr.escape,) if expr.escape is not None else ())
    if name == "match":
        parse.error("unable to use function MATCH in the requested context")
    fd = parse.find_function(name, len(args))
    if fd is None:
        if parse.function_exists(name):
            parse.error(f"wrong number of arguments to function {name}()")
        parse.error(f"no such function: {name}")
    return FuncRef(name, args, fd)


def _between_as_and(parse: Parse, expr: ast.Between) -> ast.Expr:
    """``x BETWEEN a AND b`` as ``x>=a AND x<=b`` with x evaluated once."""
    x = expr.expr
    if isinstance(x, ast.Vector):
        x = ast.Vector(tuple(_between_operand(parse, e) for e in x.items))
    elif not isinstance(x, (ColumnRef, RegRef, ast.Literal)):
        reg = code_expr_temp(parse, x)
        found, coll = _explicit_collation(parse, x)
        x = RegRef(reg, expr_affinity(x), coll if found else expr_collation(parse, x), found)
    conj: ast.Expr = ast.Binary("AND", ast.Binary(">=", x, expr.low),
                                ast.Binary("<=", x, expr.high))
    if expr.negated:
        conj = ast.Unary("NOT", conj)
    return conj


def _between_operand(parse: Parse, x: ast.Expr) -> ast.Expr:
    """``x`` evaluated once into a register, keeping its affinity/collation."""
    if isinstance(x, (ColumnRef, RegRef, ast.Literal)):
        return x
    reg = code_expr_temp(parse, x)
    found, coll = _explicit_collation(parse, x)
    return RegRef(reg, expr_affinity(x), coll if found else expr_collation(parse, x), found)


def _expand_vector_compare(parse: Parse, expr: ast.Binary) -> ast.Expr:
    from pyrite.compile.rowvalue import prepare_vector_compare
    expr = prepare_vector_compare(parse, expr)
    left, right = expr.left, expr.right
    if not (isinstance(left, ast.Vector) and isinstance(right, ast.Vector)):
        parse.error("row value misused")
    if len(left.items) != len(right.items):
        parse.error("row value misused")
    op = expr.op.upper()
    if op in ("<", "<=", ">", ">="):
        # lexicographic: l0 < r0 OR (l0 = r0 AND (l1 < r1 OR ...)), the last
        # pair with the operator itself; NULLs propagate as SQLite's do
        strict = op[0]
        items = list(zip(left.items, right.items))
        acc: ast.Expr = ast.Binary(op, items[-1][0], items[-1][1])
        for a, b in reversed(items[:-1]):
            acc = ast.Binary("OR", ast.Binary(strict, a, b),
                             ast.Binary("AND", ast.Binary("=", a, b), acc))
        return acc
    terms = [ast.Binary(op, a, b) for a, b in zip(left.items, right.items)]
    glue = "AND" if op in ("=", "IS") else "OR"
    result: ast.Expr = terms[0]
    for t in terms[1:]:
        result = ast.Binary(glue, result, t)
    return result


def _code_case(parse: Parse, expr: ast.Case, target: int) -> int:
    end = parse.label()
    base = expr.base
    base_ref = None
    if base is not None:
        reg = code_expr_temp(parse, base)
        found, coll = _explicit_collation(parse, base)
        base_ref = RegRef(reg, expr_affinity(base),
                          coll if found else expr_collation(parse, base), found)
    for when, then in expr.whens:
        next_case = parse.label()
        test = ast.Binary("=", base_ref, when) if base_ref is not None else when
        code_if_false(parse, test, next_case, True)
        code_expr(parse, then, target)
        parse.emit("Goto", 0, end)
        parse.resolve(next_case)
    if expr.else_ is not None:
        code_expr(parse, expr.else_, target)
    else:
        parse.emit("Null", 0, target)
    parse.resolve(end)
    return target


_INLINE_FUNCS = {"coalesce", "ifnull", "iif", "likely", "unlikely", "likelihood"}


def _code_function(parse: Parse, f: FuncRef, target: int) -> int:
    if f.is_agg:
        parse.error(f"misuse of aggregate: {f.name}()")
    name = fold_name(f.name)
    if name in _INLINE_FUNCS:
        return _code_inline(parse, f, target)
    if parse.ok_const_factor and is_constant(f) and f.args:
        return run_just_once(parse, f)
    n = len(f.args)
    first = parse.alloc_reg(n) if n else 0
    const_mask = 0
    for i, a in enumerate(f.args):
        if is_constant(a) and i < 32:
            const_mask |= 1 << i
    if n:
        code_expr_list(parse, f.args, first)
    if f.funcdef.flags & NEEDS_COLLATION:
        coll = None
        for a in f.args:
            coll = expr_collation(parse, a)
            if coll is not None:
                break
        parse.emit("CollSeq", 0, 0, 0, _coll_p4(coll))
    where = getattr(parse, "pure_context", None)
    if where:
        from pyrite.compile.gencol import pure_funcdef
        parse.emit("PureFunc", const_mask, first, target, pure_funcdef(f.funcdef, where), n)
    else:
        parse.emit("Function", const_mask, first, target, f.funcdef, n)
    return target


def _code_inline(parse: Parse, f: FuncRef, target: int) -> int:
    name = fold_name(f.name)
    if name in ("likely", "unlikely", "likelihood"):
        return code_expr_target(parse, f.args[0], target)
    if name == "iif":
        return _code_case(parse, ast.Case(None, ((f.args[0], f.args[1]),), f.args[2]),
                          target)
    # coalesce / ifnull
    end = parse.label()
    code_expr(parse, f.args[0], target)
    for a in f.args[1:]:
        parse.emit("NotNull", target, end)
        code_expr(parse, a, target)
    parse.resolve(end)
    return target


# ---------------------------------------------------------------------------
# Subqueries
# ---------------------------------------------------------------------------

def code_subquery(parse: Parse, select: ast.Select, exists: bool) -> int:
    """A scalar subquery or EXISTS (sqlite3CodeSubselect): run once unless
    correlated, result in a register."""
    from pyrite.compile.select import compile_select
    once = parse.emit("Once", 0, 0)
    explain_addr, saved_parent = _explain_subquery_begin(parse, "SCALAR SUBQUERY")
    reg = parse.alloc_reg()
    if exists:
        parse.emit("Integer", 0, reg)
        dest = SelectDest(SRT_EXISTS, reg)
    else:
        parse.emit("Null", 0, reg)
        dest = SelectDest(SRT_MEM, reg)
    saved = parse.ok_const_factor
    info = compile_select(parse, select, dest, outer=parse.outer_context(select),
                          limit_one=True)
    if not exists and info.columns:
        _note_subquery_affinity(select, expr_affinity(info.columns[0].expr))
    parse.ok_const_factor = saved
    _explain_subquery_end(parse, explain_addr, saved_parent,
                          getattr(info, "correlated", False))
    if getattr(info, "correlated", False):
        parse.builder.change_p2(once, once + 1)
    else:
        parse.builder.change_p2(once, parse.current_addr())
    return reg


def _explain_subquery_begin(parse: Parse, kind: str) -> tuple[int, int]:
    """Emit the EXPLAIN QUERY PLAN line of a subquery ("SCALAR SUBQUERY n",
    "LIST SUBQUERY n"); its rows become the children of that line."""
    saved_parent = getattr(parse, "explain_parent", 0)
    # the planner of a correlated subquery expects it to run repeatedly
    parse.expr_subquery_depth = getattr(parse, "expr_subquery_depth", 0) + 1
    if parse.is_explain != 2:
        return -1, saved_parent
    parse.n_select += 1
    addr = parse.current_addr()
    parse.emit("Explain", addr, saved_parent, 0, f"{kind} {parse.n_select}")
    parse.explain_parent = addr
    return addr, saved_parent


def _explain_subquery_end(parse: Parse, addr: int, saved_parent: int,
                          correlated: bool) -> None:
    parse.explain_parent = saved_parent
    parse.expr_subquery_depth -= 1
    if addr < 0 or not correlated:
        return
    # the line learns the subquery is correlated only now
    b = parse.builder
    text = "CORRELATED "
    if hasattr(b, "change_p4"):
        ins_text = _instruction_p4(b, addr)
        if ins_text is not None:
            b.change_p4(addr, text + ins_text)
        return
    ops = getattr(b, "ops", None) or getattr(b, "instructions", None)
    if ops is None:
        return
    ins = ops[addr]
    if isinstance(ins, list):
        ins[4] = text + ins[4]
    elif hasattr(ins, "p4"):
        ins.p4 = text + ins.p4


def _instruction_p4(builder: Any, addr: int) -> Any:
    ops = getattr(builder, "ops", None) or getattr(builder, "instructions", None)
    if ops is None:
        return None
    ins = ops[addr]
    return ins[4] if isinstance(ins, list) else getattr(ins, "p4", None)


def _code_in_rhs_subquery(parse: Parse, expr: ast.In) -> tuple[int, int, bool]:
    """Fill an ephemeral index with the subquery's rows; returns
    (cursor, register that is NULL when the set holds a NULL, correlated)."""
    from pyrite.compile.select import compile_select
    cursor = parse.alloc_cursor()
    once = parse.emit("Once", 0, 0)
    explain_addr, saved_parent = _explain_subquery_begin(parse, "LIST SUBQUERY")
    open_addr = parse.emit("OpenEphemeral", cursor, 1, 0, values.KeyInfo([None]))
    dest = SelectDest(SRT_SET, cursor, aff=values.AFF_BLOB, in_lhs=expr.expr)
    info = compile_select(parse, expr.select, dest, outer=parse.outer_context(expr.select))
    if getattr(info, "n_columns", 1) != 1:
        parse.error(f"sub-select returns {info.n_columns} columns - expected 1")
    parse.builder.change_p4(open_addr, values.KeyInfo([dest.in_coll]))
    aff = dest.aff or values.AFF_BLOB
    _explain_subquery_end(parse, explain_addr, saved_parent,
                          getattr(info, "correlated", False))
    if getattr(info, "correlated", False):
        parse.builder.change_p2(once, once + 1)
    else:
        parse.builder.change_p2(once, parse.current_addr())
    return cursor, aff, getattr(info, "correlated", False)


def set_in_affinity(parse: Parse, dest: SelectDest, rhs: ast.Expr) -> None:
    """The subquery of ``x IN (SELECT ...)`` is resolved only while it is
    coded: once its result column is known, the set's affinity and collation
    become those of the comparison between ``x`` and that column
    (exprINAffinity, sqlite3BinaryCompareCollSeq)."""
    lhs = dest.in_lhs
    aff = values.comparison_affinity(expr_affinity(rhs), expr_affinity(lhs))
    dest.aff = aff if aff != values.AFF_NONE else values.AFF_BLOB
    dest.in_coll = compare_collation(parse, lhs, rhs)


def _set_has_null_flag(parse: Parse, cursor: int) -> int:
    """sqlite3SetHasNullFlag: a register that is NULL when the set's first
    (smallest) key is NULL."""
    reg = parse.alloc_reg()
    parse.emit("Integer", 0, reg)
    addr = parse.emit("Rewind", cursor, 0)
    parse.emit("Column", cursor, 0, reg)
    parse.builder.change_p2(addr, parse.current_addr())
    return reg


def code_in(parse: Parse, expr: ast.In, dest_if_false: int, dest_if_null: int) -> None:
    """Fall through when ``x IN (...)`` is true, jump to ``dest_if_false``
    when false and ``dest_if_null`` when NULL (sqlite3ExprCodeIN).  The
    ``negated`` flag of ``expr`` is ignored here."""
    lhs = expr.expr
    if isinstance(lhs, ast.Vector):
        from pyrite.compile.rowvalue import code_vector_in
        code_vector_in(parse, expr, dest_if_false, dest_if_null)
        return
    if expr.table is not None:
        parse.error("IN with a table name on the right is not supported yet")
    if expr.values is not None:
        items = list(expr.values)
        if not items:
            # x IN () is false, never NULL
            parse.emit("Goto", 0, dest_if_false)
            return
        for v in items:
            if isinstance(v, ast.Vector):
                parse.error("row value misused")
        aff = expr_affinity(lhs)
        constant = all(is_constant(v) for v in items)
        if len(items) <= 2 or not constant:
            _code_in_eq_chain(parse, lhs, items, dest_if_false, dest_if_null)
            return
        # ephemeral index built once
        cursor, has_null = build_in_list_set(parse, lhs, items)
        r = code_expr_temp(parse, lhs)
        _code_in_probe(parse, cursor, r, aff, lhs, dest_if_false, dest_if_null,
                       static_has_null=has_null, dynamic=False)
        return
    cursor, aff, _ = _code_in_rhs_subquery(parse, expr)
    r = code_expr_temp(parse, lhs)
    _code_in_probe(parse, cursor, r, aff, lhs, dest_if_false,
                   dest_if_null, static_has_null=False, dynamic=True)


def build_in_list_set(parse: Parse, lhs: ast.Expr, items: list[ast.Expr]) -> tuple[int, bool]:
    """Fill an ephemeral index with the values of ``IN (list)`` once (Once);
    returns its cursor and whether the list holds a literal NULL."""
    aff = expr_affinity(lhs)
    cursor = parse.alloc_cursor()
    once = parse.emit("Once", 0, 0)
    coll = expr_collation(parse, lhs)
    parse.emit("OpenEphemeral", cursor, 1, 0,
               values.KeyInfo([coll if coll is not None else values.BINARY]))
    rec = parse.alloc_reg()
    val = parse.alloc_reg()
    has_null = False
    rhs_aff = aff if aff != values.AFF_NONE else values.AFF_BLOB
    for v in items:
        if isinstance(v, ast.Literal) and v.value is None:
            has_null = True
        saved = parse.ok_const_factor
        parse.ok_const_factor = False
        code_expr(parse, v, val)
        parse.ok_const_factor = saved
        parse.emit("MakeRecord", val, 1, rec, rhs_aff)
        parse.emit("IdxInsert", cursor, rec, val, 1)
    parse.builder.change_p2(once, parse.current_addr())
    return cursor, has_null


def _code_in_probe(parse: Parse, cursor: int, r: int, aff: str, lhs: ast.Expr,
                   dest_if_false: int, dest_if_null: int, *, static_has_null: bool,
                   dynamic: bool) -> None:
    if aff not in (values.AFF_NONE, values.AFF_BLOB):
        tmp = parse.get_temp_reg()
        parse.emit("SCopy", r, tmp)
        parse.emit("Affinity", tmp, 1, 0, aff)
        r = tmp
    if dest_if_null == dest_if_false:
        if _can_be_null(lhs):
            parse.emit("IsNull", r, dest_if_false)
        parse.emit("NotFound", cursor, dest_if_false, r, 1)
        return
    ok = parse.label()
    if _can_be_null(lhs):
        if dynamic:
            # NULL IN (empty set) is false, NULL IN (anything) is NULL
            not_null = parse.label()
            parse.emit("NotNull", r, not_null)
            parse.emit("Rewind", cursor, dest_if_false)
            parse.emit("Goto", 0, dest_if_null)
            parse.resolve(not_null)
        else:
            parse.emit("IsNull", r, dest_if_null)
    parse.emit("Found", cursor, ok, r, 1)
    if dynamic:
        flag = _set_has_null_flag(parse, cursor)
        parse.emit("NotNull", flag, dest_if_false)
        parse.emit("Goto", 0, dest_if_null)
    elif static_has_null:
        parse.emit("Goto", 0, dest_if_null)
    else:
        parse.emit("Goto", 0, dest_if_false)
    parse.resolve(ok)


def _code_in_eq_chain(parse: Parse, lhs: ast.Expr, items: list[ast.Expr],
                      dest_if_false: int, dest_if_null: int) -> None:
    r = code_expr_temp(parse, lhs)
    lhs_ref = RegRef(r, expr_affinity(lhs), *_coll_pair(parse, lhs))
    ok = parse.label()
    reg_ck_null = 0
    any_null = _can_be_null(lhs) or any(_can_be_null(v) for v in items)
    if dest_if_null != dest_if_false and any_null:
        reg_ck_null = parse.get_temp_reg()
        parse.emit("BitAnd", r, r, reg_ck_null)
    # every comparison uses the left operand's collating sequence, whatever
    # COLLATE the list items carry (sqlite3ExprCodeIN)
    coll = expr_collation(parse, lhs)
    for i, v in enumerate(items):
        r2 = code_expr_temp(parse, v)
        if reg_ck_null and _can_be_null(v):
            parse.emit("BitAnd", reg_ck_null, r2, reg_ck_null)
        aff = compare_affinity(lhs_ref, v)
        last = i == len(items) - 1
        if not last or dest_if_null != dest_if_false:
            parse.emit("Eq", r2, ok, r, _coll_p4(coll), ord(aff))
        else:
            parse.emit("Ne", r2, dest_if_false, r, _coll_p4(coll),
                       ord(aff) | SQLITE_JUMPIFNULL)
    if reg_ck_null:
        parse.emit("IsNull", reg_ck_null, dest_if_null)
        parse.emit("Goto", 0, dest_if_false)
    elif dest_if_null != dest_if_false:
        parse.emit("Goto", 0, dest_if_false)
    parse.resolve(ok)


def _coll_pair(parse: Parse, e: ast.Expr) -> tuple[Any, bool]:
    found, coll = _explicit_collation(parse, e)
    if found:
        return coll, True
    return expr_collation(parse, e), False


# ---------------------------------------------------------------------------
# Conditional jumps
# ---------------------------------------------------------------------------


def truth_test(expr: Any) -> tuple[Any, int, int] | None:
    """``x IS [NOT] TRUE|FALSE`` tests the truth of x (SQLite's TK_TRUTH),
    also with the keyword under COLLATE: (x, P3, P4) of the IsTrue opcode,
    r = coalesce(x is true, P3) ^ P4; None for any other expression."""
    if not isinstance(expr, ast.Binary) or expr.op.upper() not in ("IS", "IS NOT"):
        return None
    right = expr.right
    while isinstance(right, ast.Collate):
        right = right.expr
    if not isinstance(right, ast.Literal) or right.keyword is None:
        return None
    is_true = right.keyword.upper() == "TRUE"
    normal = expr.op.upper() == "IS"
    return expr.left, int(not is_true), int(is_true ^ normal)

def _literal_truth(expr: Any) -> bool | None:
    if isinstance(expr, ast.Literal):
        return values.is_true(expr.value)
    return None


def code_if_true(parse: Parse, expr: Any, dest: int, jump_if_null: bool) -> None:
    """Jump to ``dest`` when ``expr`` is true, fall through otherwise; when it
    is NULL, jump only if ``jump_if_null`` (sqlite3ExprIfTrue)."""
    if expr is None:
        return
    if isinstance(expr, ast.Binary):
        op = expr.op.upper()
        if op == "AND":
            d2 = parse.label()
            code_if_false(parse, expr.left, d2, not jump_if_null)
            code_if_true(parse, expr.right, dest, jump_if_null)
            parse.resolve(d2)
            return
        if op == "OR":
            code_if_true(parse, expr.left, dest, jump_if_null)
            code_if_true(parse, expr.right, dest, jump_if_null)
            return
        if op in _COMPARE_OPS and truth_test(expr) is None:
            if isinstance(expr.left, ast.Vector) or isinstance(expr.right, ast.Vector):
                code_if_true(parse, _expand_vector_compare(parse, expr), dest, jump_if_null)
                return
            _code_compare_jump(parse, expr, _COMPARE_OPS[op], dest,
                               jump_if_null, op in ("IS", "IS NOT"))
            return
    elif isinstance(expr, ast.Unary) and expr.op.upper() == "NOT":
        code_if_false(parse, expr.operand, dest, jump_if_null)
        return
    elif isinstance(expr, ast.IsNull):
        r = code_expr_temp(parse, expr.expr)
        parse.emit("NotNull" if expr.negated else "IsNull", r, dest)
        return
    elif isinstance(expr, ast.Between):
        code_if_true(parse, _between_as_and(parse, expr), dest, jump_if_null)
        return
    elif isinstance(expr, ast.In):
        if expr.negated:
            code_if_false(parse, _in_positive(expr), dest, jump_if_null)
            return
        dest_false = parse.label()
        code_in(parse, expr, dest_false, dest if jump_if_null else dest_false)
        parse.emit("Goto", 0, dest)
        parse.resolve(dest_false)
        return
    else:
        truth = _literal_truth(expr)
        if isinstance(expr, ast.Literal):
            if truth:
                parse.emit("Goto", 0, dest)
            elif truth is None and jump_if_null:
                parse.emit("Goto", 0, dest)
            return
    r = code_expr_temp(parse, expr)
    parse.emit("If", r, dest, 1 if jump_if_null else 0)


def code_if_false(parse: Parse, expr: Any, dest: int, jump_if_null: bool) -> None:
    """Jump to ``dest`` when ``expr`` is false, fall through otherwise; when it
    is NULL, jump only if ``jump_if_null`` (sqlite3ExprIfFalse)."""
    if expr is None:
        return
    if isinstance(expr, ast.Binary):
        op = expr.op.upper()
        if op == "AND":
            code_if_false(parse, expr.left, dest, jump_if_null)
            code_if_false(parse, expr.right, dest, jump_if_null)
            return
        if op == "OR":
            d2 = parse.label()
            code_if_true(parse, expr.left, d2, not jump_if_null)
            code_if_false(parse, expr.right, dest, jump_if_null)
            parse.resolve(d2)
            return
        if op in _COMPARE_OPS and truth_test(expr) is None:
            if isinstance(expr.left, ast.Vector) or isinstance(expr.right, ast.Vector):
                code_if_false(parse, _expand_vector_compare(parse, expr), dest, jump_if_null)
                return
            is_null_eq = op in ("IS", "IS NOT")
            _code_compare_jump(parse, expr, _NEGATE_OP[_COMPARE_OPS[op]], dest,
                               jump_if_null, is_null_eq)
            return
    elif isinstance(expr, ast.Unary) and expr.op.upper() == "NOT":
        code_if_true(parse, expr.operand, dest, jump_if_null)
        return
    elif isinstance(expr, ast.IsNull):
        r = code_expr_temp(parse, expr.expr)
        parse.emit("IsNull" if expr.negated else "NotNull", r, dest)
        return
    elif isinstance(expr, ast.Between):
        code_if_false(parse, _between_as_and(parse, expr), dest, jump_if_null)
        return
    elif isinstance(expr, ast.In):
        if expr.negated:
            code_if_true(parse, _in_positive(expr), dest, jump_if_null)
            return
        if jump_if_null:
            code_in(parse, expr, dest, dest)
        else:
            dest_null = parse.label()
            code_in(parse, expr, dest, dest_null)
            parse.resolve(dest_null)
        return
    else:
        if isinstance(expr, ast.Literal):
            truth = _literal_truth(expr)
            if truth is False or (truth is None and jump_if_null):
                parse.emit("Goto", 0, dest)
            return
    r = code_expr_temp(parse, expr)
    parse.emit("IfNot", r, dest, 1 if jump_if_null else 0)


def _in_positive(expr: ast.In) -> ast.In:
    return ast.In(expr.expr, expr.values, expr.select, expr.table, expr.table_args, False)


def _code_compare_jump(parse: Parse, expr: ast.Binary, opname: str, dest: int,
                       jump_if_null: bool, null_eq: bool) -> None:
    r1 = code_expr_temp(parse, expr.left)
    r2 = code_expr_temp(parse, expr.right)
    aff = compare_affinity(expr.left, expr.right)
    coll = compare_collation(parse, expr.left, expr.right)
    p5 = ord(aff)
    if null_eq:
        p5 |= SQLITE_NULLEQ
    elif jump_if_null:
        p5 |= SQLITE_JUMPIFNULL
    parse.emit(opname, r2, dest, r1, _coll_p4(coll), p5)
