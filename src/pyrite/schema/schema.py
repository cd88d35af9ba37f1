"""Schema layer: the in-memory description of one database's schema.

SQLite's counterparts are the ``Schema``, ``Table``, ``Column`` and ``Index``
structures of ``sqliteInt.h`` and the parts of ``build.c`` that turn a
``CREATE TABLE``/``CREATE INDEX`` statement into them (sqlite3StartTable,
sqlite3AddColumn, sqlite3AddPrimaryKey, sqlite3CreateIndex,
convertToWithoutRowidTable) and of ``prepare.c`` that rebuild them from the
rows of ``sqlite_schema`` (sqlite3InitCallback).

Objects are built from parsed ASTs (``pyrite.sql.ast``); the code generator
(compile/build.py) builds the same objects before emitting the DDL program,
so what a CREATE statement means is decided in one place.
"""

from __future__ import annotations
from pyrite.values import fold_name

from dataclasses import dataclass, field
from typing import Callable, Iterable

from pyrite import errors, values
from pyrite.schema.hashorder import HashOrder
from pyrite.sql import ast
from pyrite.sql.lexer import tokenize

SCHEMA_TABLE_NAME = "sqlite_schema"
LEGACY_SCHEMA_TABLE_NAME = "sqlite_master"
SCHEMA_TABLE_SQL = ("CREATE TABLE sqlite_master(type text,name text,tbl_name text,"
                    "rootpage integer,sql text)")

# Index.columns entries that are not table columns.
XN_ROWID = -1   # the rowid
XN_EXPR = -2    # an expression (Index.exprs holds it)

# Conflict resolution algorithms (OE_* of sqliteInt.h).
OE_NONE = 0
OE_ROLLBACK = 1
OE_ABORT = 2
OE_FAIL = 3
OE_IGNORE = 4
OE_REPLACE = 5
OE_DEFAULT = 11

CONFLICT_CODES = {None: OE_DEFAULT, "ROLLBACK": OE_ROLLBACK, "ABORT": OE_ABORT,
                  "FAIL": OE_FAIL, "IGNORE": OE_IGNORE, "REPLACE": OE_REPLACE}

# Index.origin (SQLITE_IDXTYPE_*): how the index came to exist (PRAGMA index_list).
IDX_CREATED = "c"     # CREATE INDEX
IDX_UNIQUE = "u"      # UNIQUE constraint
IDX_PRIMARY_KEY = "pk"  # PRIMARY KEY constraint


def conflict_code(name: str | None) -> int:
    """OE_* code of an ON CONFLICT / OR clause word (None -> OE_DEFAULT)."""
    return CONFLICT_CODES[name.upper() if name else None]


@dataclass(eq=False)
class Column:
    """One table column (SQLite's ``Column``)."""

    name: str
    decl_type: str | None = None
    affinity: str = values.AFF_BLOB
    collation: str | None = None
    not_null: bool = False
    not_null_conflict: int = OE_NONE
    default: ast.Expr | None = None
    default_text: str | None = None
    primary_key: bool = False
    hidden: bool = False
    generated: ast.Expr | None = None
    stored: bool = False

    @property
    def is_generated(self) -> bool:
        return self.generated is not None


@dataclass(eq=False)
class CheckDef:
    """A CHECK constraint: its name (or None) and expression, and the text
    SQLite puts in "CHECK constraint failed: ..." when it is unnamed."""

    name: str | None
    expr: ast.Expr
    text: str

    @property
    def label(self) -> str:
        return self.name if self.name is not None else self.text


