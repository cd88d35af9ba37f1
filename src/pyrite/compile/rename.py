"""Compiler layer: name resolution of views and triggers for ALTER TABLE.

SQLite's counterpart is the rename machinery of ``alter.c``
(renameResolveTrigger, renameTableTest, renameColumnExprCb and the
parser's rename token map).  ALTER TABLE must edit exactly the tokens of a
view or trigger that refer to the renamed table or column, and must refuse
the change when an object no longer resolves.  This module re-parses a
stored CREATE VIEW / CREATE TRIGGER text with the parser's identifier spans
(``parse_with_spans``), resolves every name in SQLite's scoping order
(innermost FROM clause first, then enclosing queries, then a trigger's
NEW/OLD rows) against a *catalog* -- a description of the schema, possibly
as it will be after the change -- and reports:

* the tokens naming table ``old`` (RENAME TO) or column ``table.old``
  (RENAME COLUMN);
* the first name that does not resolve, as a :class:`RenameError` with
  SQLite's message (``no such column: t.b``, ``no such table: main.x``).
"""

from __future__ import annotations
from pyrite.values import fold_name

from dataclasses import dataclass, field
from typing import Any

from pyrite.sql import ast
from pyrite.sql.lexer import Token
from pyrite.sql.parser import parse_with_spans

_ROWID_NAMES = ("rowid", "oid", "_rowid_")


class RenameError(Exception):
    """A name of a view or trigger that does not resolve (SQLite's message)."""


@dataclass
class CatalogEntry:
    """One table or view as the resolver sees it."""

    name: str
    columns: list[str] | None = None       # a table's columns
    has_rowid: bool = True
    view: ast.CreateView | None = None     # a view's definition
    opaque: bool = False                   # a virtual table: columns unknown here
    ipk: str | None = None                 # the INTEGER PRIMARY KEY column
    db: str = "main"                       # the database it is in


def _ident(db: str, name: str) -> str:
    """A table's identity across databases (what ``_Source.real`` holds)."""
    return f"{fold_name(db)}\x1f{fold_name(name)}"


@dataclass
class Target:
    """What to look for: table ``table`` itself (column None) or its column."""

    table: str
    column: str | None = None
    db: str = "main"


@dataclass
class _Source:
    """One FROM-clause item (or NEW/OLD) visible to a name."""

    match: str                 # the name a qualifier must spell (alias or table)
    columns: list[str]
    real: str | None = None    # catalog object (_ident), None for subqueries and CTEs
    aliased: bool = False
    has_rowid: bool = False
    opaque: bool = False       # a table-valued function: columns unknown
    qualified_only: bool = False  # NEW/OLD: only ``new.x`` reaches them
    ipk: str | None = None     # rowid / oid / _rowid_ name this column
    # columns merged into an earlier item by USING / NATURAL: a bare name
    # resolves to the left-hand one
    merged: set[str] = field(default_factory=set)
    db: str = "main"           # the database of a catalog object


@dataclass
class _Scope:
    sources: list[_Source]
    parent: "_Scope | None" = None
    aliases: dict[str, Any] = field(default_factory=dict)
    star_names: set[str] = field(default_factory=set)
    ctes: dict[str, ast.CommonTableExpr] = field(default_factory=dict)


