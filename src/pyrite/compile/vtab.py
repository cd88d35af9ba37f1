"""Compiler layer: table-valued functions in FROM (SQLite's eponymous
virtual tables: ``vtab.c``'s planning side, ``where.c``'s
``whereLoopAddVirtual``/``sqlite3WhereTabFuncArgs`` and ``wherecode.c``'s
virtual-table loop, plus ``pragma.c``'s pragma virtual tables).

A FROM item ``f(a, b)`` (or a bare ``f``) names a module: json_each,
json_tree, generate_series or pragma_<name>.  Its arguments become
constraints ``hidden_column = argument`` on the module's hidden columns, in
order (for the right side of a LEFT JOIN they join its ON clause), so
``generate_series(1, 5)`` and ``generate_series WHERE start=1 AND
stop=5`` plan alike.  The planner offers the module every ``column <op>
expr`` constraint whose right side is computable before the loop; the
module's ``best_index`` picks the ones it uses (their values become the
VFilter arguments) and which of them need no re-check.  The loop is
``VOpen`` ... ``VFilter``/``VColumn``/``VNext``, as SQLite codes it.
"""

from __future__ import annotations
from pyrite.values import fold_name

from dataclasses import dataclass, field
from typing import Any

from pyrite import errors, values
from pyrite.compile.context import (
    EphemeralColumn,
    Parse,
    SrcItem,
    SrcList,
)
from pyrite.compile.resolve import ColumnRef
from pyrite.sql import ast
from pyrite.vdbe.functions.json_each import JsonEachModule
from pyrite.vdbe.functions.series import SeriesModule


@dataclass(eq=False)
class VirtualTable:
    """A table-valued function seen as a table by name resolution and the planner."""

    name: str
    columns: list[EphemeralColumn]
    module: Any
    args: tuple[ast.Expr, ...] = ()
    root: int = 0
    rowid_alias: int = -1
    has_rowid: bool = True
    indexes: list[Any] = field(default_factory=list)
    db_index: int = 0
    is_virtual: bool = True
    is_view: bool = False
    without_rowid: bool = False


# ---------------------------------------------------------------------------
# Modules
# ---------------------------------------------------------------------------

def find_module(parse: Parse, name: str) -> Any:
    """The module named ``name`` (case-insensitive), or None."""
    low = fold_name(name)
    if low == "json_each":
        return JsonEachModule(False)
    if low == "json_tree":
        return JsonEachModule(True)
    if low == "generate_series":
        return SeriesModule()
    if low.startswith("pragma_"):
        from pyrite.compile.pragma import pragma_module
        return pragma_module(parse, low[len("pragma_"):])
    return None


def table_function_item(parse: Parse, node: ast.FromItem) -> SrcItem | None:
    """The SrcItem of a table-valued function (``f(args)`` or a bare
    eponymous ``f``), or None when ``node`` names no module."""
    if isinstance(node, ast.TableFunctionRef):
        name, args, alias, schema = node.name, node.args, node.alias, node.schema
    elif isinstance(node, ast.TableRef):
        name, args, alias, schema = node.name, (), node.alias, node.schema
        if node.indexed_by is not None or node.not_indexed:
            return None
    else:
        return None
    if schema is not None and fold_name(schema) not in ("main",):
        return None
    module = find_module(parse, name)
    if module is None:
        if isinstance(node, ast.TableFunctionRef):
            parse.error(f"no such table: {name}")
        return None
    cols = [EphemeralColumn(name=c, hidden=hidden) for c, hidden in module.columns]
    n_hidden = sum(1 for _, h in module.columns if h)
    if len(args) > n_hidden:
        parse.error(f"too many arguments on {name}() - max {n_hidden}")
    table = VirtualTable(name=name, columns=cols, module=module, args=tuple(args))
    return SrcItem(name=name, alias=alias, table=table, cursor=parse.alloc_cursor(),
                   schema=schema)


def eponymous_table(parse: Any, name: str) -> VirtualTable | None:
    """The table a module presents under its own name (PRAGMA table_info
    of ``generate_series``), or None."""
    module = find_module(parse, name)
    if module is None:
        return None
    cols = [EphemeralColumn(name=c, hidden=hidden) for c, hidden in module.columns]
    return VirtualTable(name=name, columns=cols, module=module)


def add_function_args(src: SrcList) -> None:
    """Turn each table-valued function's arguments into ``hidden = arg``
    terms of its ON clause (sqlite3WhereTabFuncArgs)."""
    for item in src:
        table = item.table
        if not isinstance(table, VirtualTable) or not table.args:
            continue
        hidden = [i for i, c in enumerate(table.columns) if c.hidden]
        on = item.on
        for arg, col in zip(table.args, hidden, strict=False):
            ref = ColumnRef(cursor=item.cursor, column=col, item=item,
                            affinity=values.AFF_BLOB, name=table.columns[col].name)
            item.col_used |= 1 << min(col, 63)
            term = ast.Binary("=", ref, arg)
            on = term if on is None else ast.Binary("AND", on, term)
        item.on = on


def is_virtual(table: Any) -> bool:
    return isinstance(table, VirtualTable)


# ---------------------------------------------------------------------------
# Planning and code
# ---------------------------------------------------------------------------

@dataclass
class VtabPlan:
    idx_num: int
    idx_str: str | None
    args: list[Any]          # the _Constraint objects used, in argument order
    omit: list[bool]


def choose_plan(parse: Parse, level: Any, constraints: list[Any]) -> None:
    """xBestIndex: let the module pick among the usable constraints."""
    module = level.item.table.module
    offered = [(c.column, c.op) for c in constraints]
    try:
        idx_num, idx_str, used = module.best_index(offered)
    except errors.Error as exc:
        parse.error(str(exc))
        raise
    level.plan = "vtab"
    level.vtab = VtabPlan(idx_num, idx_str, [constraints[p] for p, _ in used],
                          [omit for _, omit in used])
    level.cost = 4.0


def open_cursor(parse: Parse, level: Any) -> None:
    parse.emit("VOpen", level.item.cursor, 0, 0, level.item.table.module)


def code_level(parse: Parse, level: Any) -> None:
    """The head of a virtual-table loop (sqlite3WhereCodeOneLoopStart's
    virtual-table case): plan number, argument count, arguments, VFilter."""
    code_filter(parse, level, level.addr_brk)
    plan: VtabPlan = level.vtab
    for j, c in enumerate(plan.args):
        if plan.omit[j]:
            c.term.coded = True
    level.addr_body = parse.current_addr()
    level.next_op = "VNext"
    level.next_cursor = level.item.cursor


def code_filter(parse: Parse, level: Any, empty: int) -> None:
    """Plan number, argument count, arguments and the VFilter that starts a
    scan of the level's virtual table (to ``empty`` when it has no rows);
    also the rescan of a RIGHT JOIN's final pass."""
    from pyrite.compile.expr import code_expr
    plan: VtabPlan = level.vtab
    n = len(plan.args)
    base = parse.alloc_reg(n + 2)
    for j, c in enumerate(plan.args):
        code_expr(parse, c.rhs, base + 2 + j)
    parse.emit("Integer", plan.idx_num, base)
    parse.emit("Integer", n, base + 1)
    parse.emit("VFilter", level.item.cursor, empty, base, plan.idx_str)


def explain_text(level: Any, name: str) -> str:
    plan: VtabPlan = level.vtab
    return f"SCAN {name} VIRTUAL TABLE INDEX {plan.idx_num}:{plan.idx_str or ''}"