@dataclass(eq=False)
class Index:
    """One index (SQLite's ``Index``).

    ``columns[i]`` is a table column number, ``XN_ROWID`` for the trailing
    rowid of a rowid table's index, or ``XN_EXPR`` for an expression index
    field (``exprs[i]`` then holds the expression).  ``n_key_col`` counts the
    declared key columns; the rowid (or a WITHOUT ROWID table's primary key
    columns) follow them.
    """

    name: str
    table: "Table"
    columns: list[int]
    collations: list[str]
    desc: list[bool]
    n_key_col: int
    unique: bool = False
    on_conflict: int = OE_NONE
    origin: str = IDX_CREATED
    where: ast.Expr | None = None
    exprs: list[ast.Expr | None] = field(default_factory=list)
    root: int = 0
    sql: str | None = None
    collation_resolver: Callable[[str], values.Collation | None] | None = None

    @property
    def root_page(self) -> int:
        return self.root

    @property
    def is_primary_key(self) -> bool:
        return self.origin == IDX_PRIMARY_KEY

    @property
    def is_auto(self) -> bool:
        return self.sql is None

    @property
    def uniq_not_null(self) -> bool:
        """True when the key columns alone identify a row (uniqNotNull)."""
        if not self.unique:
            return False
        for i in range(self.n_key_col):
            c = self.columns[i]
            if c >= 0 and not self.table.columns[c].not_null:
                return False
            if c == XN_EXPR:
                return False
        return True

    def column_names(self) -> list[str | None]:
        out: list[str | None] = []
        for c in self.columns:
            if c >= 0:
                out.append(self.table.columns[c].name)
            else:
                out.append(None)
        return out

    def _collation(self, name: str) -> values.Collation | None:
        key = name.upper()
        if key == "BINARY":
            return None
        if self.collation_resolver is not None:
            coll = self.collation_resolver(name)
            if coll is not None:
                return coll
        return values.BUILTIN_COLLATIONS.get(fold_name(name))

    @property
    def key_info(self) -> values.KeyInfo:
        """How this index's records compare (sqlite3KeyInfoOfIndex)."""
        colls = tuple(self._collation(c) for c in self.collations)
        n = len(self.columns)
        n_key = self.n_key_col if self.uniq_not_null else n
        return values.KeyInfo(colls, tuple(self.desc), n_key)

    def affinity_string(self) -> str:
        """Affinity letters of the index's fields (sqlite3IndexAffinityStr)."""
        out = []
        for c in self.columns:
            if c >= 0:
                aff = self.table.columns[c].affinity
                out.append(aff if aff != values.AFF_BLOB else values.AFF_BLOB)
            elif c == XN_ROWID:
                out.append(values.AFF_INTEGER)
            else:
                out.append(values.AFF_BLOB)
        return "".join(out)


# Foreign key actions (OE_* of sqliteInt.h used in FKey.aAction), and the
# names PRAGMA foreign_key_list prints for them.
OE_RESTRICT = 7
OE_SETNULL = 8
OE_SETDFLT = 9
OE_CASCADE = 10
FK_ACTIONS = {None: OE_NONE, "NO ACTION": OE_NONE, "RESTRICT": OE_RESTRICT,
              "SET NULL": OE_SETNULL, "SET DEFAULT": OE_SETDFLT, "CASCADE": OE_CASCADE}
FK_ACTION_NAMES = {OE_NONE: "NO ACTION", OE_RESTRICT: "RESTRICT", OE_SETNULL: "SET NULL",
                   OE_SETDFLT: "SET DEFAULT", OE_CASCADE: "CASCADE"}


@dataclass(eq=False)
class ForeignKey:
    """One FOREIGN KEY constraint of a child table (SQLite's ``FKey``).

    ``from_cols[i]`` is the child column number of the i-th key column and
    ``to_cols[i]`` the parent column name as written, or None when the
    constraint names no parent columns (it then refers to the parent's
    primary key).  ``on_delete``/``on_update`` are OE_* action codes."""

    table: "Table" = field(repr=False)
    to: str = ""
    from_cols: list[int] = field(default_factory=list)
    to_cols: list[str | None] = field(default_factory=list)
    on_delete: int = OE_NONE
    on_update: int = OE_NONE
    deferred: bool = False
    match: str | None = None