class Resolver:
    """Resolves one schema object, collecting the tokens that name ``target``."""

    def __init__(self, catalog: dict[str, CatalogEntry], target: Target | None,
                 dbs: dict[str, dict[str, CatalogEntry]] | None = None,
                 home_db: str = "main", search: tuple[str, ...] = ()) -> None:
        # ``catalog`` describes the database the object lives in (``home_db``);
        # ``dbs`` every database by lower-case name, for names qualified by
        # another database; ``search`` the order a TEMP object looks up an
        # unqualified table in (temp, main, attached), while any other
        # object sees its own database only.
        self.catalog = catalog
        self.target = target
        self.dbs = dbs
        self.home_db = home_db
        self.search = search
        self.spans: dict[int, tuple[object, tuple[Token, ...]]] = {}
        self.found: dict[int, Token] = {}
        # double-quoted names that resolved to no column: string literals
        self.strings: dict[int, Token] = {}
        self._cte_names: dict[int, list[str]] = {}
        self._view_stack: list[str] = []
        self._view_columns: dict[str, list[str]] = {}

    # -- entry points ------------------------------------------------------

    def resolve_sql(self, sql: str) -> ast.Statement:
        stmt, self.spans = parse_with_spans(sql)
        if isinstance(stmt, ast.CreateView):
            self.select(stmt.select, None, {})
        elif isinstance(stmt, ast.CreateTrigger):
            self.trigger(stmt)
        return stmt

    def tokens(self) -> list[Token]:
        return list(self.found.values())

    def string_tokens(self) -> list[Token]:
        """Double-quoted names used as strings (sqlite_rename_quotefix turns
        them into single-quoted literals)."""
        return [t for k, t in self.strings.items() if k not in self.found]

    # -- helpers -----------------------------------------------------------

    def _toks(self, node: object) -> tuple[Token, ...]:
        entry = self.spans.get(id(node))
        if entry is None or entry[0] is not node:
            return ()
        return entry[1]

    def _hit(self, tok: Token | None) -> None:
        if tok is not None:
            self.found[tok.start] = tok

    def _is_target_table(self, real: str | None) -> bool:
        return real is not None and self.target is not None \
            and real == _ident(self.target.db, self.target.table)

    def _is_target_column(self, real: str | None, column: str) -> bool:
        return self._is_target_table(real) and self.target is not None \
            and self.target.column is not None \
            and fold_name(column) == fold_name(self.target.column)

    def _catalog_of_db(self, schema: str) -> dict[str, CatalogEntry] | None:
        low = fold_name(schema)
        if low == fold_name(self.home_db):
            return self.catalog
        if self.dbs is not None:
            return self.dbs.get(low)
        return None

    def knows_db(self, schema: str | None) -> bool:
        return schema is None or self._catalog_of_db(schema) is not None

    def lookup(self, name: str, schema: str | None = None) -> CatalogEntry:
        if schema is not None:
            cat = self._catalog_of_db(schema)
            entry = cat.get(fold_name(name)) if cat is not None else None
            if entry is None:
                raise RenameError(f"no such table: {schema}.{name}")
            return entry
        if self.search:
            for db in self.search:
                cat = self._catalog_of_db(db)
                if cat is not None and fold_name(name) in cat:
                    return cat[fold_name(name)]
            raise RenameError(f"no such table: {name}")
        entry = self.catalog.get(fold_name(name))
        if entry is None:
            raise RenameError(f"no such table: {self.home_db}.{name}")
        return entry

    def entry_columns(self, entry: CatalogEntry) -> list[str]:
        """A table's columns, or a view's result names (resolving the view)."""
        if entry.view is None:
            return entry.columns or []
        key = _ident(entry.db, entry.name)
        if key in self._view_columns:
            return self._view_columns[key]
        if key in self._view_stack:
            raise RenameError(f"view {entry.name} is circularly defined")
        self._view_stack.append(key)
        try:
            # a view resolves in its own database (TEMP views see them all)
            home = self._catalog_of_db(entry.db) or self.catalog
            sub = Resolver(home, None, self.dbs, entry.db,
                           self.search if fold_name(entry.db) == "temp" else ())
            sub._view_stack = self._view_stack
            sub._view_columns = self._view_columns
            names = sub.select(entry.view.select, None, {})
        finally:
            self._view_stack.pop()
        if entry.view.columns:
            names = list(entry.view.columns)
        self._view_columns[key] = names
        return names

    # -- SELECT ------------------------------------------------------------

    def select(self, sel: ast.Select, parent: _Scope | None,
               ctes: dict[str, ast.CommonTableExpr]) -> list[str]:
        """Resolve a SELECT; returns its result column names."""
        ctes = dict(ctes)
        if sel.with_ is not None:
            for cte in sel.with_.ctes:
                if sel.with_.recursive and cte.columns is None:
                    # The recursive reference has the columns of the first SELECT.
                    self._cte_names[id(cte)] = self.core(cte.select.core, parent, ctes)[0]
                if sel.with_.recursive:
                    ctes[fold_name(cte.name)] = cte
                self._cte_names[id(cte)] = self.select(cte.select, parent, ctes)
                ctes[fold_name(cte.name)] = cte
        # SQLite resolves a compound's members from the last to the first.
        others = [self.core(core, parent, ctes)[1] for _op, core in reversed(sel.compounds)]
        names, scope = self.core(sel.core, parent, ctes)
        for other in others:
            if scope is not None and other is not None:
                # A compound's ORDER BY may name an alias of any of its SELECTs.
                for alias, e in other.aliases.items():
                    scope.aliases.setdefault(alias, e)
        for term in sel.order_by:
            self.order_term(term.expr, scope)
        for e in (sel.limit, sel.offset):
            if e is not None:
                self.expr(e, _Scope([], parent, ctes=ctes))
        return names

    def order_term(self, e: ast.Expr, scope: _Scope | None, group_by: bool = False) -> None:
        """An ORDER BY / GROUP BY term naming a result alias refers to that column."""
        if isinstance(e, ast.Column) and e.table is None and scope is not None \
                and fold_name(e.name) in scope.aliases:
            return
        if not group_by and isinstance(e, ast.Column) and e.table is None \
                and scope is not None and fold_name(e.name) in scope.star_names:
            # SQLite substitutes a copy of the "*"-expanded result column,
            # which carries no token to edit (the term is checked afterwards).
            self._resolve_only(e, scope)
            return
        self.expr(e, scope)

    def core(self, core: Any, parent: _Scope | None,
             ctes: dict[str, ast.CommonTableExpr]) -> tuple[list[str], _Scope | None]:
        if isinstance(core, ast.Values):
            scope = _Scope([], parent, ctes=ctes)
            for row in core.rows:
                for e in row:
                    self.expr(e, scope)
            n = len(core.rows[0]) if core.rows else 0
            return [f"column{i + 1}" for i in range(n)], None
        scope = _Scope([], parent, ctes=ctes)
        if core.from_ is not None:
            self.from_item(core.from_, scope)
        names: list[str] = []
        for rc in core.columns:
            if rc.star:
                expanded = self.star(rc, scope)
                names.extend(expanded)
                scope.star_names.update(fold_name(n) for n in expanded)
                continue
            self.expr(rc.expr, scope)
            if rc.alias:
                names.append(rc.alias)
                scope.aliases[fold_name(rc.alias)] = rc.expr
            elif isinstance(rc.expr, ast.Column):
                names.append(rc.expr.name)
            else:
                names.append(rc.text)
        for e in (core.where, core.having):
            if e is not None:
                self.expr(e, scope)
        for e in core.group_by:
            self.order_term(e, scope, group_by=True)
        for w in core.windows:
            self.walk(w.spec, scope)
        return names, scope

    def star(self, rc: ast.ResultColumn, scope: _Scope) -> list[str]:
        if rc.table is None:
            return [c for s in scope.sources for c in s.columns]
        low = fold_name(rc.table)
        for s in scope.sources:
            if fold_name(s.match) == low:
                if s.real is not None and not s.aliased:
                    self._table_token(self._toks(rc)[:1], s.real)
                return list(s.columns)
        raise RenameError(f"no such table: {rc.table}")

    def _resolve_only(self, e: ast.Expr, scope: _Scope) -> None:
        """Resolve ``e`` (errors count) without recording tokens to edit."""
        saved = dict(self.found)
        self.expr(e, scope)
        self.found = saved

    def _table_token(self, toks: tuple[Token, ...], real: str | None) -> None:
        """Record the last of ``toks`` when it names the renamed table."""
        if toks and self.target is not None and self.target.column is None \
                and self._is_target_table(real):
            self._hit(toks[-1])

    def from_item(self, item: ast.FromItem, scope: _Scope) -> None:
        if isinstance(item, ast.Join):
            self.from_item(item.left, scope)
            before = len(scope.sources)
            self.from_item(item.right, scope)
            for name in item.using or ():
                if not (self._any_has(scope.sources[:before], name)
                        and self._any_has(scope.sources[before:], name)):
                    raise RenameError(f"cannot join using column {name} - column "
                                      "not present in both tables")
            merged = {fold_name(n) for n in item.using or ()}
            if item.natural:
                left = {fold_name(c) for src in scope.sources[:before] for c in src.columns}
                merged = {fold_name(c) for src in scope.sources[before:] for c in src.columns
                          if fold_name(c) in left}
            if len(scope.sources) == before + 1:
                scope.sources[before].merged |= merged
            if item.on is not None:
                self.expr(item.on, scope)
            return
        if isinstance(item, ast.SubqueryRef) and item.nested_from \
                and isinstance(item.select.core, ast.SelectCore) \
                and item.select.core.from_ is not None:
            # A parenthesized join: its tables stay visible by their own
            # names (a plain name finds their columns too).
            inner = _Scope([], scope.parent, ctes=scope.ctes)
            self.from_item(item.select.core.from_, inner)
            scope.sources.extend(inner.sources)
            if item.alias is not None:
                names = [c for s in inner.sources for c in s.columns]
                scope.sources.append(_Source(item.alias, names, qualified_only=True))
            return
        if isinstance(item, ast.SubqueryRef):
            names = self.select(item.select, scope.parent, scope.ctes)
            scope.sources.append(_Source(item.alias or "", names))
            return
        if isinstance(item, ast.TableFunctionRef):
            for a in item.args:
                self.expr(a, scope)
            scope.sources.append(_Source(item.alias or item.name, [], opaque=True))
            return
        scope.sources.append(self.table_source(item, scope.ctes))

    def table_source(self, ref: ast.TableRef, ctes: dict[str, ast.CommonTableExpr]) -> _Source:
        if ref.schema is None and fold_name(ref.name) in ctes:
            cte = ctes[fold_name(ref.name)]
            names = list(cte.columns) if cte.columns else self._cte_names.get(id(cte), [])
            return _Source(ref.alias or ref.name, names)
        if not self.knows_db(ref.schema):
            # Another database (TEMP, attached): not described by the catalog.
            return _Source(ref.alias or ref.name, [], opaque=True)
        entry = self.lookup(ref.name, ref.schema)
        self._table_token(self._toks(ref), _ident(entry.db, entry.name))
        return _Source(ref.alias or ref.name, self.entry_columns(entry),
                       _ident(entry.db, entry.name),
                       aliased=ref.alias is not None, opaque=entry.opaque,
                       has_rowid=entry.view is None and entry.has_rowid, ipk=entry.ipk,
                       db=entry.db)

    # -- expressions -------------------------------------------------------

    def expr(self, e: Any, scope: _Scope | None) -> None:
        self.walk(e, scope)

    def walk(self, node: Any, scope: _Scope | None) -> None:
        stack = [node]
        while stack:
            n = stack.pop()
            if isinstance(n, tuple):
                stack.extend(reversed(n))
                continue
            if not isinstance(n, ast.Node):
                continue
            if isinstance(n, ast.Column):
                self.column(n, scope)
                continue
            if isinstance(n, (ast.Subquery, ast.Exists)):
                self.select(n.select, scope, scope.ctes if scope else {})
                continue
            if isinstance(n, ast.In) and n.table is not None and n.table_args is None \
                    and fold_name(n.table.name) not in (scope.ctes if scope else {}):
                self.lookup(n.table.name)   # "x IN tbl" is never renamed, as in SQLite
            if isinstance(n, ast.In) and n.select is not None:
                self.select(n.select, scope, scope.ctes if scope else {})
                stack.append(n.expr)
                continue
            for name in reversed(n.__slots__):
                child = getattr(n, name, None)
                if isinstance(child, (ast.Node, tuple)):
                    stack.append(child)

    def column(self, col: ast.Column, scope: _Scope | None) -> None:
        toks = self._toks(col)
        if col.table is None:
            self._bare_column(col, toks, scope)
            return
        want = fold_name(col.table)
        s = scope
        while s is not None:
            for src in s.sources:
                if fold_name(src.match) != want:
                    continue
                if col.schema is not None and (src.real is None or src.aliased
                                               or fold_name(col.schema) != fold_name(src.db)):
                    continue
                if self._has_column(src, col.name):
                    if not src.aliased and src.real is not None:
                        self._table_token(toks[:-1], src.real)
                    if self._is_target_column(src.real, self._column_named(src, col.name)) \
                            and toks:
                        self._hit(toks[-1])
                    return
            s = s.parent
        parts = [p for p in (col.schema, col.table, col.name) if p is not None]
        raise RenameError("no such column: " + ".".join(parts))

    @staticmethod
    def _column_named(src: _Source, name: str) -> str:
        """The column a name refers to: rowid/oid/_rowid_ (when no real column
        has that name) mean the INTEGER PRIMARY KEY, which SQLite 3.40 then
        edits as a reference to that column."""
        low = fold_name(name)
        if low in _ROWID_NAMES and src.ipk is not None \
                and not any(fold_name(c) == low for c in src.columns):
            return src.ipk
        return name

    @staticmethod
    def _any_has(sources: list[_Source], name: str) -> bool:
        low = fold_name(name)
        return any(src.opaque or any(fold_name(c) == low for c in src.columns) for src in sources)

    def _has_column(self, src: _Source, name: str) -> bool:
        low = fold_name(name)
        if src.opaque or any(fold_name(c) == low for c in src.columns):
            return True
        return src.has_rowid and low in _ROWID_NAMES

    def _bare_column(self, col: ast.Column, toks: tuple[Token, ...],
                     scope: _Scope | None) -> None:
        low = fold_name(col.name)
        s = scope
        while s is not None:
            matches = [src for src in s.sources
                       if not src.qualified_only and not src.opaque and low not in src.merged
                       and any(fold_name(c) == low for c in src.columns)]
            if len(matches) > 1:
                raise RenameError(f"ambiguous column name: {col.name}")
            if matches:
                if self._is_target_column(matches[0].real, col.name) and toks:
                    self._hit(toks[-1])
                return
            if low in s.aliases or any(src.opaque for src in s.sources):
                return
            rowid = [src for src in s.sources if src.has_rowid and not src.qualified_only]
            if low in _ROWID_NAMES and rowid:
                if self._is_target_column(rowid[0].real, self._column_named(rowid[0], col.name)) \
                        and toks:
                    self._hit(toks[-1])
                return
            s = s.parent
        if col.quoted:
            if toks:    # a double-quoted string literal
                self.strings[toks[-1].start] = toks[-1]
            return
        raise RenameError(f"no such column: {col.name}")

    # -- triggers ----------------------------------------------------------

    def trigger(self, trig: ast.CreateTrigger) -> None:
        entry = self.lookup(trig.table, trig.table_schema)
        real = _ident(entry.db, entry.name)
        self._table_token(self._toks(trig), real)
        cols = self.entry_columns(entry)
        has_rowid = entry.view is None and entry.has_rowid
        if trig.update_columns is not None and self.target is not None \
                and self.target.column is not None:
            for name, tok in zip(trig.update_columns, self._toks(trig.update_columns)):
                if self._is_target_column(real, name):
                    self._hit(tok)
        # NEW/OLD are not FROM items: a bare name does not resolve to them.
        pseudo = {"INSERT": ("new",), "DELETE": ("old",)}.get(trig.event, ("new", "old"))
        rows = _Scope([_Source(p, cols, real, aliased=True, has_rowid=has_rowid,
                               qualified_only=True, ipk=entry.ipk, db=entry.db)
                       for p in pseudo])
        if trig.when is not None:
            self.expr(trig.when, _Scope([], rows))
        for step in trig.body:
            self.step(step, rows)

    def step(self, step: ast.Statement, rows: _Scope) -> None:
        if isinstance(step, ast.SelectStatement):
            self.select(step.select, rows, {})
        elif isinstance(step, ast.Insert):
            entry = self.lookup(step.table.name)
            real = _ident(entry.db, entry.name)
            self._table_token(self._toks(step.table), real)
            if step.columns is not None:
                self._name_list(real, step.columns, self._toks(step.columns))
            if step.select is not None:
                self.select(step.select, rows, {})
            cols = self.entry_columns(entry)
            target = _Scope([_Source(step.table.name, cols, real,
                                     has_rowid=entry.view is None and entry.has_rowid,
                                     db=entry.db),
                             # SQLite 3.40 edits "excluded.col" as a reference
                             # to the target table.
                             _Source("excluded", cols, real, qualified_only=True,
                                     db=entry.db)],
                            rows)
            for up in step.upsert:
                for ic in up.target or ():
                    self.expr(ic.expr, target)
                for e in (up.target_where, up.where):
                    if e is not None:
                        self.expr(e, target)
                self._sets(real, up.sets, target)
        elif isinstance(step, (ast.Update, ast.Delete)):
            scope = _Scope([], rows)
            src = self.table_source(step.table, {})
            scope.sources.append(src)
            if isinstance(step, ast.Update) and step.from_ is not None:
                self.from_item(step.from_, scope)
            if isinstance(step, ast.Update):
                self._sets(src.real, step.sets, scope)
            for e in (step.where, step.limit, step.offset):
                if e is not None:
                    self.expr(e, scope)
            for term in step.order_by:
                self.expr(term.expr, scope)

    def _sets(self, table: str | None, sets: tuple[ast.SetClause, ...], scope: _Scope) -> None:
        for sc in sets:
            self._name_list(table, sc.columns, self._toks(sc))
            self.expr(sc.expr, scope)

    def _name_list(self, table: str | None, names: tuple[str, ...],
                   toks: tuple[Token, ...]) -> None:
        for name, tok in zip(names, toks):
            if self._is_target_column(table, name):
                self._hit(tok)


