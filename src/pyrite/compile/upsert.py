"""Compiler layer: UPSERT (``INSERT ... ON CONFLICT ... DO NOTHING | DO UPDATE``).

SQLite's counterpart is ``upsert.c`` (sqlite3UpsertAnalyzeTarget,
sqlite3UpsertOfIndex, sqlite3UpsertNextIsIPK, sqlite3UpsertDoUpdate) and the
upsert parts of sqlite3GenerateConstraintChecks in ``insert.c``.

* Each conflict target must name the rowid (INTEGER PRIMARY KEY) or match a
  UNIQUE index: same number of columns, every index column among the target
  terms (a COLLATE in the target must name the index's collation), and for a
  partial index the same WHERE; otherwise "[Nth ]ON CONFLICT clause does not
  match any PRIMARY KEY or UNIQUE constraint".  A clause whose constraint an
  earlier clause already names never fires.
* The constraint a clause names is checked before the others, in the order
  of the clauses (the rowid at its clause's place, or after the named
  indexes); a conflict there runs the first clause naming it, or the final
  clause without a target, instead of the statement's conflict resolution.
* DO NOTHING skips the row (as IGNORE).  DO UPDATE updates the conflicting
  row as a one-row UPDATE with ABORT for its own constraint checks (SET and
  WHERE see the row's columns, and ``excluded.*``: the row that was to be
  inserted, held in registers), then skips the insert.  It counts as a
  change, does not set last_insert_rowid, and its row is what RETURNING
  reports.
"""

from __future__ import annotations
from pyrite.values import fold_name

from dataclasses import dataclass
from typing import Any

from pyrite import values
from pyrite.compile.context import NameContext, SrcItem, SrcList
from pyrite.schema import schema as sch
from pyrite.sql import ast

OE_UPDATE = 6       # SQLite's OE_Update: run the DO UPDATE of an upsert


@dataclass(eq=False)
class Clause:
    """One ON CONFLICT clause (SQLite's ``Upsert``)."""

    node: ast.Upsert
    targeted: bool
    index: Any = None            # the UNIQUE index named, None for the rowid
    is_dup: bool = False

    @property
    def action(self) -> int:
        return OE_UPDATE if self.node.action == "UPDATE" else sch.OE_IGNORE


def _ordinal(n: int) -> str:
    from pyrite.compile.resolve import _ordinal as ordinal
    return ordinal(n)


def _strip(expr: Any) -> tuple[Any, str | None]:
    """A target term without its COLLATE, and that collation."""
    coll = None
    while isinstance(expr, ast.Collate):
        coll = expr.collation
        expr = expr.expr
    return expr, coll


def _normalize(node: Any) -> Any:
    """An expression tree compared case-insensitively, without table
    qualifiers (partial-index WHERE against the target's WHERE)."""
    import dataclasses
    if isinstance(node, ast.Column):
        return ("col", fold_name(node.name))
    if isinstance(node, tuple):
        return tuple(_normalize(x) for x in node)
    if isinstance(node, ast.Node):
        return (type(node).__name__,) + tuple(
            _normalize(getattr(node, f.name)) for f in dataclasses.fields(node)
            if f.name not in ("text",))
    if isinstance(node, str):
        return fold_name(node)
    return node