@dataclass(eq=False)
class Table:
    """One table (SQLite's ``Table``)."""

    name: str
    columns: list[Column] = field(default_factory=list)
    root: int = 0
    rowid_alias: int = -1            # iPKey: INTEGER PRIMARY KEY column, or -1
    without_rowid: bool = False
    strict: bool = False
    autoincrement: bool = False
    pk_columns: list[int] = field(default_factory=list)
    pk_conflict: int = OE_NONE       # ON CONFLICT of the PRIMARY KEY
    checks: list[CheckDef] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)
    sql: str | None = None
    db_index: int = 0
    is_view: bool = False
    view_select: ast.Select | None = None
    view_columns: tuple[str, ...] | None = None
    read_only: bool = False          # the schema table itself (not writable by DML)
    foreign_keys: list[ForeignKey] = field(default_factory=list)  # newest first, as SQLite

    @property
    def root_page(self) -> int:
        return self.root

    @property
    def has_generated(self) -> bool:
        return any(c.generated is not None for c in self.columns)

    @property
    def ipk(self) -> int:
        return self.rowid_alias

    @property
    def has_rowid(self) -> bool:
        return not self.without_rowid

    def column_index(self, name: str) -> int:
        """Column number of ``name`` (case-insensitive), or -1."""
        low = fold_name(name)
        for i, c in enumerate(self.columns):
            if fold_name(c.name) == low:
                return i
        return -1

    def affinity_string(self) -> str:
        """The P4 affinity string of MakeRecord for a full row."""
        return "".join(c.affinity for c in self.columns)

    def primary_key_index(self) -> Index | None:
        for idx in self.indexes:
            if idx.is_primary_key:
                return idx
        return None


@dataclass(eq=False)
class Trigger:
    """A trigger as stored in sqlite_schema (kept so the schema round-trips)."""

    name: str
    table: str
    sql: str | None
    statement: ast.CreateTrigger | None = None
    db_index: int = 0          # the database whose schema holds it


