"""Compiler layer: common table expressions (the WITH clause).

SQLite spreads this over ``select.c`` (sqlite3WithPush, searchWith,
resolveFromTermToCte, generateWithRecursiveQuery, the CteUse bookkeeping of
sqlite3Select) and ``parse.y`` (sqlite3WithAdd).  Here it lives in one
module; select.py calls in at four points (a SELECT with a WITH clause, a
FROM-clause name that may be a CTE, a view body that must not see the
caller's CTEs, and the queue disposals of a recursive query) and the
statement dispatcher wraps ``WITH ... INSERT/UPDATE/DELETE``.

What it owns:

* WITH scopes: each WITH clause pushes a :class:`WithScope` on
  ``parse.with_scope`` for the statement or SELECT it prefixes; a name in
  FROM without a schema is looked up in the scopes from the innermost out
  before the schema (so a CTE shadows a table).  A CTE's body is compiled in
  the scope of its own WITH clause, not the scope of the reference.
* Non-recursive CTEs are FROM-clause subqueries: compiled as a co-routine
  when the reference is the outer loop, the CTE is referenced once and is
  not MATERIALIZED (SQLite's rules), otherwise materialized once into an
  ephemeral table by a subroutine (Gosub/Once/Return) that every reference
  calls, later references opening the same table with OpenDup.
* Recursive CTEs: the trailing UNION [ALL] terms whose FROM names the CTE
  are the recursive step; the terms before them the setup.  The setup rows
  go to a queue (an ephemeral table, or an index ordered by the CTE's
  ORDER BY and a sequence number), each row taken off the queue is output
  (OFFSET/LIMIT apply here) and fed, through a pseudo cursor, to the
  recursive terms, which append to the queue.  UNION keeps a second
  ephemeral index of the rows seen.
* SQLite's errors: duplicate WITH table name, circular reference, multiple
  references to recursive table, multiple recursive references, table X has
  N values for M columns, recursive aggregate queries not supported.
"""

from __future__ import annotations
from pyrite.values import fold_name

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from pyrite import values
from pyrite.compile.context import (
    SRT_COROUTINE,
    SRT_DISTFIFO,
    SRT_DISTQUEUE,
    SRT_EPHEM_TAB,
    SRT_FIFO,
    SRT_QUEUE,
    EphemeralColumn,
    EphemeralTable,
    Parse,
    SelectDest,
    SrcItem,
)
from pyrite.sql import ast


def _explain_push(parse: Parse, text: str) -> int | None:
    from pyrite.compile.select import _explain_push as push
    return push(parse, text)


def _explain_pop(parse: Parse, saved: int | None) -> None:
    from pyrite.compile.select import _explain_pop as pop
    pop(parse, saved)


@dataclass(eq=False)
class CteState:
    """One CTE of a WITH clause and what has been coded for it."""

    cte: ast.CommonTableExpr
    scope: WithScope
    n_use: int = 0                 # references to it in the statement text
    # While its body is being compiled: the error a reference raises
    # (SQLite's Cte.zCteErr), with {} for the name.
    err: str | None = None
    # The shared materialization (CteUse): cursor, subroutine and table.
    cursor: int = -1
    reg_return: int = 0
    addr_fill: int = 0
    table: EphemeralTable | None = None
    # While the recursive terms are compiled: the FROM items (by id) that
    # read the current row, its pseudo cursor and the CTE's table.
    rec_refs: frozenset[int] = frozenset()
    rec_cursor: int = -1
    rec_table: EphemeralTable | None = None

    @property
    def name(self) -> str:
        return self.cte.name


@dataclass(eq=False)
class WithScope:
    """The CTEs of one WITH clause; ``outer`` the enclosing clause's scope."""

    ctes: dict[str, CteState] = field(default_factory=dict)
    outer: WithScope | None = None


# ---------------------------------------------------------------------------
# Scopes
# ---------------------------------------------------------------------------

def push_with(parse: Parse, with_: ast.With, body: Any) -> WithScope:
    """Make the CTEs of ``with_`` visible (sqlite3WithPush) for ``body``."""
    scope = WithScope(outer=parse.with_scope)
    for cte in with_.ctes:
        key = fold_name(cte.name)
        if key in scope.ctes:
            parse.error(f"duplicate WITH table name: {cte.name}")
        scope.ctes[key] = CteState(cte, scope)
    counts: dict[str, int] = {}
    _count_refs(body, counts)
    for cte in with_.ctes:
        _count_refs(cte.select, counts, skip=fold_name(cte.name))
    for key, state in scope.ctes.items():
        state.n_use = counts.get(key, 0)
    parse.with_scope = scope
    return scope


