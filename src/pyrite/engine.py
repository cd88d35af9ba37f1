"""Engine layer: the connection and prepared-statement objects.

SQLite's counterparts are ``sqlite3`` (the connection, ``main.c``), the
schema loading of ``prepare.c`` (sqlite3InitOne / sqlite3InitCallback) and
``sqlite3_stmt`` with the stepping logic of ``vdbeapi.c`` (sqlite3_step's
SQLITE_SCHEMA retry, busy handling).  This is where the parser, the
compiler, the VM and the storage layers meet:

* :class:`Database` opens the file through ``Pager``/``BTree``, owns the
  :class:`~pyrite.schema.schema.Schema`, the user function and collation
  registries, the transaction state, and implements the VM's host protocol
  (``vdbe/host.py``);
* :class:`Statement` wraps one compiled ``Program`` and its ``VM``.

What the VM may call on its host (``Database``), by opcode:

* ``btree(db_index) -> BTree``; ``pager`` (``get_meta``/``set_meta`` for
  ReadCookie/SetCookie, ``page_count`` for Pagecount);
* Transaction: ``begin_transaction(db_index, write) -> BTree``; P3/P5 check against
  the schema cookie in its file -> SQLITE_SCHEMA, which :class:`Statement`
  answers by re-preparing;
* Halt in autocommit mode: ``commit()`` (or ``rollback()`` after an
  error); AutoCommit: set ``autocommit`` then ``commit()``/``rollback()``;
  Savepoint: ``savepoint(p1, name)``; ``set_changes(n)``,
  ``last_insert_rowid``, ``interrupted``;
* SetCookie of the schema cookie: ``set_schema_cookie(db_index, value)``;
  ParseSchema: ``reload_schema(db_index, where)``; DropTable / DropIndex /
  DropTrigger: ``drop_table_schema`` / ``drop_index_schema`` /
  ``drop_trigger_schema(db_index, name)``;
* ``find_function``/``find_collation`` (the compiler's lookups).

Statement savepoints (an error inside an explicit transaction undoes only
the failing statement) are kept by :class:`Statement` itself, around each
writing statement, on the pager's savepoint stack.
"""

from __future__ import annotations
from pyrite.values import fold_name

import time
import urllib.parse
from typing import Any, Callable

from pyrite import errors, values
from pyrite.io.base import IOPending
from pyrite.schema.schema import Schema
from pyrite.sql import ast
from pyrite.sql.parser import parse_one
from pyrite.storage.btree import BTree
from pyrite.storage.pager import Pager

# Step results (SQLite's SQLITE_ROW / SQLITE_DONE): the VM's StepResult members.
from pyrite.vdbe.vm import StepResult as _StepResult  # noqa: E402

ROW: Any = _StepResult.ROW
DONE: Any = _StepResult.DONE
IO: Any = _StepResult.IO
_VM_ROW, _VM_DONE = ROW, DONE

MAX_SCHEMA_RETRY = 50   # SQLITE_MAX_SCHEMA_RETRY


def _parse_schema_sql(sql: str) -> ast.Statement:
    """The statement of a sqlite_schema row's text, parsed once per process:
    a connection reads every row when it opens and again after ALTER TABLE
    or DROP, most of them unchanged (AST nodes are immutable, so the
    schemas of any connections may share them)."""
    stmt = _SCHEMA_ASTS.get(sql)
    if stmt is None:
        parsed = parse_one(sql, 0)
        if parsed is None:
            raise ValueError("empty schema statement")
        stmt = parsed.statement
        if len(_SCHEMA_ASTS) >= 2048:
            _SCHEMA_ASTS.clear()
        _SCHEMA_ASTS[sql] = stmt
    return stmt


_SCHEMA_ASTS: dict[str, ast.Statement] = {}


_RESULT_NAMES: dict[Any, str] = {}


def _result_name(r: Any) -> str:
    """The name of a VM step result (an enum member or a string)."""
    if type(r) is str:
        return r
    name = _RESULT_NAMES.get(r)
    if name is None:
        name = getattr(r, "name", r)
        if type(name) is str and type(r) is not int:
            _RESULT_NAMES[r] = name
    return name


class DbSlot:
    """One database of the connection (SQLite's ``Db``): main (0), temp (1,
    opened on first use) or an ATTACHed file (2...)."""

    def __init__(self, name: str, index: int, pager: Pager | None) -> None:
        self.name = name
        self.pager = pager
        self.btree = BTree(pager) if pager is not None else None
        self.schema = Schema(index)
        # TEMP and ATTACH '' are SQLite's anonymous temporary files; we
        # keep them in memory, but they behave (journal_mode) as files.
        self.anonymous = False
        # PRAGMA synchronous (FULL; OFF for TEMP, as in SQLite), see Pager.sync_level
        self.sync_level = 0 if index == 1 else 2

    @property
    def path(self) -> str:
        """The file name PRAGMA database_list shows ('' for memory)."""
        if self.pager is None or getattr(self.pager, "memory", False):
            return ""
        import os
        return os.path.abspath(self.pager.path)


_OE_FAIL = 3
# sqlite3VdbeHalt's isSpecialError: these always roll the transaction back.
_SPECIAL_ERRORS = frozenset({errors.SQLITE_NOMEM, errors.SQLITE_IOERR,
                             errors.SQLITE_INTERRUPT, errors.SQLITE_FULL})