class Schema:
    """The schema of one database file (SQLite's ``Schema``)."""

    def __init__(self, db_index: int = 0) -> None:
        self.db_index = db_index
        self.tables: dict[str, Table] = {}
        self.indexes: dict[str, Index] = {}
        self.views: dict[str, Table] = {}
        self.triggers: dict[str, Trigger] = {}
        # Names of the tables and views in sqlite_schema rowid order, the
        # order SQLite's schema load enters them into its table hash.
        self.schema_cookie = 0
        self.file_format = 4
        self.loaded = False
        self.collation_resolver: Callable[[str], values.Collation | None] | None = None
        self.schema_table = make_schema_table(db_index)
        self.table_hash = self._new_table_hash()

    def _new_table_hash(self) -> HashOrder:
        """SQLite's tblHash starts with the schema table itself (named by
        its legacy name), inserted when the schema is loaded."""
        return HashOrder([LEGACY_SCHEMA_TABLE_NAME if self.db_index != 1
                          else "sqlite_temp_master"])

    def tables_in_hash_order(self) -> list[Table]:
        """Tables and views (the schema table included) in the order SQLite
        walks its schema hash, which PRAGMA table_list shows."""
        out = []
        for key in self.table_hash:
            t = (self.schema_table if fold_name(key) == fold_name(self.schema_table.name)
                 else self.find_table(key))
            if t is not None:
                out.append(t)
        return out

    # -- lookups ----------------------------------------------------------

    def find_table(self, name: str) -> Table | None:
        low = fold_name(name)
        if low in (SCHEMA_TABLE_NAME, LEGACY_SCHEMA_TABLE_NAME):
            return self.schema_table
        t = self.tables.get(low)
        if t is None:
            t = self.views.get(low)
        return t

    def find_index(self, name: str) -> Index | None:
        return self.indexes.get(fold_name(name))

    def fk_references(self, parent: str) -> list[ForeignKey]:
        """The foreign keys that refer to table ``parent``, newest first
        (sqlite3FkReferences)."""
        low = fold_name(parent)
        out = [fk for t in self.tables.values() for fk in reversed(t.foreign_keys)
               if fold_name(fk.to) == low]
        out.reverse()
        return out

    def set_db_index(self, db_index: int) -> None:
        """DETACH renumbered this database."""
        self.db_index = db_index
        self.schema_table.db_index = db_index
        for t in list(self.tables.values()) + list(self.views.values()):
            t.db_index = db_index
        for trig in self.triggers.values():
            trig.db_index = db_index

    def clear(self) -> None:
        self.tables.clear()
        self.indexes.clear()
        self.views.clear()
        self.triggers.clear()
        self.loaded = False
        self.table_hash = self._new_table_hash()

    # -- building ---------------------------------------------------------

    def add_table(self, table: Table) -> None:
        table.db_index = self.db_index
        self.table_hash.insert(table.name)
        if table.is_view:
            self.views[fold_name(table.name)] = table
            return
        self.tables[fold_name(table.name)] = table
        for idx in table.indexes:
            idx.collation_resolver = self.collation_resolver
            self.indexes[fold_name(idx.name)] = idx

    def add_index(self, index: Index) -> None:
        index.collation_resolver = self.collation_resolver
        index.table.indexes.append(index)
        self.indexes[fold_name(index.name)] = index

    def remove_table(self, name: str, drop_triggers: bool = True) -> None:
        self.table_hash.remove(name)
        t = self.tables.pop(fold_name(name), None)
        if t is None:
            self.views.pop(fold_name(name), None)
            return
        for idx in t.indexes:
            self.indexes.pop(fold_name(idx.name), None)
        if not drop_triggers:
            return
        for key in [k for k, trig in self.triggers.items() if fold_name(trig.table) == fold_name(t.name)]:
            del self.triggers[key]

    def remove_index(self, name: str) -> None:
        idx = self.indexes.pop(fold_name(name), None)
        if idx is not None and idx in idx.table.indexes:
            idx.table.indexes.remove(idx)

    def add_schema_row(self, type_: str, name: str, tbl_name: str, rootpage: int | None,
                       sql: str | None, parse: Callable[[str], ast.Statement]) -> None:
        """Add one sqlite_schema row (sqlite3InitCallback).  ``parse`` turns
        the stored text into a statement; errors become "malformed database
        schema (name)"."""
        try:
            if type_ == "table":
                if sql is None:
                    raise ValueError("no sql")
                stmt = parse(sql)
                if not isinstance(stmt, (ast.CreateTable, ast.CreateVirtualTable)):
                    raise ValueError("not a CREATE TABLE")
                if isinstance(stmt, ast.CreateVirtualTable):
                    t = Table(name=stmt.name, sql=sql, root=0, read_only=True)
                    self.add_table(t)
                    return
                t = table_from_ast(stmt, sql)
                t.name = name
                t.root = int(rootpage or 0)
                pk = t.primary_key_index() if t.without_rowid else None
                if pk is not None:
                    pk.root = t.root
                self.add_table(t)
            elif type_ == "index":
                table = self.tables.get(fold_name(tbl_name))
                if table is None:
                    raise ValueError("index on unknown table")
                if sql is None:
                    # An automatic index: created with its table; record its root.
                    for idx in table.indexes:
                        if fold_name(idx.name) == fold_name(name):
                            idx.root = int(rootpage or 0)
                            self.indexes[fold_name(idx.name)] = idx
                            return
                    raise ValueError("orphan autoindex")
                stmt = parse(sql)
                if not isinstance(stmt, ast.CreateIndex):
                    raise ValueError("not a CREATE INDEX")
                idx = index_from_ast(stmt, table, sql)
                idx.name = name
                idx.root = int(rootpage or 0)
                self.add_index(idx)
            elif type_ == "view":
                stmt = parse(sql or "")
                if not isinstance(stmt, ast.CreateView):
                    raise ValueError("not a CREATE VIEW")
                v = Table(name=name, sql=sql, is_view=True, view_select=stmt.select,
                          view_columns=stmt.columns)
                self.add_table(v)
            elif type_ == "trigger":
                stmt = parse(sql or "") if sql else None
                self.triggers[fold_name(name)] = Trigger(
                    name, tbl_name, sql, stmt if isinstance(stmt, ast.CreateTrigger) else None,
                    self.db_index)
        except errors.Error:
            errors.raise_error(errors.SQLITE_CORRUPT, f"malformed database schema ({name})")
        except (ValueError, TypeError, AttributeError):
            errors.raise_error(errors.SQLITE_CORRUPT, f"malformed database schema ({name})")


def make_schema_table(db_index: int = 0) -> Table:
    """The built-in table object for sqlite_schema (root page 1)."""
    # declared "text"/"int": standard type names, shown upper-case (as
    # sqlite3AddColumn stores any of INT, INTEGER, REAL, TEXT, BLOB, ANY)
    cols = [Column("type", "TEXT", values.AFF_TEXT), Column("name", "TEXT", values.AFF_TEXT),
            Column("tbl_name", "TEXT", values.AFF_TEXT),
            Column("rootpage", "INT", values.AFF_INTEGER),
            Column("sql", "TEXT", values.AFF_TEXT)]
    # The TEMP database's is called sqlite_temp_master (as in its errors).
    name = "sqlite_temp_master" if db_index == 1 else LEGACY_SCHEMA_TABLE_NAME
    return Table(name=name, columns=cols, root=1, sql=SCHEMA_TABLE_SQL,
                 db_index=db_index, read_only=True)