def _count_refs(node: Any, counts: dict[str, int], skip: str | None = None) -> None:
    """Count the FROM-clause names in ``node`` (a CTE referenced twice is
    materialized, as SQLite's CteUse.nUse decides)."""
    if isinstance(node, (list, tuple)):
        for x in node:
            _count_refs(x, counts, skip)
        return
    if not isinstance(node, ast.Node):
        return
    if isinstance(node, ast.TableRef):
        if node.schema is None:
            key = fold_name(node.name)
            if key != skip:
                counts[key] = counts.get(key, 0) + 1
        return
    for f in dataclasses.fields(node):
        v = getattr(node, f.name)
        if isinstance(v, (ast.Node, list, tuple)):
            _count_refs(v, counts, skip)


def lookup(parse: Parse, name: str) -> CteState | None:
    """The CTE called ``name`` visible here (searchWith), or None."""
    key = fold_name(name)
    scope = parse.with_scope
    while scope is not None:
        state = scope.ctes.get(key)
        if state is not None:
            return state
        scope = scope.outer
    return None


@contextmanager
def view_scope(parse: Parse) -> Iterator[None]:
    """A view's body sees no CTE of the statement that uses the view."""
    saved = parse.with_scope
    parse.with_scope = None
    try:
        yield
    finally:
        parse.with_scope = saved


def compile_with_select(parse: Parse, select: ast.Select, compile_rest: Callable[[ast.Select], Any]
                        ) -> Any:
    """Compile ``WITH ... select``: push the scope, compile the select
    without its WITH clause, pop the scope."""
    saved = parse.with_scope
    push_with(parse, select.with_, dataclasses.replace(select, with_=None))
    try:
        return compile_rest(dataclasses.replace(select, with_=None))
    finally:
        parse.with_scope = saved


def code_with_statement(parse: Parse, stmt: Any, code: Callable[[Any], None]) -> None:
    """``WITH ... INSERT/UPDATE/DELETE``: the CTEs are visible to the whole
    statement (but never name its target table)."""
    saved = parse.with_scope
    body = dataclasses.replace(stmt, with_=None)
    push_with(parse, stmt.with_, body)
    try:
        code(body)
    finally:
        parse.with_scope = saved


# ---------------------------------------------------------------------------
# FROM-clause references
# ---------------------------------------------------------------------------

def coroutine_slot(from_: ast.FromItem | None) -> ast.FromItem | None:
    """The FROM item that may be read through a co-routine: the first one,
    when it is alone or followed by a LEFT or CROSS join (so that it is
    sure to be the outer loop), and no RIGHT or FULL join follows (whose
    final pass would need it again: SQLite's JT_LTORJ rule)."""
    if isinstance(from_, ast.TableRef):
        return from_
    node = from_
    parent = None
    while isinstance(node, ast.Join):
        if node.op.upper() in ("RIGHT", "FULL"):
            return None
        parent = node
        node = node.left
    if parent is not None and isinstance(node, ast.TableRef) \
            and parent.op.upper() in ("LEFT", "CROSS"):
        return node
    return None


def from_item(parse: Parse, node: ast.TableRef) -> SrcItem | None:
    """The SrcItem for a FROM-clause name that is a CTE, or None when the
    name is not a CTE (resolveFromTermToCte)."""
    if node.schema is not None or parse.with_scope is None:
        return None
    state = lookup(parse, node.name)
    if state is None:
        return None
    if id(node) in state.rec_refs:
        assert state.rec_table is not None
        return SrcItem(name=state.name, alias=node.alias, table=state.rec_table,
                       cursor=state.rec_cursor)
    if state.err is not None:
        parse.error(state.err.format(state.name))
    coroutine = getattr(parse, "coroutine_node", None) is node
    if state.table is not None:
        # Already materialized: run the subroutine (once) and share its table.
        parse.emit("Gosub", state.reg_return, state.addr_fill)
        cursor = parse.alloc_cursor()
        parse.emit("OpenDup", cursor, state.cursor)
        return SrcItem(name=state.name, alias=node.alias, table=state.table, cursor=cursor)
    if coroutine and state.n_use < 2 and state.cte.materialized is not True:
        return _coroutine_item(parse, state, node)
    return _materialize(parse, state, node)