class Database:
    """One database connection (SQLite's ``sqlite3``)."""

    def __init__(self, path: str, *, readonly: bool = False, uri: bool = False,
                 backend: Any = None) -> None:
        self.path = path
        if uri and path.startswith("file:"):
            path, readonly, memory = self._parse_uri(path, readonly)
            if memory:
                path = ":memory:"
        self.backend = backend
        self.pager = Pager.open(backend, path, readonly=readonly)
        self.main_btree = BTree(self.pager)
        self.readonly = self.pager.readonly
        main = DbSlot("main", 0, self.pager)
        main.btree = self.main_btree
        self.schema = main.schema
        self.schema.collation_resolver = self.find_collation
        temp = DbSlot("temp", 1, None)
        temp.anonymous = True
        temp.schema.collation_resolver = self.find_collation
        # dbs[0] main, dbs[1] temp (its pager made on first use), then the
        # attached databases in ATTACH order.
        self.dbs: list[DbSlot] = [main, temp]
        # Bumped by ATTACH/DETACH: prepared statements hold database indexes.
        self.attach_generation = 0
        # The database (by name) of the table each TEMP trigger fires on,
        # bound when the trigger is created (SQLite's pTabSchema), so that
        # a later TEMP table of the same name does not capture it.
        self.temp_trigger_targets: dict[str, str] = {}
        self.autocommit = True
        self.changes = 0
        self.total_changes = 0
        self.last_insert_rowid = 0
        self.interrupted = False
        # (callable, N) from Connection.set_progress_handler: the VM calls
        # it every N instructions (vm.py's traced loop)
        self.progress_handler: Any = None
        # Instructions executed per opcode name, counted by every statement
        # while this is a dict (the benchmark's profile; None: not counted).
        self.opcode_counts: dict[str, int] | None = None
        self.busy_timeout = 5.0
        self.functions: dict[tuple[str, int], Any] = {}
        self.collations: dict[str, values.Collation] = {}
        self.active_statements: set[Statement] = set()
        self.current_statement: Statement | None = None
        # Named SAVEPOINTs, oldest first; user_savepoints[i] is pager
        # savepoint i.  ``savepoint_txn``: the first one began the transaction.
        self.user_savepoints: list[str] = []
        self.savepoint_txn = False
        self.in_write = False
        self.closed = False
        self._savepoint_depth = 0
        # Foreign keys (PRAGMA foreign_keys / defer_foreign_keys) and the
        # connection's counters of deferred violations (db->nDeferredCons,
        # db->nDeferredImmCons); ``fk_savepoint_counts[i]`` holds them as
        # they were when user savepoint i opened.
        self.foreign_keys = False
        self.recursive_triggers = False    # PRAGMA recursive_triggers
        self.count_changes = False         # PRAGMA count_changes
        self.ignore_check_constraints = False
        self.defer_foreign_keys = False
        self.fk_deferred = 0
        self.fk_deferred_imm = 0
        self.fk_savepoint_counts: list[tuple[int, int]] = []
        # Set on VACUUM's private database, whose CREATE statements may
        # name sqlite_ objects (SQLite's SQLITE_WriteSchema).
        self.writable_schema = False
        self.pager.busy_handler = self._busy_handler
        self._busy_started: float | None = None

    @staticmethod
    def _parse_uri(path: str, readonly: bool) -> tuple[str, bool, bool]:
        parts = urllib.parse.urlsplit(path)
        query = urllib.parse.parse_qs(parts.query)
        file_path = urllib.parse.unquote(parts.path)
        if parts.netloc not in ("", "localhost"):
            errors.raise_error(errors.SQLITE_ERROR, f"invalid uri authority: {parts.netloc}")
        mode = query.get("mode", [""])[-1]
        if mode == "ro":
            readonly = True
        elif mode not in ("", "rw", "rwc", "memory"):
            errors.raise_error(errors.SQLITE_ERROR, f"no such access mode: {mode}")
        return file_path, readonly, mode == "memory" or file_path in ("", ":memory:")

    @property
    def in_transaction(self) -> bool:
        """True while an explicit transaction is open (not autocommit)."""
        return not self.autocommit

    def set_busy_timeout(self, seconds: float) -> None:
        """How long to retry a busy lock before "database is locked"."""
        self.busy_timeout = max(0.0, float(seconds))

    # -- busy handling ------------------------------------------------------

    def _busy_handler(self, count: int) -> bool:
        """Retry a busy lock until ``busy_timeout`` seconds have passed."""
        now = time.monotonic()
        if count == 0:
            self._busy_started = now
        if self._busy_started is None or now - self._busy_started >= self.busy_timeout:
            return False
        time.sleep(min(0.001 * (1 << min(count, 6)), 0.05))
        return True

    # -- schema ---------------------------------------------------------------

    def _sync(self, fn: Callable[[], Any]) -> Any:
        """Run ``fn`` to completion, waiting on pending reads."""
        while True:
            try:
                return fn()
            except IOPending as pending:
                pending.completion.wait()

    def schema_cookie(self, db_index: int = 0) -> int:
        return self.dbs[db_index].schema.schema_cookie

    def _read_cookie(self, slot: DbSlot | None = None) -> int:
        pager = (slot or self.dbs[0]).pager
        if pager is None or pager.page_count == 0:
            return 0
        return self._sync(lambda: pager.get_meta(1))

    def ensure_schema(self) -> None:
        """Load each database's schema, or reload it when another
        connection changed it."""
        for slot in self.dbs:
            if slot.pager is None:
                slot.schema.loaded = True
                continue
            took_lock = False
            if slot.pager.lock_level == 0:
                slot.pager.begin_read()
                took_lock = True
            try:
                cookie = self._read_cookie(slot)
                if not slot.schema.loaded or cookie != slot.schema.schema_cookie:
                    self._load_slot(slot)
            finally:
                if took_lock and self.autocommit and not slot.pager.in_write:
                    slot.pager.end_read()

    def load_schema(self) -> None:
        """Read sqlite_schema into :attr:`schema` (sqlite3InitOne)."""
        self._load_slot(self.dbs[0])

    def _load_slot(self, slot: DbSlot) -> None:
        """Read one database's sqlite_schema into its Schema."""
        schema, pager = slot.schema, slot.pager
        schema.clear()
        if pager is None or pager.page_count == 0:
            schema.schema_cookie = 0
            schema.loaded = True
            return
        schema.schema_cookie = self._sync(lambda: pager.get_meta(1))
        schema.file_format = self._sync(lambda: pager.get_meta(2)) or 4
        if schema.file_format > 4 or pager.text_encoding != "utf-8":
            # (UTF-16 files: their text would be written as UTF-8 and their
            # BINARY order is not UTF-8's; see docs/known-differences.md)
            errors.raise_error(errors.SQLITE_ERROR, "unsupported file format")
        rows = self._sync(lambda: self._read_schema_rows(slot.btree))
        # Tables (and views, keeping their relative order, which the schema
        # hash order follows) first so that index rows find them, as the
        # rowid order of sqlite_schema already guarantees for files SQLite wrote.
        rows.sort(key=lambda r: 0 if r[0] in ("table", "view") else 1)
        for type_, name, tbl_name, rootpage, sql in rows:
            schema.add_schema_row(type_, name, tbl_name, rootpage, sql, _parse_schema_sql)
        schema.loaded = True
        self._load_stats(slot)

    def load_analysis(self, db_index: int = 0) -> None:
        """LoadAnalysis: re-read sqlite_stat1 of database ``db_index``."""
        self._load_stats(self.dbs[db_index])

    def _load_stats(self, slot: DbSlot) -> None:
        """Give the schema's tables and indexes the planner statistics of
        sqlite_stat1 (sqlite3AnalysisLoad), or the defaults without it."""
        from pyrite.schema.stats import apply_stat1
        from pyrite.storage.record import decode_record
        schema = slot.schema
        stat1 = schema.tables.get("sqlite_stat1")
        rows: list[tuple[Any, ...]] = []
        if stat1 is not None and stat1.root and slot.btree is not None:
            def read() -> None:
                del rows[:]     # (a retry after pending I/O starts over)
                cur = slot.btree.cursor(stat1.root, write=False)
                try:
                    empty = cur.first()
                    while not empty and not cur.eof:
                        rec = (list(decode_record(cur.payload())) + [None] * 3)[:3]
                        rows.append(tuple(rec))
                        if not cur.next():
                            break
                finally:
                    cur.close()
            self._sync(read)
        apply_stat1(schema.tables.values(), rows)

    def _read_schema_rows(self, btree: BTree | None = None) -> list[tuple[Any, ...]]:
        from pyrite.storage.record import decode_record
        cur = (btree or self.main_btree).cursor(1, write=False)
        rows: list[tuple[Any, ...]] = []
        try:
            empty = cur.first()
            while not empty and not cur.eof:
                rec = decode_record(cur.payload())
                rec = (list(rec) + [None] * 5)[:5]
                type_, name, tbl_name, rootpage, sql = rec
                if isinstance(type_, bytes):
                    type_ = type_.decode("utf-8", "replace")
                rows.append((type_, name, tbl_name, rootpage, sql))
                if not cur.next():
                    break
        finally:
            cur.close()
        return rows

    def invalidate_schemas(self) -> None:
        """Forget every cached schema (after a rollback undid DDL)."""
        for slot in self.dbs:
            slot.schema.loaded = False

    def reload_schema(self, db_index: int = 0, where: str | None = None) -> None:
        """ParseSchema: re-read the schema after DDL in this connection.
        SQLite adds (or drops) just the objects the DDL touched, so its
        table hash keeps its history: replay only those changes on it."""
        slot = self.dbs[db_index]
        schema = slot.schema
        if where is None or not schema.loaded or not self._add_new_schema_rows(slot):
            history = schema.table_hash
            self._load_slot(slot)
            schema.table_hash = history.updated(list(schema.table_hash))
        if db_index == 1:
            for trig in self.dbs[1].schema.triggers.values():
                self._trigger_target_db(trig)

    def _add_new_schema_rows(self, slot: DbSlot) -> bool:
        """ParseSchema after DDL that added objects (the CREATE statements,
        whose ParseSchema names the rows they wrote): give the in-memory
        schema just the sqlite_schema rows it lacks, as SQLite's ParseSchema
        runs its callback on those rows only, instead of parsing every
        CREATE statement of the schema again.  False, for a full reload,
        when the rows and the schema disagree in any other way (an object
        changed or gone, a row that does not parse, a file format this
        cannot read): the reload then does what it always did."""
        schema, pager = slot.schema, slot.pager
        if pager is None or pager.page_count == 0:
            return False
        rows = self._sync(lambda: self._read_schema_rows(slot.btree))
        rows.sort(key=lambda r: 0 if r[0] in ("table", "view") else 1)
        new = []
        seen: set[tuple[str, str]] = set()
        try:
            for row in rows:
                type_, name, tbl_name, rootpage, sql = row
                if type_ not in ("table", "view", "index", "trigger"):
                    continue            # (ignored by a full reload too)
                key = fold_name(name)
                kind = "view" if type_ == "view" else type_
                obj: Any = {"table": schema.tables, "view": schema.views,
                            "index": schema.indexes, "trigger": schema.triggers}[kind].get(key)
                if obj is None:
                    new.append(row)
                    continue
                if obj.sql != sql or (kind == "index" and (
                        obj.root != int(rootpage or 0)
                        or fold_name(obj.table.name) != fold_name(tbl_name))) \
                        or (kind == "table" and obj.root != int(rootpage or 0)):
                    return False
                seen.add((kind, key))
        except (TypeError, ValueError, AttributeError):
            return False
        if any(("table", k) not in seen for k in schema.tables) \
                or any(("view", k) not in seen for k in schema.views) \
                or any(("trigger", k) not in seen for k in schema.triggers) \
                or any(("index", k) not in seen for k, idx in schema.indexes.items()
                       if not (idx.is_primary_key and idx.table.without_rowid)):
            return False
        file_format = self._sync(lambda: pager.get_meta(2)) or 4
        if file_format > 4:
            return False
        try:
            for type_, name, tbl_name, rootpage, sql in new:
                schema.add_schema_row(type_, name, tbl_name, rootpage, sql, _parse_schema_sql)
        except errors.Error:
            return False
        schema.schema_cookie = self._sync(lambda: pager.get_meta(1))
        schema.file_format = file_format
        self._load_stats(slot)
        return True

    def set_schema_cookie(self, db_index: int, value: int) -> None:
        """SetCookie wrote the schema cookie: the in-memory schema now
        matches that version (its objects are updated by ParseSchema,
        DropTable, DropIndex)."""
        self.dbs[db_index].schema.schema_cookie = value

    def drop_table_schema(self, db_index: int, name: str) -> None:
        """DropTable: forget a table, its indexes and triggers (TEMP
        triggers on it too; the temp schema may also hold triggers on a
        table of the same name elsewhere, which stay)."""
        temp = self.dbs[1].schema
        doomed = [k for k, trig in temp.triggers.items()
                  if fold_name(trig.table) == fold_name(name)
                  and self._trigger_target_db(trig) == db_index]
        self.dbs[db_index].schema.remove_table(name, drop_triggers=db_index != 1)
        for key in doomed:
            del temp.triggers[key]
            self.temp_trigger_targets.pop(key, None)

    def _trigger_target_db(self, trig: Any) -> int | None:
        """The database of the table a (TEMP) trigger fires on."""
        stmt = trig.statement
        qualifier = getattr(stmt, "table_schema", None) if stmt is not None else None
        if qualifier:
            i = self.db_index_of(qualifier)
            return i if i >= 0 else None
        key = fold_name(trig.name)
        bound = self.temp_trigger_targets.get(key)
        if bound is not None:
            i = self.db_index_of(bound)
            if i >= 0 and self.dbs[i].schema.find_table(trig.table) is not None:
                return i
        for i in self.search_order():
            if self.dbs[i].schema.find_table(trig.table) is not None:
                self.temp_trigger_targets[key] = self.dbs[i].name
                return i
        return None

    def drop_index_schema(self, db_index: int, name: str) -> None:
        """DropIndex: forget an index."""
        self.dbs[db_index].schema.remove_index(name)

    def drop_trigger_schema(self, db_index: int, name: str) -> None:
        """DropTrigger: forget a trigger."""
        self.dbs[db_index].schema.triggers.pop(fold_name(name), None)
        if db_index == 1:
            self.temp_trigger_targets.pop(fold_name(name), None)

    # -- the databases of the connection --------------------------------------

    def db_index_of(self, name: str) -> int:
        """The index of database ``name`` (main, temp or an ATTACH alias),
        or -1 (sqlite3FindDbName)."""
        low = fold_name(name)
        for i, slot in enumerate(self.dbs):
            if fold_name(slot.name) == low:
                return i
        return -1

    def db_name(self, db_index: int) -> str:
        return self.dbs[db_index].name

    def search_order(self) -> list[int]:
        """Databases an unqualified name is looked up in: temp, main, then
        the attached ones in order."""
        return [1, 0] + list(range(2, len(self.dbs)))

    def find_table(self, name: str, schema: str | None = None) -> Any:
        low = fold_name(name)
        if schema is not None:
            i = self.db_index_of(schema)
            if i < 0:
                return None
            if i == 1 and low in ("sqlite_temp_master", "sqlite_temp_schema"):
                return self.dbs[1].schema.schema_table
            return self.dbs[i].schema.find_table(name)
        if low in ("sqlite_temp_master", "sqlite_temp_schema"):
            return self.dbs[1].schema.schema_table
        if low in ("sqlite_master", "sqlite_schema"):
            return self.dbs[0].schema.schema_table
        for i in self.search_order():
            t = self.dbs[i].schema.find_table(name)
            if t is not None:
                return t
        return None

    def find_index(self, name: str, schema: str | None = None) -> Any:
        if schema is not None:
            i = self.db_index_of(schema)
            return self.dbs[i].schema.find_index(name) if i >= 0 else None
        for i in self.search_order():
            idx = self.dbs[i].schema.find_index(name)
            if idx is not None:
                return idx
        return None

    def find_trigger(self, name: str, schema: str | None = None) -> tuple[int, Any]:
        """(database index, Trigger) of trigger ``name``, or (-1, None)."""
        order = self.search_order()
        if schema is not None:
            order = [self.db_index_of(schema)]
        for i in order:
            if i < 0:
                continue
            trig = self.dbs[i].schema.triggers.get(fold_name(name))
            if trig is not None:
                return i, trig
        return -1, None

    def open_temp(self) -> None:
        """Create the TEMP database's storage on first use."""
        slot = self.dbs[1]
        if slot.pager is None:
            slot.pager = Pager.open(None, ":memory:")
            slot.btree = BTree(slot.pager)
            slot.schema.loaded = True

    def attach(self, path: str, name: str) -> None:
        """ATTACH DATABASE path AS name (sqlite3's attachFunc)."""
        if self.db_index_of(name) >= 0:
            errors.raise_error(errors.SQLITE_ERROR, f"database {name} is already in use")
        if len(self.dbs) >= 12:
            errors.raise_error(errors.SQLITE_ERROR, "too many attached databases - max 10")
        memory = path in ("", ":memory:")
        if path.startswith("file:"):
            path, _ro, memory = self._parse_uri(path, False)
        try:
            pager = Pager.open(None if memory else self.backend,
                               ":memory:" if memory else path)
        except errors.Error as exc:
            if (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF == errors.SQLITE_CANTOPEN:
                errors.raise_error(errors.SQLITE_CANTOPEN, "unable to open database: " + path)
            raise
        slot = DbSlot(name, len(self.dbs), pager)
        slot.anonymous = path == ""
        slot.schema.collation_resolver = self.find_collation
        pager.busy_handler = self._busy_handler
        self.dbs.append(slot)
        self.attach_generation += 1
        try:
            self.ensure_schema()
        except errors.Error:
            self.dbs.pop()
            pager.close()
            raise

    def detach(self, name: str) -> None:
        """DETACH DATABASE name (sqlite3's detachFunc)."""
        i = self.db_index_of(name)
        if i < 0 or self.dbs[i].pager is None:
            errors.raise_error(errors.SQLITE_ERROR, f"no such database: {name}")
        if i < 2:
            errors.raise_error(errors.SQLITE_ERROR, f"cannot detach database {name}")
        slot = self.dbs[i]
        if slot.pager.in_write or (not self.autocommit and slot.pager.lock_level) \
                or any(s.running and s is not self.current_statement
                       for s in self.active_statements):
            errors.raise_error(errors.SQLITE_ERROR, f"database {name} is locked")
        del self.dbs[i]
        for j in range(i, len(self.dbs)):
            self.dbs[j].schema.set_db_index(j)
        self.attach_generation += 1
        slot.pager.close()

    def _pagers(self) -> list[Pager]:
        return [slot.pager for slot in self.dbs if slot.pager is not None]

    def _write_pagers(self) -> list[Pager]:
        return [p for p in self._pagers() if p.in_write]

    def savepoint_depth(self) -> int:
        """The number of pager savepoints open (the same on every database
        in a write transaction)."""
        return max((len(p.savepoints) for p in self._write_pagers()), default=0)

    def pager_savepoint(self, n: int) -> None:
        for p in self._write_pagers():
            p.savepoint(n)

    def pager_release(self, n: int) -> None:
        for p in self._write_pagers():
            p.release(n)

    def pager_rollback_to(self, n: int) -> None:
        for p in self._write_pagers():
            p.rollback_to(n)

    def end_reads(self) -> None:
        for slot in self.dbs:
            if slot.pager is not None:
                slot.pager.end_read()

    @property
    def lock_level(self) -> int:
        return max(p.lock_level for p in self._pagers())

    # -- functions and collations ------------------------------------------

    def find_function(self, name: str, n_arg: int) -> Any:
        from pyrite.vdbe import functions as builtin
        key = fold_name(name)
        f = self.functions.get((key, n_arg)) or self.functions.get((key, -1))
        if f is not None:
            return f
        return builtin.lookup(name, n_arg)

    def function_exists(self, name: str) -> bool:
        from pyrite.vdbe import functions as builtin
        key = fold_name(name)
        return any(k[0] == key for k in self.functions) or builtin.exists(name)

    def find_collation(self, name: str) -> values.Collation | None:
        coll = self.collations.get(fold_name(name))
        if coll is not None:
            return coll
        return values.BUILTIN_COLLATIONS.get(fold_name(name))

    def create_function(self, name: str, n_arg: int, func: Callable[..., Any] | None,
                        deterministic: bool = False) -> None:
        from pyrite.vdbe import functions as builtin
        key = (fold_name(name), n_arg)
        if func is None:
            self.functions.pop(key, None)
            return
        flags = builtin.DETERMINISTIC if deterministic else 0
        self.functions[key] = builtin.FuncDef(fold_name(name), n_arg, func, flags)

    def create_aggregate(self, name: str, n_arg: int, cls: Any) -> None:
        from pyrite.vdbe import functions as builtin
        key = (fold_name(name), n_arg)
        if cls is None:
            self.functions.pop(key, None)
            return
        self.functions[key] = builtin.FuncDef(fold_name(name), n_arg, cls, builtin.AGGREGATE)

    def create_window_function(self, name: str, n_arg: int, cls: Any) -> None:
        """An aggregate with inverse() and value() too, usable with OVER."""
        from pyrite.vdbe import functions as builtin
        key = (fold_name(name), n_arg)
        if cls is None:
            self.functions.pop(key, None)
            return
        self.functions[key] = builtin.FuncDef(fold_name(name), n_arg, cls,
                                              builtin.AGGREGATE | builtin.WINDOW)

    def create_collation(self, name: str, func: Callable[[str, str], int] | None) -> None:
        if func is None:
            self.collations.pop(fold_name(name), None)
        else:
            self.collations[fold_name(name)] = values.Collation(name, func)

    # -- VMHost: storage and transactions --------------------------------------

    def btree(self, db_index: int = 0) -> BTree:
        """The BTree of database ``db_index`` (0 main, 1 temp, 2... attached)."""
        if not 0 <= db_index < len(self.dbs):
            errors.raise_error(errors.SQLITE_ERROR, "no such database")
        if db_index == 1:
            self.open_temp()
        return self.dbs[db_index].btree

    def begin_transaction(self, db_index: int = 0, write: bool = False) -> BTree:
        """The Transaction opcode: take a read or write transaction; answers
        the database's BTree (whose pager holds the schema cookie P3/P5
        checks)."""
        if db_index == 1:
            self.open_temp()
        slot = self.dbs[db_index]
        pager = slot.pager
        if write:
            if pager.readonly:
                errors.raise_error(errors.SQLITE_READONLY,
                                   "attempt to write a readonly database")
            if pager.in_write:
                return slot.btree
            # SAVEPOINTs (and the statement's) already open on the other
            # databases start here too.
            depth = max(len(self.user_savepoints), self.savepoint_depth())
            pager.begin_write()
            self.in_write = True
            pager.savepoint(depth)
            if self.current_statement is not None:
                self.current_statement.open_statement_savepoint()
        elif not pager.lock_level:
            pager.begin_read()
        return slot.btree

    def savepoint(self, op: int, name: str) -> None:
        """The Savepoint opcode: op 0 SAVEPOINT, 1 RELEASE, 2 ROLLBACK TO
        (sqlite3VdbeExec's OP_Savepoint)."""
        if op == 0:
            if self.autocommit:
                self.autocommit = False
                self.savepoint_txn = True
            self.user_savepoints.append(name)
            del self.fk_savepoint_counts[len(self.user_savepoints) - 1:]
            self.fk_savepoint_counts.append((self.fk_deferred, self.fk_deferred_imm))
            if self.in_write:
                self.pager_savepoint(len(self.user_savepoints))
            return
        low = fold_name(name)
        i = len(self.user_savepoints) - 1
        while i >= 0 and fold_name(self.user_savepoints[i]) != low:
            i -= 1
        if i < 0:
            errors.raise_error(errors.SQLITE_ERROR, f"no such savepoint: {name}")
        if op == 1:
            if i == 0 and self.savepoint_txn:
                # Releasing the outermost savepoint commits the transaction.
                if any(s.running and s is not self.current_statement
                       for s in self.active_statements):
                    errors.raise_error(errors.SQLITE_BUSY,
                                       "cannot release savepoint - SQL statements in progress")
                if self.fk_deferred or self.fk_deferred_imm:
                    from pyrite.vdbe.ops.fkey import raise_fk_error
                    raise_fk_error()
                self.autocommit = True
                self.commit()
                return
            del self.user_savepoints[i:]
            if self.in_write:
                self.pager_release(i)
            return
        if self.in_write:
            self.pager_rollback_to(i)
            self.invalidate_schemas()
        del self.user_savepoints[i + 1:]
        if i < len(self.fk_savepoint_counts):
            self.fk_deferred, self.fk_deferred_imm = self.fk_savepoint_counts[i]
            del self.fk_savepoint_counts[i + 1:]

    def commit(self) -> None:
        """End the transaction, making its changes durable in every
        database it wrote (each with its own rollback journal)."""
        if self.in_write:
            for pager in self._write_pagers():
                pager.commit()
            self.in_write = False
        self.user_savepoints = []
        self.savepoint_txn = False
        self._savepoint_depth = 0
        self._fk_end_transaction()
        self.end_reads()

    def rollback(self) -> None:
        """Undo the transaction in every database."""
        if self.in_write:
            for pager in self._write_pagers():
                pager.rollback()
            self.in_write = False
            # Cached schema objects may describe the undone DDL.
            self.invalidate_schemas()
        self.user_savepoints = []
        self.savepoint_txn = False
        self._savepoint_depth = 0
        self._fk_end_transaction()
        self.end_reads()
        if not all(slot.schema.loaded for slot in self.dbs):
            try:
                self.ensure_schema()
            except errors.Error:
                pass

    def _fk_end_transaction(self) -> None:
        """COMMIT/ROLLBACK: no deferred violations remain, and PRAGMA
        defer_foreign_keys turns itself off."""
        self.fk_deferred = self.fk_deferred_imm = 0
        self.fk_savepoint_counts = []
        self.defer_foreign_keys = False

    def statement_begin(self) -> int:
        """Open a statement savepoint (OP_Transaction with a statement journal)."""
        self._savepoint_depth += 1
        if self.in_write:
            self.pager_savepoint(self._savepoint_depth)
        return self._savepoint_depth

    def statement_end(self, n: int, ok: bool) -> None:
        """Release (``ok``) or roll back statement savepoint ``n``."""
        if self.in_write and n <= self.savepoint_depth():
            if ok:
                self.pager_release(n)
            else:
                self.pager_rollback_to(n)
                self.pager_release(n)
                self.invalidate_schemas()
        self._savepoint_depth = max(0, n - 1)

    def end_statement_autocommit(self, ok: bool) -> None:
        """Called when a statement halts in autocommit mode."""
        if not self.autocommit:
            return
        if any(s.running for s in self.active_statements):
            return
        if ok:
            self.commit()
        else:
            self.rollback()

    def vacuum(self, db_index: int, into: str | None) -> None:
        """The Vacuum opcode: rebuild database ``db_index`` or copy it to ``into``."""
        from pyrite.vacuum import run_vacuum
        run_vacuum(self, into)

    def set_changes(self, n: int) -> None:
        self.changes = n
        self.total_changes += n

    def interrupt(self) -> None:
        self.interrupted = True

    # -- preparing ------------------------------------------------------------

    def prepare(self, sql: str, offset: int = 0) -> tuple[Statement | None, int]:
        """Compile the first statement of ``sql[offset:]`` (sqlite3_prepare_v2)."""
        if self.closed:
            errors.raise_error(errors.SQLITE_MISUSE, "Cannot operate on a closed database.")
        try:
            parsed = parse_one(sql, offset)
            if parsed is None:
                return None, len(sql)
            program = self._compile(parsed, sql)
        except _ENGINE_BUGS as exc:
            # A compiler bug must still surface as a PEP 249 error, not a traceback.
            raise errors.InternalError(
                f"internal error compiling the statement: {type(exc).__name__}: {exc}",
                code=errors.SQLITE_INTERNAL) from exc
        stmt = Statement(self, program, sql[parsed.start:parsed.end], parsed)
        return stmt, parsed.tail

    def _compile(self, parsed: Any, sql: str) -> Any:
        from pyrite.compile import compile_statement
        self.ensure_schema()
        return compile_statement(self, parsed, sql)

    def close(self) -> None:
        if self.closed:
            return
        for stmt in list(self.active_statements):
            stmt.finalize()
        if self.in_write:
            for pager in self._write_pagers():
                try:
                    pager.rollback()
                except errors.Error:
                    pass
            self.in_write = False
        for pager in self._pagers():
            pager.close()
        self.closed = True


# Python exceptions that can only come from a bug in the engine itself.
_ENGINE_BUGS = (IndexError, KeyError, TypeError, AttributeError, ValueError, NameError,
                ZeroDivisionError, OverflowError, UnicodeError, AssertionError)


class Statement:
    """One prepared statement (SQLite's ``sqlite3_stmt``)."""

    def __init__(self, db: Database, program: Any, sql: str, parsed: Any) -> None:
        self.db = db
        self.sql = sql
        self._parsed = parsed
        self.running = False
        self.pending: Any = None
        self._savepoint: int | None = None
        self._fk_saved: tuple[int, int] = (0, 0)
        self._vm: Any = None
        self._generation = db.attach_generation
        self._take_program(program)

    def _take_program(self, program: Any) -> None:
        """Run ``program`` from now on (a new statement, or one prepared
        again), with a fresh VM; bound values carry over to it."""
        self.program = program
        # Whether a run inside a transaction opens a statement savepoint.
        self._stmt_journal = not self.readonly and bool(program.uses_stmt_journal)
        self.verifies_schema = self._verifies_schema()
        self._new_vm()

    def _new_vm(self, keep_bindings: bool = True) -> None:
        """A fresh VM for the program; bound values carry over to it."""
        from pyrite.vdbe.vm import VM
        old = self._vm
        self._vm = VM(self.program, self.db)
        if old is not None and keep_bindings:
            for i in range(1, min(len(old.vars), len(self._vm.vars))):
                self._vm.vars[i] = old.vars[i]

    # -- description ------------------------------------------------------

    @property
    def readonly(self) -> bool:
        return bool(getattr(self.program, "readonly", False))

    def _verifies_schema(self) -> bool:
        """Whether the program checks, when it runs, that each database it
        uses still has the schema cookie it was compiled against (a
        Transaction with P5 for each): then a cached copy needs no check of
        the file before it runs; a stale schema raises SQLITE_SCHEMA in the
        run and the statement is prepared again."""
        from pyrite.vdbe.opcodes import BY_NAME
        transaction = BY_NAME["Transaction"].number
        checks = [op.p5 for op in self.program.instructions if op.opcode == transaction]
        return bool(checks) and all(checks)

    @property
    def is_explain(self) -> int:
        return int(getattr(self.program, "explain", 0) or 0)

    @property
    def column_names(self) -> list[str]:
        return list(self.program.column_names or [])

    @property
    def column_count(self) -> int:
        return len(self.column_names)

    @property
    def column_decltypes(self) -> list[str | None]:
        d = list(getattr(self.program, "column_decltypes", None) or [])
        return d + [None] * (self.column_count - len(d))

    @property
    def parameter_count(self) -> int:
        return self._vm.n_vars  # type: ignore[no-any-return]

    def parameter_name(self, i: int) -> str | None:
        names = getattr(self.program, "variables", None) or []
        if 1 <= i <= len(names):
            name = names[i - 1]
            if name is None or name == "?":
                return None
            return name
        return None

    def parameter_index(self, name: str) -> int:
        names = getattr(self.program, "variables", None) or []
        for i, n in enumerate(names, 1):
            if n == name:
                return i
        return 0

    # -- execution --------------------------------------------------------

    def bind(self, i: int, value: Any) -> None:
        if self.running:
            errors.raise_error(errors.SQLITE_MISUSE, "bad parameter or other API misuse")
        if not 1 <= i <= self.parameter_count:
            errors.raise_error(errors.SQLITE_RANGE, "column index out of range")
        self._vm.vars[i] = value

    def bind_values(self, values: list[Any]) -> None:
        """Bind parameters 1..n at once (the caller checked the count)."""
        if self.running:
            errors.raise_error(errors.SQLITE_MISUSE, "bad parameter or other API misuse")
        self._vm.vars[1:] = values

    def step(self) -> Any:
        """Run to the next row or the end, waiting on IO (sqlite3_step)."""
        while True:
            r = self.step_async()
            if r is IO:
                if self.pending is not None:
                    self.pending.wait()
                continue
            return r

    def step_rows(self, rows: list[Any]) -> Any:
        """Step on to the end, appending each row (a tuple) to ``rows``;
        answers DONE (or raises as step() does)."""
        vm = self._vm
        while True:
            r = self.step_async(rows)
            if r is ROW:
                rows.append(vm.result)
            elif r is IO:
                if self.pending is not None:
                    self.pending.wait()
            else:
                return r

    def step_async(self, rows: list[Any] | None = None) -> Any:
        """One step; answers "IO" with :attr:`pending` set when a read
        waits.  With ``rows``, see VM.step: rows made on the way are
        appended to it."""
        db = self.db
        if db.closed:
            errors.raise_error(errors.SQLITE_MISUSE, "Cannot operate on a closed database.")
        retries = 0
        if not self.running and self._generation != db.attach_generation:
            # ATTACH/DETACH renumbered the databases the program names.
            self._reprepare()
        while True:
            if not self.running:
                if not db.active_statements:
                    db.interrupted = False
                db.active_statements.add(self)
                self.running = True
            if self._savepoint is None and self._stmt_journal and db.in_write \
                    and not db.autocommit:
                self.open_statement_savepoint()
            db.current_statement = self
            try:
                r = self._vm.step(rows)
            except errors.Error as exc:
                code = getattr(exc, "sqlite_errorcode", None)
                # An OR FAIL conflict keeps what the statement already did
                # (sqlite3VdbeHalt: errorAction OE_Fail releases the statement
                # and lets autocommit commit), unless the error is special.
                keep = getattr(exc, "on_error", 0) == _OE_FAIL \
                    and (code or 0) & 0xFF not in _SPECIAL_ERRORS
                self._close_statement_savepoint(ok=keep)
                self._halted(ok=keep)
                if code == errors.SQLITE_SCHEMA and retries < MAX_SCHEMA_RETRY:
                    retries += 1
                    self._reprepare()
                    continue
                raise
            if r is _VM_ROW:
                return ROW
            if r is _VM_DONE:
                if self._savepoint is not None:
                    self._close_statement_savepoint(ok=True)
                elif db.current_statement is self:
                    db.current_statement = None
                self._halted()
                return DONE
            return self._step_other(_result_name(r))

    def _step_other(self, r: str) -> Any:
        """The rarer answers of the VM's step: IO, BUSY, INTERRUPT."""
        db = self.db
        if r == "IO":
            self.pending = getattr(self._vm, "pending", None)
            return IO
        if r == "ROW":
            return ROW
        self._close_statement_savepoint(ok=r == "DONE")
        if r == "BUSY":
            self._halted(ok=False)
            errors.raise_error(errors.SQLITE_BUSY, "database is locked")
        if r == "INTERRUPT":
            if not self.readonly and db.in_write:
                # sqlite3VdbeHalt: an interrupted write rolls the whole
                # transaction back and leaves autocommit mode on
                db.rollback()
                db.autocommit = True
            self._halted(ok=False)
            errors.raise_error(errors.SQLITE_INTERRUPT, "interrupted")
        self._halted()
        return DONE

    def open_statement_savepoint(self) -> None:
        """Open the statement savepoint (SQLite's statement journal) so that
        an error undoes only this statement's changes inside a transaction."""
        if self._savepoint is not None or not self.db.in_write or self.readonly \
                or not self.program.uses_stmt_journal:
            return
        n = self.db.savepoint_depth()
        self.db.pager_savepoint(n + 1)
        self._savepoint = n
        self._fk_saved = (self.db.fk_deferred, self.db.fk_deferred_imm)

    def _close_statement_savepoint(self, ok: bool) -> None:
        n = self._savepoint
        self._savepoint = None
        db = self.db
        if db.current_statement is self:
            db.current_statement = None
        if n is None or not db.in_write:
            return
        if not ok and n < db.savepoint_depth():
            db.pager_rollback_to(n)
            db.invalidate_schemas()
            if self.program.restores_deferred_fks:
                db.fk_deferred, db.fk_deferred_imm = self._fk_saved
        db.pager_release(n)

    def _halted(self, ok: bool = True) -> None:
        """The statement stopped: in autocommit mode, make sure no
        transaction or lock outlives the last running statement (the VM's
        Halt normally does this already)."""
        self.running = False
        db = self.db
        db.active_statements.discard(self)
        if not db.autocommit or db.closed:
            return
        if db.in_write and not self.readonly:
            # sqlite3VdbeHalt: in autocommit mode the last *writing* statement
            # commits even while read-only statements are still stepping.
            if any(not s.readonly for s in db.active_statements):
                return
            readers = bool(db.active_statements)
            if ok:
                self._autocommit()
            else:
                db.rollback()
            if readers:
                for pager in db._pagers():
                    pager.begin_read()
        elif not db.active_statements:
            if db.in_write:
                if ok:
                    self._autocommit()
                else:
                    db.rollback()
            else:
                db.end_reads()

    def _autocommit(self) -> None:
        """Commit the transaction this statement's run opened.  When the
        commit fails (SQLITE_BUSY: a reader holds its lock), the whole
        transaction is rolled back and the statement reports no changes,
        as sqlite3VdbeHalt does for a writing statement."""
        db = self.db
        try:
            db.commit()
        except errors.Error:
            db.rollback()
            db.total_changes -= db.changes
            db.changes = 0
            raise

    def _reprepare(self) -> None:
        """SQLITE_SCHEMA: recompile against the new schema and start over."""
        self.db.invalidate_schemas()
        # The statement's own text re-parses to the same tree, with offsets
        # relative to it.
        parsed = parse_one(self.sql, 0)
        self._generation = self.db.attach_generation
        self._take_program(self.db._compile(parsed, self.sql))

    def row(self) -> tuple:
        return tuple(self._vm.row())

    def reset(self) -> None:
        if self.running:
            self._close_statement_savepoint(ok=True)
            self._halted()
        vm = self._vm
        if vm.started:
            vm.reset()
        self.pending = None

    def clear_bindings(self) -> None:
        self._new_vm(keep_bindings=False)

    def finalize(self) -> None:
        if self.running:
            try:
                self._vm.reset()
            finally:
                self._halted()