# ---------------------------------------------------------------------------
# From ASTs
# ---------------------------------------------------------------------------


def _check_texts(sql: str | None) -> list[str]:
    """The source text of each ``CHECK(...)`` in ``sql``, in order."""
    if not sql:
        return []
    out: list[str] = []
    try:
        toks = list(tokenize(sql))
    except Exception:
        return []
    i = 0
    while i < len(toks):
        if toks[i].kind == "CHECK" and i + 1 < len(toks) and toks[i + 1].kind == "(":
            depth = 0
            j = i + 1
            start = toks[i + 1].end
            while j < len(toks):
                if toks[j].kind == "(":
                    depth += 1
                elif toks[j].kind == ")":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            end = toks[j].start if j < len(toks) else len(sql)
            out.append(_dequote_prefix(sql[start:end].strip()))
            i = j
        i += 1
    return out


def _dequote_prefix(text: str) -> str:
    """sqlite3Dequote applied to a constraint's text: one that starts with a
    quote keeps only what that quoted name holds (``"t".a > 0`` -> ``t``)."""
    if not text or text[0] not in "\"'`[":
        return text
    close = "]" if text[0] == "[" else text[0]
    out = []
    i = 1
    while i < len(text):
        ch = text[i]
        if ch == close:
            if close != "]" and i + 1 < len(text) and text[i + 1] == close:
                out.append(ch)
                i += 2
                continue
            break
        out.append(ch)
        i += 1
    return "".join(out)


def _expr_column_name(expr: ast.Expr) -> str | None:
    while isinstance(expr, ast.Collate):
        expr = expr.expr
    if isinstance(expr, ast.Column) and expr.table is None:
        return expr.name
    if isinstance(expr, ast.Literal) and isinstance(expr.value, str):
        return expr.value
    return None


def _is_integer_type(decl: str | None) -> bool:
    return decl is not None and decl.upper() == "INTEGER"