def catalog_of(schema: Any, db: str = "main") -> dict[str, CatalogEntry]:
    """The resolver's view of an in-memory schema (database ``db``)."""
    from pyrite.sql.parser import parse_one
    out: dict[str, CatalogEntry] = {}
    master = [c.name for c in schema.schema_table.columns]
    names = ("sqlite_temp_schema", "sqlite_temp_master") if fold_name(db) == "temp" \
        else ("sqlite_schema", "sqlite_master")
    for name in names:
        out[name] = CatalogEntry(name, master, db=db)
    for t in schema.tables.values():
        out[fold_name(t.name)] = CatalogEntry(
            t.name, [c.name for c in t.columns], not t.without_rowid,
            opaque=t.read_only and not t.columns,
            ipk=t.columns[t.rowid_alias].name if 0 <= t.rowid_alias < len(t.columns) else None,
            db=db)
    for v in schema.views.values():
        ps = parse_one(v.sql) if v.sql else None
        if ps is not None and isinstance(ps.statement, ast.CreateView):
            out[fold_name(v.name)] = CatalogEntry(v.name, view=ps.statement, db=db)
    return out


def view_entry(name: str, sql: str, db: str = "main") -> CatalogEntry | None:
    """A catalog entry for a view from its (possibly edited) text."""
    from pyrite.sql.parser import parse_one
    ps = parse_one(sql)
    if ps is None or not isinstance(ps.statement, ast.CreateView):
        return None
    return CatalogEntry(name, view=ps.statement, db=db)