def _coroutine_item(parse: Parse, state: CteState, node: ast.TableRef) -> SrcItem:
    """Code the CTE as a co-routine that yields one row at a time; where.py
    loops with InitCoroutine/Yield and reads columns from its registers."""
    n = len(analysis_columns(parse, state))
    reg_yield = parse.alloc_reg()
    result = parse.alloc_reg(n)
    init = parse.emit("InitCoroutine", reg_yield, 0, parse.current_addr() + 1)
    eqp = _explain_push(parse, f"CO-ROUTINE {state.name}")
    info = _compile_body(parse, state, SelectDest(SRT_COROUTINE, reg_yield, sdst=result,
                                                   n_sdst=n))
    _explain_pop(parse, eqp)
    parse.emit("EndCoroutine", reg_yield)
    parse.builder.change_p2(init, parse.current_addr())
    table = _cte_table(parse, state, info)
    cursor = parse.alloc_cursor()
    # Columns of the item are the co-routine's result registers.
    parse.register_cursors[cursor] = result - 1
    return SrcItem(name=state.name, alias=node.alias, table=table, cursor=cursor,
                   regreturn=reg_yield, addr_fill_sub=init + 1, via_coroutine=True,
                   correlated=info.correlated)


def _materialize(parse: Parse, state: CteState, node: ast.TableRef) -> SrcItem:
    """Materialize the CTE in a subroutine that later references call too
    (a correlated CTE is computed afresh at each call and not shared)."""
    from pyrite.compile.select import once_to_noop
    reg_return = parse.alloc_reg()
    skip = parse.emit("Goto", 0, 0)
    addr_fill = parse.current_addr()
    once = parse.emit("Once", 0, 0)
    cursor = parse.alloc_cursor()
    eqp = _explain_push(parse, f"MATERIALIZE {state.name}")
    open_addr = parse.emit("OpenEphemeral", cursor, 0)
    info = _compile_body(parse, state, SelectDest(SRT_EPHEM_TAB, cursor))
    _explain_pop(parse, eqp)
    parse.builder.change_p2(open_addr, info.n_columns)
    parse.builder.change_p2(once, parse.current_addr())
    parse.emit("Return", reg_return)
    parse.builder.change_p2(skip, parse.current_addr())
    parse.emit("Gosub", reg_return, addr_fill)
    table = _cte_table(parse, state, info)
    if info.correlated:
        once_to_noop(parse, once)
    else:
        state.table = table
        state.cursor = cursor
        state.reg_return = reg_return
        state.addr_fill = addr_fill
    return SrcItem(name=state.name, alias=node.alias, table=table, cursor=cursor,
                   correlated=info.correlated)


def _cte_table(parse: Parse, state: CteState, info: Any) -> EphemeralTable:
    from pyrite.compile.select import subquery_columns
    _check_arity(parse, state, info.n_columns)
    cols = subquery_columns(parse, info, state.cte.columns)
    return EphemeralTable(name=state.name, columns=cols)


def _check_arity(parse: Parse, state: CteState, n: int) -> None:
    cols = state.cte.columns
    if cols is not None and len(cols) != n:
        parse.error(f"table {state.name} has {n} values for {len(cols)} columns")


def analysis_item(parse: Parse, node: ast.TableRef) -> SrcItem | None:
    """For name analysis without code (select.py's _core_info): a SrcItem
    with the CTE's column names, or None when the name is not a CTE."""
    if node.schema is not None or parse.with_scope is None:
        return None
    state = lookup(parse, node.name)
    if state is None:
        return None
    if id(node) in state.rec_refs and state.rec_table is not None:
        table = state.rec_table
    elif state.table is not None:
        table = state.table
    else:
        if state.err is not None:
            parse.error(state.err.format(state.name))
        table = EphemeralTable(state.name, [EphemeralColumn(c)
                                            for c in analysis_columns(parse, state)])
    return SrcItem(name=state.name, alias=node.alias, table=table, cursor=-2)