class Upsert:
    """The ON CONFLICT clauses of one INSERT."""

    def __init__(self, parse: Any, table: Any, stmt: ast.Insert) -> None:
        self.parse = parse
        self.table = table
        self.alias = stmt.alias
        self.clauses = [Clause(u, u.target is not None) for u in stmt.upsert]
        self._analyze()
        # Set by code_insert before the constraint checks are coded.
        self.data_cursor = -1
        self.idx_cursors: list[int] = []
        self.reg_new = 0
        self.returning: Any = None

    # -- conflict targets (sqlite3UpsertAnalyzeTarget) -----------------------

    def _analyze(self) -> None:
        from pyrite.compile.build import resolve_on_table
        from pyrite.compile.resolve import ColumnRef
        parse, table = self.parse, self.table
        cursor = parse.alloc_cursor()
        n_clauses = len(self.clauses)
        for k, clause in enumerate(self.clauses):
            if not clause.targeted:
                break
            node = clause.node
            terms: list[tuple[int, str | None]] = []
            for ic in node.target or ():
                if ic.nulls is not None:
                    parse.error(f"unsupported use of NULLS {ic.nulls}")
                expr = ic.expr
                coll = ic.collation
                inner, c2 = _strip(expr)
                coll = coll or c2
                resolved = resolve_on_table(parse, table, cursor, inner, self.alias)
                column = resolved.column if isinstance(resolved, ColumnRef) else -2
                terms.append((column, coll))
            if node.target_where is not None:
                resolve_on_table(parse, table, cursor, node.target_where, self.alias)
            if len(terms) == 1 and terms[0][0] == -1:
                clause.index = None      # the rowid
                continue
            found = None
            for idx in table.indexes:
                if not idx.unique or idx.n_key_col != len(terms):
                    continue
                if idx.where is not None:
                    if node.target_where is None or \
                            _normalize(node.target_where) != _normalize(idx.where):
                        continue
                ok = True
                for i in range(idx.n_key_col):
                    col = idx.columns[i]
                    icoll = (idx.collations[i] or "BINARY") if idx.collations else "BINARY"
                    if not any(c == col and (tc is None or fold_name(tc) == fold_name(icoll))
                               for c, tc in terms):
                        ok = False
                        break
                if ok:
                    found = idx
                    break
            if found is None:
                which = "" if k == 0 and n_clauses == 1 else f"{_ordinal(k + 1)} "
                parse.error(f"{which}ON CONFLICT clause does not match any "
                            "PRIMARY KEY or UNIQUE constraint")
            clause.index = found
            if self.clause_for(found) is not clause:
                clause.is_dup = True

    def clause_for(self, index: Any) -> Clause | None:
        """The clause that handles a conflict on ``index`` (None: the rowid):
        the first naming it, else a final clause without target
        (sqlite3UpsertOfIndex)."""
        for clause in self.clauses:
            if not clause.targeted or clause.index is index:
                return clause
        return None

    # -- DO UPDATE (sqlite3UpsertDoUpdate) ------------------------------------

    def code_do_update(self, clause: Clause, reg_rowid: int, seek: bool) -> None:
        """Update the conflicting row whose rowid is in ``reg_rowid`` (an
        index conflict: ``seek`` moves the data cursor onto it first)."""
        from pyrite.compile.expr import code_if_false
        from pyrite.compile.resolve import resolve_expr
        from pyrite.compile.update import code_update_row, make_value_coder, resolve_assignments
        parse, table = self.parse, self.table
        data_cursor = self.data_cursor
        done = parse.label()
        reg_old = parse.alloc_reg()
        parse.emit("SCopy", reg_rowid, reg_old)
        if seek:
            from pyrite.compile.rowkey import code_seek_row
            code_seek_row(parse, table, data_cursor, done, reg_old)
        for i, col in enumerate(table.columns):
            if col.affinity == values.AFF_REAL and i != table.rowid_alias:
                parse.emit("RealAffinity", self.reg_new + 1 + i)
        excluded = SrcItem(name="excluded", alias=None, table=table,
                           cursor=parse.alloc_cursor())
        target = SrcItem(name=table.name, alias=self.alias, table=table, cursor=data_cursor)
        # Unqualified names are the target's; "excluded." reaches the new row.
        nc = NameContext(SrcList([target]), outer=NameContext(SrcList([excluded])))
        parse.register_cursors[excluded.cursor] = self.reg_new
        saved_nc = parse.current_nc
        try:
            assign = resolve_assignments(parse, table, clause.node.sets)
            if clause.node.where is not None:
                parse.current_nc = nc
                code_if_false(parse, resolve_expr(parse, clause.node.where, nc), done, True)
                parse.current_nc = saved_nc
            code_value = make_value_coder(parse, assign,
                                          lambda e: resolve_expr(parse, e, nc), nc)
            from pyrite.compile.trigger import begin_triggers
            names = {fold_name(name) for sc in clause.node.sets for name in sc.columns}
            triggers = begin_triggers(parse, table, "UPDATE", names)
            code_update_row(parse, table, data_cursor, self.idx_cursors, reg_old, assign,
                            code_value, sch.OE_ABORT, done, self.returning,
                            triggers=triggers)
        finally:
            parse.current_nc = saved_nc
            del parse.register_cursors[excluded.cursor]
        parse.resolve(done)


def begin_upsert(parse: Any, table: Any, stmt: ast.Insert) -> Upsert | None:
    """The INSERT's Upsert, or None without ON CONFLICT clauses."""
    if not stmt.upsert:
        return None
    return Upsert(parse, table, stmt)


def check_order(table: Any, rowid_changed: bool, on_error: int,
                upsert: Upsert | None) -> list[int]:
    """The order of the uniqueness checks: -1 for the rowid, else the
    position of an index in ``table.indexes``."""
    n = len(table.indexes)
    from pyrite.compile.insert import sqlite_index_order
    natural = sqlite_index_order(table.indexes)
    order: list[int] = []
    rowid_placed = not rowid_changed
    if upsert is not None and upsert.clauses and upsert.clauses[0].targeted:
        positions = {id(idx): i for i, idx in enumerate(table.indexes)}
        first_is_rowid = upsert.clause_for(None) is upsert.clauses[0]
        if first_is_rowid and not rowid_placed:
            order.append(-1)
            rowid_placed = True
        for clause in upsert.clauses:
            if not clause.targeted:
                break
            if clause.index is None:
                if not rowid_placed:
                    order.append(-1)
                    rowid_placed = True
                continue
            if clause.is_dup:
                continue
            pos = positions[id(clause.index)]
            if pos not in order:
                order.append(pos)
        if not rowid_placed:
            order.append(-1)
            rowid_placed = True
        order += [i for i in natural if i not in order]
    else:
        if not rowid_placed:
            order.append(-1)
        order += natural
    # A REPLACE declared on the rowid that the statement does not impose on
    # every constraint is checked after the indexes.
    if rowid_changed and n and -1 in order:
        oe = on_error if on_error != sch.OE_DEFAULT else (
            table.pk_conflict if table.pk_conflict not in (sch.OE_NONE, sch.OE_DEFAULT)
            else sch.OE_ABORT)
        clause = upsert.clause_for(None) if upsert is not None else None
        if clause is None and oe == sch.OE_REPLACE and on_error != sch.OE_REPLACE:
            order.remove(-1)
            order.append(-1)
    return order