def table_from_ast(stmt: ast.CreateTable, sql: str | None) -> Table:
    """Build a Table from CREATE TABLE (column list form), as build.c does.

    Raises SQLite's errors ("duplicate column name: a", "table "t" has more
    than one primary key", ...).  Automatic indexes get their names
    (sqlite_autoindex_<table>_<N>) but no root page.
    """
    t = Table(name=stmt.name, sql=sql, without_rowid=stmt.without_rowid, strict=stmt.strict)
    seen: set[str] = set()
    pk_seen = False
    deferred_pk: tuple[list[tuple[int, str | None, bool]], int, str] | None = None
    autoinc_wor = False
    pending_unique: list[tuple[list[tuple[int, str | None, bool]], int, str]] = []
    check_texts = iter(_check_texts(sql))

    def add_check(c: ast.CheckConstraint) -> None:
        text = next(check_texts, None)
        t.checks.append(CheckDef(c.name, c.expr, text if text is not None else ""))

    def add_pk(cols: list[tuple[int, str | None, bool]], conflict: str | None,
               autoinc: bool, column_form_desc: bool) -> None:
        nonlocal pk_seen
        if pk_seen:
            errors.raise_error(errors.SQLITE_ERROR,
                               f'table "{t.name}" has more than one primary key')
        pk_seen = True
        for ci, _, _ in cols:
            t.columns[ci].primary_key = True
            t.columns[ci].not_null = t.columns[ci].not_null or t.without_rowid
        t.pk_columns = [ci for ci, _, _ in cols]
        t.pk_conflict = conflict_code(conflict) if conflict else OE_NONE
        is_ipk = (len(cols) == 1 and _is_integer_type(t.columns[cols[0][0]].decl_type)
                  and not column_form_desc)
        if is_ipk and t.without_rowid:
            # SQLite first makes it an INTEGER PRIMARY KEY and only turns it
            # into the PRIMARY KEY index at the end of CREATE TABLE
            # (convertToWithoutRowidTable): that index is numbered last.
            nonlocal deferred_pk, autoinc_wor
            deferred_pk = (cols, conflict_code(conflict) if conflict else OE_NONE,
                           IDX_PRIMARY_KEY)
            autoinc_wor = autoinc
        elif is_ipk:
            t.rowid_alias = cols[0][0]
            t.autoincrement = autoinc
        else:
            if autoinc:
                errors.raise_error(errors.SQLITE_ERROR,
                                   "AUTOINCREMENT is only allowed on an INTEGER PRIMARY KEY")
            pending_unique.append((cols, conflict_code(conflict) if conflict else OE_NONE,
                                   IDX_PRIMARY_KEY))

    for cdef in stmt.columns:
        low = fold_name(cdef.name)
        if low in seen:
            errors.raise_error(errors.SQLITE_ERROR, f"duplicate column name: {cdef.name}")
        seen.add(low)
        col = Column(cdef.name, cdef.type_name, values.affinity_of_type(cdef.type_name))
        if stmt.strict:
            _strict_column_type(t, col)
        t.columns.append(col)
        ci = len(t.columns) - 1
        for c in cdef.constraints:
            if isinstance(c, ast.NotNullConstraint):
                col.not_null = True
                col.not_null_conflict = conflict_code(c.conflict) if c.conflict else OE_NONE
            elif isinstance(c, ast.DefaultConstraint):
                col.default = c.expr
                col.default_text = c.text or None
            elif isinstance(c, ast.CollateConstraint):
                col.collation = c.collation
            elif isinstance(c, ast.CheckConstraint):
                add_check(c)
            elif isinstance(c, ast.GeneratedConstraint):
                col.generated = c.expr
                col.stored = c.stored
            elif isinstance(c, ast.PrimaryKeyConstraint):
                add_pk([(ci, None, c.desc)], c.conflict, c.autoincrement, c.desc)
            elif isinstance(c, ast.UniqueConstraint):
                pending_unique.append(([(ci, None, False)],
                                       conflict_code(c.conflict) if c.conflict else OE_NONE,
                                       IDX_UNIQUE))
            elif isinstance(c, ast.ForeignKeyConstraint):
                _add_foreign_key(t, c, [ci])

    def resolve(cols: Iterable[ast.IndexedColumn]) -> list[tuple[int, str | None, bool]]:
        out = []
        for ic in cols:
            name = _expr_column_name(ic.expr)
            ci = t.column_index(name) if name is not None else -1
            if ci < 0:
                if name is None:
                    errors.raise_error(
                        errors.SQLITE_ERROR,
                        "expressions prohibited in PRIMARY KEY and UNIQUE constraints")
                errors.raise_error(errors.SQLITE_ERROR, f"no such column: {name}")
            coll = ic.collation
            if coll is None and isinstance(ic.expr, ast.Collate):
                coll = ic.expr.collation
            out.append((ci, coll, ic.desc))
        return out

    for c in stmt.constraints:
        if isinstance(c, ast.PrimaryKeyConstraint):
            # The table-constraint form makes a rowid alias even with DESC.
            add_pk(resolve(c.columns), c.conflict, c.autoincrement, False)
        elif isinstance(c, ast.UniqueConstraint):
            conflict = conflict_code(c.conflict) if c.conflict else OE_NONE
            pending_unique.append((resolve(c.columns), conflict, IDX_UNIQUE))
        elif isinstance(c, ast.CheckConstraint):
            add_check(c)
        elif isinstance(c, ast.ForeignKeyConstraint):
            from_cols = []
            for name in c.columns:
                ci = t.column_index(name)
                if ci < 0:
                    errors.raise_error(errors.SQLITE_ERROR,
                                       f'unknown column "{name}" in foreign key definition')
                from_cols.append(ci)
            _add_foreign_key(t, c, from_cols)

    if t.without_rowid and not pk_seen:
        errors.raise_error(errors.SQLITE_ERROR, f"PRIMARY KEY missing on table {t.name}")
    if autoinc_wor:
        errors.raise_error(errors.SQLITE_ERROR, "AUTOINCREMENT not allowed on WITHOUT ROWID tables")
    if deferred_pk is not None:
        pending_unique.append(deferred_pk)

    # Automatic indexes, numbered in the order their constraints appear.
    declared: dict[int, int] = {}      # id(index) -> its ON CONFLICT as written
    for cols, conflict, origin in pending_unique:
        key = [(ci, (coll or t.columns[ci].collation or "BINARY").upper()) for ci, coll, _ in cols]
        dup = None
        for idx in t.indexes:
            if [(c, k.upper()) for c, k in zip(idx.columns[:idx.n_key_col], idx.collations)] == key:
                dup = idx
                break
        if dup is not None:
            if origin == IDX_PRIMARY_KEY:
                dup.origin = IDX_PRIMARY_KEY
            # The same constraint twice: their ON CONFLICT clauses must agree
            # unless one of them has none.
            had = declared.get(id(dup), OE_NONE)
            if conflict != OE_NONE and had != conflict:
                if had != OE_NONE:
                    errors.raise_error(errors.SQLITE_ERROR,
                                       "conflicting ON CONFLICT clauses specified")
                declared[id(dup)] = conflict
                dup.on_conflict = conflict
            continue
        n = len(t.indexes) + 1
        columns = [ci for ci, _, _ in cols]
        colls = [coll or t.columns[ci].collation or "BINARY" for ci, coll, _ in cols]
        desc = [d for _, _, d in cols]
        if t.without_rowid:
            n_key = len(columns)
        else:
            columns.append(XN_ROWID)
            colls.append("BINARY")
            desc.append(False)
            n_key = len(cols)
        idx = Index(name=f"sqlite_autoindex_{t.name}_{n}", table=t, columns=columns,
                    collations=colls, desc=desc, n_key_col=n_key, unique=True,
                    on_conflict=conflict if conflict != OE_NONE else OE_ABORT, origin=origin)
        declared[id(idx)] = conflict
        t.indexes.append(idx)
    if t.without_rowid:
        _finish_without_rowid(t)
    return t