def cte_width(parse: Parse, node: ast.TableRef) -> int | None:
    """The number of columns of the CTE ``node`` names, None if not a CTE."""
    state = lookup(parse, node.name) if node.schema is None else None
    if state is None:
        return None
    if state.err is not None and id(node) not in state.rec_refs:
        parse.error(state.err.format(state.name))
    return len(analysis_columns(parse, state))


def analysis_columns(parse: Parse, state: CteState) -> list[str]:
    """The column names of a CTE, found by resolving its leftmost SELECT."""
    from pyrite.compile.select import _core_info
    saved_scope, saved_nc = parse.with_scope, parse.current_nc
    saved_err = state.err
    parse.with_scope = state.scope
    state.err = "circular reference: {}"
    try:
        sel = state.cte.select
        if sel.with_ is not None:
            push_with(parse, sel.with_, dataclasses.replace(sel, with_=None))
        info = _core_info(parse, sel.core, saved_nc)
    finally:
        parse.with_scope, parse.current_nc = saved_scope, saved_nc
        state.err = saved_err
    _check_arity(parse, state, info.n_columns)
    if state.cte.columns is not None:
        return list(state.cte.columns)
    return [it.name for it in info.columns]


# ---------------------------------------------------------------------------
# The body of a CTE
# ---------------------------------------------------------------------------

def _compile_body(parse: Parse, state: CteState, dest: SelectDest) -> Any:
    """Compile the CTE's SELECT into ``dest`` in the scope of its WITH."""
    from pyrite.compile.select import compile_select
    saved_scope, saved_nc = parse.with_scope, parse.current_nc
    parse.with_scope = state.scope
    state.err = "circular reference: {}"
    try:
        sel = state.cte.select
        if sel.with_ is not None:
            push_with(parse, sel.with_, dataclasses.replace(sel, with_=None))
            sel = dataclasses.replace(sel, with_=None)
        n_rec = _recursive_terms(parse, state, sel)
        if n_rec:
            return _compile_recursive(parse, state, sel, n_rec, dest, saved_nc)
        return compile_select(parse, sel, dest, outer=saved_nc)
    finally:
        parse.with_scope, parse.current_nc = saved_scope, saved_nc
        state.err = None
        state.rec_refs = frozenset()


def _from_leaves(core: Any) -> list[ast.FromItem]:
    out: list[ast.FromItem] = []

    def walk(node: Any) -> None:
        if isinstance(node, ast.Join):
            walk(node.left)
            walk(node.right)
        elif node is not None:
            out.append(node)
    if isinstance(core, ast.SelectCore):
        walk(core.from_)
    return out


def _recursive_terms(parse: Parse, state: CteState, sel: ast.Select) -> int:
    """How many trailing terms of ``sel`` are recursive: compound terms
    joined by the same UNION or UNION ALL as the last one whose FROM clause
    names the CTE.  Records those references in ``state.rec_refs``."""
    if not sel.compounds:
        return 0
    last_op = sel.compounds[-1][0]
    if last_op not in ("UNION", "UNION ALL"):
        return 0
    key = fold_name(state.name)
    refs: set[int] = set()
    n = 0
    for op, core in reversed(sel.compounds):
        if op != last_op:
            break
        found = [leaf for leaf in _from_leaves(core)
                 if isinstance(leaf, ast.TableRef) and leaf.schema is None
                 and fold_name(leaf.name) == key]
        if not found:
            break
        if len(found) > 1:
            parse.error(f"multiple references to recursive table: {state.name}")
        refs.add(id(found[0]))
        n += 1
    state.rec_refs = frozenset(refs)
    return n