def quoted_strings(sql: str, catalog: dict[str, CatalogEntry]) -> list[Token]:
    """The double-quoted names in a CREATE TABLE's CHECK and generated-column
    expressions, or a CREATE INDEX's expressions and WHERE, that name no
    column of the table and so are string literals (what SQLite's
    sqlite_rename_quotefix rewrites as single-quoted strings)."""
    try:
        stmt, spans = parse_with_spans(sql)
    except Exception:  # noqa: BLE001 - a text we cannot parse is left as is
        return []
    exprs: list[Any] = []
    if isinstance(stmt, ast.CreateTable):
        columns = [c.name for c in stmt.columns]
        for cdef in stmt.columns:
            exprs.extend(c.expr for c in cdef.constraints
                         if isinstance(c, (ast.CheckConstraint, ast.GeneratedConstraint)))
        exprs.extend(c.expr for c in stmt.constraints if isinstance(c, ast.CheckConstraint))
    elif isinstance(stmt, ast.CreateIndex):
        entry = catalog.get(fold_name(stmt.table))
        if entry is None or entry.columns is None:
            return []
        columns = entry.columns
        exprs.extend(ic.expr for ic in stmt.columns)
        exprs.append(stmt.where)
    else:
        return []
    known = {fold_name(c) for c in columns} | set(_ROWID_NAMES)
    out: list[Token] = []
    stack = [e for e in exprs if e is not None]
    while stack:
        node = stack.pop()
        if isinstance(node, tuple):
            stack.extend(node)
        elif isinstance(node, ast.Column):
            entry = spans.get(id(node))
            if node.quoted and node.table is None and fold_name(node.name) not in known \
                    and entry is not None and entry[0] is node:
                out.append(entry[1][-1])
        elif isinstance(node, ast.Node):
            stack.extend(getattr(node, f) for f in node.__slots__)
    return out