def _add_foreign_key(t: Table, c: ast.ForeignKeyConstraint, from_cols: list[int]) -> None:
    """Record a REFERENCES clause (sqlite3CreateForeignKey), with its errors."""
    clause = c.clause
    to_cols: list[str | None]
    if not c.columns:
        # The column form: one child column, the one the clause is attached to.
        if len(clause.columns) > 1:
            errors.raise_error(
                errors.SQLITE_ERROR,
                f"foreign key on {t.columns[from_cols[0]].name} should reference only one "
                f"column of table {clause.table}")
    elif clause.columns and len(clause.columns) != len(from_cols):
        errors.raise_error(errors.SQLITE_ERROR,
                           "number of columns in foreign key does not match the number of "
                           "columns in the referenced table")
    to_cols = list(clause.columns) if clause.columns else [None] * len(from_cols)
    fk = ForeignKey(t, clause.table, from_cols, to_cols,
                    on_delete=FK_ACTIONS[clause.on_delete], on_update=FK_ACTIONS[clause.on_update],
                    deferred=bool(clause.deferred), match=clause.match)
    t.foreign_keys.insert(0, fk)


def _finish_without_rowid(t: Table) -> None:
    """Make the PRIMARY KEY index the table's b-tree (convertToWithoutRowidTable):
    its repeated columns (same column and collation) are dropped, the other
    stored columns follow the key with BINARY collation; each UNIQUE index
    gets the primary key columns it lacks (ascending, the key's collation)."""
    pk = t.primary_key_index()
    if pk is None:
        return
    keep = [i for i in range(pk.n_key_col)
            if not _dup_column(pk, i, pk, i)]
    pk.columns = [pk.columns[i] for i in keep]
    pk.collations = [pk.collations[i] for i in keep]
    pk.desc = [pk.desc[i] for i in keep]
    pk.n_key_col = len(keep)
    for ci, col in enumerate(t.columns):
        if ci not in pk.columns and not _is_virtual(col):
            pk.columns.append(ci)
            pk.collations.append("BINARY")
            pk.desc.append(False)
    for idx in t.indexes:
        if idx is not pk:
            _append_pk_columns(idx, pk, copy_desc=False)


def _is_virtual(col: Column) -> bool:
    return col.generated is not None and not col.stored