def _compile_recursive(parse: Parse, state: CteState, sel: ast.Select, n_rec: int,
                       dest: SelectDest, outer: Any) -> Any:
    """generateWithRecursiveQuery: the setup rows go to a queue; each row
    taken off the queue is output and fed to the recursive terms."""
    from pyrite.compile.select import (
        SelectInfo,
        _compute_limit_registers,
        _dispose,
        compile_select,
        compound_order_columns,
    )
    first_rec = len(sel.compounds) - n_rec     # index in compounds
    setup = ast.Select(sel.core, sel.compounds[:first_rec])
    rec_cores = [core for _, core in sel.compounds[first_rec:]]
    union = sel.compounds[-1][0] == "UNION"
    rec_refs = state.rec_refs
    state.rec_refs = frozenset()

    brk = parse.label()
    lim = _compute_limit_registers(parse, sel.limit, sel.offset, brk)
    order = compound_order_columns(parse, sel, outer) if sel.order_by else []
    n = len(analysis_columns(parse, state)) if state.cte.columns is None \
        else len(state.cte.columns)
    current = parse.alloc_cursor()
    reg_current = parse.alloc_reg()
    parse.emit("OpenPseudo", current, reg_current, n)
    queue = parse.alloc_cursor()
    open_queue = -1
    if order:
        kind = SRT_DISTQUEUE if union else SRT_QUEUE
        open_queue = parse.emit("OpenEphemeral", queue, len(order) + 2, 0, None)
    else:
        kind = SRT_DISTFIFO if union else SRT_FIFO
        parse.emit("OpenEphemeral", queue, n)
    distinct = -1
    open_distinct = -1
    if union:
        distinct = parse.alloc_cursor()
        open_distinct = parse.emit("OpenEphemeral", distinct, 0, 0, None)
    dest_queue = SelectDest(kind, queue, parm2=distinct)
    dest_queue.order_by = [i for i, _, _, _ in order]

    # The setup query.
    eqp = _explain_push(parse, "SETUP")
    info: SelectInfo = compile_select(parse, setup, dest_queue, outer=outer)
    _explain_pop(parse, eqp)
    _check_arity(parse, state, info.n_columns)
    if info.n_columns != n:
        parse.error(f"SELECTs to the left and right of {sel.compounds[-1][0]} do not "
                    f"have the same number of result columns")
    table = _cte_table(parse, state, info)
    table.is_recursive = True
    # The recursive terms see the rows with no column affinity (SQLite
    # names the self-reference's columns but gives them no type).
    table.columns = [dataclasses.replace(c, affinity=values.AFF_BLOB, decl_type=None)
                     for c in table.columns]
    # Take the next row off the queue and output it.
    top = parse.emit("Rewind", queue, brk)
    parse.emit("NullRow", current)
    if order:
        parse.emit("Column", queue, len(order) + 1, reg_current)
    else:
        parse.emit("RowData", queue, reg_current)
    parse.emit("Delete", queue)
    cont = parse.label()
    if lim.offset:
        parse.emit("IfPos", lim.offset, cont, 1)
    if dest.dest == SRT_COROUTINE and dest.sdst:
        regs = dest.sdst
    else:
        regs = parse.alloc_reg(n)
    for i in range(n):
        parse.emit("Column", current, i, regs + i)
    _dispose(parse, dest, regs, n)
    if lim.limit:
        parse.emit("DecrJumpZero", lim.limit, brk)
    parse.resolve(cont)

    # The recursive terms read the row through the pseudo cursor.
    state.rec_refs = rec_refs
    state.rec_cursor = current
    state.rec_table = table
    state.err = "multiple recursive references: {}"
    rec_infos = []
    eqp = _explain_push(parse, "RECURSIVE STEP")
    for core in rec_cores:
        if _has_window_call(core):
            parse.error("cannot use window functions in recursive queries")
        if _window_clause_names(core, state.name):
            # SQLite resolves a WINDOW clause even when no call uses it
            parse.error(state.err.format(state.name))
        rinfo = compile_select(parse, ast.Select(core), dest_queue, outer=outer)
        rec_infos.append(rinfo)
        info.correlated = info.correlated or rinfo.correlated
        if rinfo.n_columns != n:
            parse.error(f"SELECTs to the left and right of {sel.compounds[-1][0]} do not "
                        f"have the same number of result columns")
        if _is_aggregate(parse, core):
            parse.error("recursive aggregate queries not supported")
    _explain_pop(parse, eqp)
    parse.emit("Goto", 0, top)
    parse.resolve(brk)
    state.rec_table = None

    # The collation of each column is the leftmost SELECT's that has one
    # (multiSelectCollSeq); the queue and the set of rows seen use it.
    colls = [_column_collation(parse, [info] + rec_infos, i) for i in range(n)]
    if order:
        desc = [d for _, _, d, _ in order]
        bignull = [(nl == "LAST" and not d) or (nl == "FIRST" and d)
                   for _, _, d, nl in order]
        parse.builder.change_p4(open_queue, values.KeyInfo(
            [parse.find_collation(c) if c else colls[i] for i, c, _, _ in order]
            + [None, None], desc + [False, False], len(order) + 1, bignull + [False, False]))
    if union:
        parse.builder.change_p4(open_distinct, values.KeyInfo(colls))
    return info