def _dup_column(idx: Index, n_key: int, pk: Index, i: int) -> bool:
    """isDupColumn: column ``i`` of ``pk`` is among the first ``n_key``
    columns of ``idx`` with the same collation."""
    ci = pk.columns[i]
    for j in range(n_key):
        if idx.columns[j] == ci and \
                idx.collations[j].upper() == pk.collations[i].upper():
            return True
    return False


def _append_pk_columns(idx: Index, pk: Index, copy_desc: bool) -> None:
    """Append to ``idx`` the primary key columns its key lacks.  CREATE
    INDEX copies their sort order; the UNIQUE constraints of CREATE TABLE
    keep them ascending (SQLite's bAscKeyBug)."""
    n_key = idx.n_key_col
    del idx.columns[n_key:], idx.collations[n_key:], idx.desc[n_key:]
    if idx.exprs:
        del idx.exprs[n_key:]
    for i in range(pk.n_key_col):
        if _dup_column(idx, n_key, pk, i):
            continue
        idx.columns.append(pk.columns[i])
        idx.collations.append(pk.collations[i])
        idx.desc.append(pk.desc[i] if copy_desc else False)
        if idx.exprs:
            idx.exprs.append(None)


def strict_type_name(decl: str | None) -> str:
    """A STRICT column's declared type as written, without a trailing
    GENERATED ALWAYS."""
    decl = (decl or "").strip()
    words = decl.split()
    if len(words) >= 2 and [w.upper() for w in words[-2:]] == ["GENERATED", "ALWAYS"]:
        decl = decl[:decl.upper().rindex("GENERATED")].strip()
    return decl


def _strict_column_type(t: Table, col: Column) -> None:
    """A STRICT table's column needs one of its six type names; ANY keeps
    values as given (BLOB affinity)."""
    decl = strict_type_name(col.decl_type)
    if not decl:
        errors.raise_error(errors.SQLITE_ERROR, f"missing datatype for {t.name}.{col.name}")
    up = decl.upper()
    if up not in ("INT", "INTEGER", "REAL", "TEXT", "BLOB", "ANY"):
        errors.raise_error(errors.SQLITE_ERROR,
                           f'unknown datatype for {t.name}.{col.name}: "{decl}"')
    if up == "ANY":
        col.affinity = values.AFF_BLOB


def index_from_ast(stmt: ast.CreateIndex, table: Table, sql: str | None) -> Index:
    """Build an Index from CREATE INDEX on ``table`` (sqlite3CreateIndex)."""
    columns: list[int] = []
    colls: list[str] = []
    desc: list[bool] = []
    exprs: list[ast.Expr | None] = []
    for ic in stmt.columns:
        name = _expr_column_name(ic.expr)
        coll = ic.collation
        inner = ic.expr
        if isinstance(inner, ast.Collate):
            coll = coll or inner.collation
            inner = inner.expr
        if isinstance(inner, ast.Literal) and isinstance(inner.value, str) \
                and inner.keyword is None:
            # A string literal names a column (sqlite3StringToId).
            inner = ast.Column(inner.value)
        ci = XN_EXPR
        if isinstance(inner, ast.Column) and inner.table is None:
            ci = table.column_index(inner.name)
            if ci < 0 and not inner.quoted:
                # The rowid cannot be indexed: "no such column" as for any name.
                errors.raise_error(errors.SQLITE_ERROR, f"no such column: {inner.name}")
            if ci < 0:
                ci = XN_EXPR
        if ci >= 0:
            columns.append(ci)
            colls.append(coll or table.columns[ci].collation or "BINARY")
            exprs.append(None)
        else:
            columns.append(XN_EXPR)
            colls.append(coll or "BINARY")
            exprs.append(inner)
        desc.append(ic.desc)
    n_key = len(columns)
    if table.has_rowid:
        columns.append(XN_ROWID)
        colls.append("BINARY")
        desc.append(False)
        exprs.append(None)
    index = Index(name=stmt.name, table=table, columns=columns, collations=colls, desc=desc,
                  n_key_col=n_key, unique=stmt.unique,
                  on_conflict=OE_ABORT if stmt.unique else OE_NONE,
                  origin=IDX_CREATED, where=stmt.where, exprs=exprs, sql=sql)
    pk = table.primary_key_index() if table.without_rowid else None
    if pk is not None:
        _append_pk_columns(index, pk, copy_desc=True)
    return index