def _column_collation(parse: Parse, infos: list[Any], i: int) -> values.Collation:
    from pyrite.compile.expr import expr_collation
    for info in infos:
        coll = expr_collation(parse, info.columns[i].expr)
        if coll is not None:
            return coll
    return values.BINARY


def _has_window_call(core: Any) -> bool:
    """Whether a SELECT core calls a window function (outside subqueries)."""
    from pyrite.compile.resolve import walk
    if not isinstance(core, ast.SelectCore):
        return False
    found = False

    def visit(e: Any) -> None:
        nonlocal found
        if isinstance(e, ast.FunctionCall) and e.over is not None:
            found = True
    for rc in core.columns:
        walk(rc.expr, visit)
    walk(core.having, visit)
    return found


def _window_clause_names(core: Any, name: str) -> bool:
    """Whether a WINDOW clause definition of ``core`` reads table ``name``
    (in a subquery of its PARTITION BY or ORDER BY)."""
    if not isinstance(core, ast.SelectCore) or not core.windows:
        return False
    found = False
    stack: list[Any] = [w.spec for w in core.windows]
    while stack:
        node = stack.pop()
        if isinstance(node, (tuple, list)):
            stack.extend(node)
        elif isinstance(node, ast.TableRef):
            found |= node.schema is None and fold_name(node.name) == fold_name(name)
        elif isinstance(node, ast.Node):
            stack.extend(getattr(node, f.name) for f in dataclasses.fields(node))
    return found


def _is_aggregate(parse: Parse, core: Any) -> bool:
    """Whether a SELECT core is an aggregate query (SF_Aggregate)."""
    if not isinstance(core, ast.SelectCore):
        return False
    if core.group_by:
        return True
    found = False

    def visit(e: Any) -> None:
        nonlocal found
        if found or not isinstance(e, ast.Node):
            return
        if isinstance(e, (ast.Subquery, ast.Exists, ast.Select)):
            return
        if isinstance(e, ast.FunctionCall) and e.over is None:
            fd = parse.find_function(e.name, len(e.args))
            if fd is not None and fd.is_aggregate:
                found = True
                return
        for f in dataclasses.fields(e):
            v = getattr(e, f.name)
            if isinstance(v, ast.Node):
                visit(v)
            elif isinstance(v, tuple):
                for x in v:
                    visit(x)
    for rc in core.columns:
        visit(rc.expr)
    visit(core.having)
    return found


# ---------------------------------------------------------------------------
# Queue disposals (select.py's _dispose calls here)
# ---------------------------------------------------------------------------

def dispose_queue(parse: Parse, dest: SelectDest, reg: int, n: int) -> None:
    """SRT_DISTFIFO, SRT_QUEUE and SRT_DISTQUEUE: append a row to the queue
    of a recursive query; the DIST kinds first skip rows already seen
    (cursor ``dest.parm2``)."""
    kind = dest.dest
    skip = parse.label()
    rec = 0
    if kind in (SRT_DISTFIFO, SRT_DISTQUEUE):
        rec = parse.alloc_reg()
        parse.emit("Found", dest.parm2, skip, reg, n)
        parse.emit("MakeRecord", reg, n, rec)
        parse.emit("IdxInsert", dest.parm2, rec, reg, n)
    if kind == SRT_DISTFIFO:
        r2 = parse.get_temp_reg()
        parse.emit("NewRowid", dest.parm, r2)
        parse.emit("Insert", dest.parm, rec, r2, None, 0x08)
        parse.release_temp_reg(r2)
    else:
        keys = dest.order_by or []
        n_key = len(keys)
        base = parse.alloc_reg(n_key + 2)
        if not rec:
            rec = base + n_key + 1
            parse.emit("MakeRecord", reg, n, rec)
        for i, col in enumerate(keys):
            parse.emit("SCopy", reg + col, base + i)
        parse.emit("Sequence", dest.parm, base + n_key)
        if rec != base + n_key + 1:
            parse.emit("SCopy", rec, base + n_key + 1)
        r1 = parse.get_temp_reg()
        parse.emit("MakeRecord", base, n_key + 2, r1)
        parse.emit("IdxInsert", dest.parm, r1, base, n_key + 2)
        parse.release_temp_reg(r1)
    parse.resolve(skip)
