"""DB-API layer: the ``sqlite3`` module surface of Python 3.11 on top of the engine.

Top layer (imports :mod:`pyrite.engine`; nothing imports this but
``__init__`` and the shell).  CPython's counterpart is ``Modules/_sqlite``
(``connection.c``, ``cursor.c``, ``statement.c``, ``row.c``,
``microprotocols.c``) with ``Lib/sqlite3/dbapi2.py`` and ``dump.py``; the
behaviour reproduced here is 3.11's, including its exception classes and
messages:

* implicit transactions: when ``isolation_level`` is not None and the engine
  is in autocommit mode, ``BEGIN <level>`` runs before a statement whose first
  keyword (after whitespace and comments) is INSERT/UPDATE/DELETE/REPLACE;
* parameter binding (qmark and named styles), adapters and ``__conform__``;
* converters (``detect_types``), ``text_factory``, ``row_factory``/:class:`Row`;
* a per-connection LRU statement cache (``cached_statements``);
* ``iterdump`` producing the same text as ``sqlite3``'s.

The engine answers with :mod:`pyrite.errors` exceptions, which are the very
classes this module exports.
"""

from __future__ import annotations

import collections
import collections.abc
import datetime
import os
import threading
import time
from typing import Any, Callable, Iterator

from pyrite import engine as _engine
from pyrite import errors as _errors
from pyrite.engine import ROW as _ROW
from pyrite.errors import (  # noqa: F401 - re-exported (PEP 249)
    DatabaseError,
    DataError,
    Error,
    IntegrityError,
    InterfaceError,
    InternalError,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
    Warning,
)
from pyrite.sql.parser import complete_statement as _complete_statement
from pyrite.values import real_to_text as _real_to_text
from pyrite.values import text_bytes

# -- module constants -------------------------------------------------------------

apilevel = "2.0"
threadsafety = 1
paramstyle = "qmark"
version = "2.6.0"
version_info = tuple(int(x) for x in version.split("."))
sqlite_version = "3.40.1"
sqlite_version_info = tuple(int(x) for x in sqlite_version.split("."))

PARSE_DECLTYPES = 1
PARSE_COLNAMES = 2

# Result codes, as the sqlite3 module exports them.
for _code_name in dir(_errors):
    if _code_name.startswith("SQLITE_"):
        globals()[_code_name] = getattr(_errors, _code_name)
del _code_name

Date = datetime.date
Time = datetime.time
Timestamp = datetime.datetime
Binary = memoryview


def DateFromTicks(ticks: float) -> datetime.date:  # noqa: N802 - PEP 249 name
    return Date(*time.localtime(ticks)[:3])


def TimeFromTicks(ticks: float) -> datetime.time:  # noqa: N802
    return Time(*time.localtime(ticks)[3:6])


def TimestampFromTicks(ticks: float) -> datetime.datetime:  # noqa: N802
    return Timestamp(*time.localtime(ticks)[:6])


_MAX_INT64 = (1 << 63) - 1
_MIN_INT64 = -(1 << 63)
_MAX_SQL_LENGTH = 1_000_000_000  # SQLITE_MAX_SQL_LENGTH

_DML_KEYWORDS = ("insert", "update", "delete", "replace")

_callback_tracebacks = False


def enable_callback_tracebacks(flag: bool) -> None:
    """Print tracebacks of exceptions raised in user-defined callbacks."""
    global _callback_tracebacks
    _callback_tracebacks = bool(flag)


def _report_callback_error() -> None:
    if _callback_tracebacks:
        import traceback
        traceback.print_exc()


def complete_statement(statement: str) -> bool:
    """True if ``statement`` holds one or more complete SQL statements."""
    if not isinstance(statement, str):
        raise TypeError(
            f"complete_statement() argument 'statement' must be str, not "
            f"{type(statement).__name__}")
    return bool(_complete_statement(statement))


def enable_shared_cache(enable: int) -> None:
    """Deprecated in sqlite3; accepted and ignored."""
    import warnings
    warnings.warn("enable_shared_cache is deprecated and will be removed in Python 3.12.",
                  DeprecationWarning, stacklevel=2)


# -- adapters and converters (microprotocols.c) ---------------------------------


class PrepareProtocol:
    """The protocol object adapters are registered for (PEP 246)."""


adapters: dict[tuple[type, type], Callable[[Any], Any]] = {}
converters: dict[str, Callable[[bytes], Any]] = {}
_base_type_adapted = False


def register_adapter(type_: type, adapter: Callable[[Any], Any]) -> None:
    """Register ``adapter`` to turn values of ``type_`` into SQLite values."""
    global _base_type_adapted
    if type_ in (int, float, str, bytearray):
        _base_type_adapted = True
    adapters[(type_, PrepareProtocol)] = adapter


def register_converter(typename: str, converter: Callable[[bytes], Any]) -> None:
    """Register ``converter`` for declared type / column-name type ``typename``."""
    if not isinstance(typename, str):
        raise TypeError(f"register_converter() argument 1 must be str, not "
                        f"{type(typename).__name__}")
    converters[typename.upper()] = converter


_NO_ALT = object()


def adapt(obj: Any, proto: type = PrepareProtocol, alt: Any = _NO_ALT) -> Any:
    """Adapt ``obj`` to ``proto`` (pysqlite_microprotocols_adapt)."""
    adapter = adapters.get((type(obj), proto))
    if adapter is not None:
        return adapter(obj)
    adapt_method = getattr(proto, "__adapt__", None)
    if adapt_method is not None:
        adapted = adapt_method(obj)
        if adapted is not None:
            return adapted
    conform = getattr(obj, "__conform__", None)
    if conform is not None:
        adapted = conform(proto)
        if adapted is not None:
            return adapted
    if alt is not _NO_ALT:
        return alt
    raise ProgrammingError("can't adapt")


def _register_default_adapters() -> None:
    # Lib/sqlite3/dbapi2.py's defaults (deprecated in 3.12, present in 3.11).
    def adapt_date(val: datetime.date) -> str:
        return val.isoformat()

    def adapt_datetime(val: datetime.datetime) -> str:
        return val.isoformat(" ")

    def convert_date(val: bytes) -> datetime.date:
        return datetime.date(*map(int, val.split(b"-")))

    def convert_timestamp(val: bytes) -> datetime.datetime:
        datepart, timepart = val.split(b" ")
        year, month, day = map(int, datepart.split(b"-"))
        timepart_full = timepart.split(b".")
        hours, minutes, seconds = map(int, timepart_full[0].split(b":"))
        if len(timepart_full) == 2:
            microseconds = int("{:0<6.6}".format(timepart_full[1].decode()))
        else:
            microseconds = 0
        return datetime.datetime(year, month, day, hours, minutes, seconds, microseconds)

    register_adapter(datetime.date, adapt_date)
    register_adapter(datetime.datetime, adapt_datetime)
    register_converter("date", convert_date)
    register_converter("timestamp", convert_timestamp)


_register_default_adapters()
_base_type_adapted = False  # the defaults above are not base types anyway


def _need_adapt(obj: Any) -> bool:
    if _base_type_adapted:
        return True
    t = type(obj)
    return not (t is int or t is float or t is str or t is bytearray)


def _to_sqlite_value(value: Any) -> tuple[bool, Any]:
    """(ok, value) for a Python object bound as a parameter (bind_param)."""
    if value is None:
        return True, None
    if isinstance(value, int):
        v = int(value)
        if v > _MAX_INT64 or v < _MIN_INT64:
            raise OverflowError("Python int too large to convert to SQLite INTEGER")
        return True, v
    if isinstance(value, float):
        v = float(value)
        return True, (None if v != v else v)   # sqlite3_bind_double(NaN) stores NULL
    if isinstance(value, str):
        value.encode("utf-8")  # surrogates raise UnicodeEncodeError, as sqlite3
        return True, str(value)
    try:
        return True, bytes(memoryview(value))
    except TypeError:
        return False, None


def _lstrip_sql(sql: str) -> str:
    """``sql`` without leading whitespace and comments (statement.c lstrip_sql)."""
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c in " \t\f\n\r":
            i += 1
        elif sql.startswith("--", i):
            j = sql.find("\n", i)
            if j < 0:
                return ""
            i = j + 1
        elif sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            if j < 0:
                return ""
            i = j + 2
        else:
            break
    return sql[i:]


# -- quoting for iterdump ------------------------------------------------------


def _quote_value(v: Any) -> str:
    """SQLite's quote() of a value."""
    if v is None:
        return "NULL"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if v != v:
            return "NULL"
        if v in (float("inf"), float("-inf")):
            return "9.0e+999" if v > 0 else "-9.0e+999"
        text = _real_to_text(v)
        if float(text) == v:
            return text
        return "%.20e" % v
    if isinstance(v, str):
        return "'" + v.replace("'", "''") + "'"
    return "X'" + bytes(v).hex().upper() + "'"


# -- Row (row.c) -----------------------------------------------------------------


class Row:
    """A row with access by index and by case-insensitive column name."""

    __slots__ = ("_description", "_data")

    def __init__(self, cursor: Cursor, data: tuple) -> None:
        if not isinstance(cursor, Cursor):
            raise TypeError(f"Row() argument 1 must be sqlite3.Cursor, not "
                            f"{type(cursor).__name__}")
        if not isinstance(data, tuple):
            raise TypeError(f"Row() argument 2 must be tuple, not {type(data).__name__}")
        self._description = cursor.description
        self._data = data

    def keys(self) -> list[str]:
        if self._description is None:
            return []
        return [d[0] for d in self._description]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, int):
            return self._data[key]
        if isinstance(key, str):
            folded = key.lower() if key.isascii() else key
            for i, d in enumerate(self._description or ()):
                name = d[0]
                if name == key or (name.isascii() and name.lower() == folded):
                    return self._data[i]
            raise IndexError("No item with that key")
        if isinstance(key, slice):
            return self._data[key]
        raise IndexError("Index must be int or string")

    def __len__(self) -> int:
        return len(self._data)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._data)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Row):
            return NotImplemented
        return self._description == other._description and self._data == other._data

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self) -> int:
        return hash(self._description) ^ hash(self._data)

    def __repr__(self) -> str:
        return f"<{__name__}.Row object at {id(self):#x}>"


collections.abc.Sequence.register(Row)


# -- statement cache -------------------------------------------------------------


# Statements after which cached programs may describe a stale schema.
_SCHEMA_KEYWORDS = ("create", "drop", "alter", "vacuum", "reindex", "analyze", "rollback",
                    "pragma")


class _CachedStatement:
    """A prepared engine statement with what the cursor needs to know of it.

    ``cookie``/``generation`` record the schema it was compiled against: the
    schema cookie, and the connection's count of schema-changing statements
    (a safety net that does not rely on the cookie alone)."""

    __slots__ = ("stmt", "sql", "is_dml", "changes_schema", "in_use", "cookie", "generation",
                 "description")

    def __init__(self, stmt: Any, sql: str, cookie: Any, generation: int) -> None:
        self.stmt = stmt
        self.sql = sql
        head = _lstrip_sql(sql)[:8].lower()
        self.is_dml = head.startswith(_DML_KEYWORDS)
        self.changes_schema = head.startswith(_SCHEMA_KEYWORDS)
        self.in_use = False
        self.cookie = cookie
        self.generation = generation
        # (program, column-name mode, cursor.description), see Cursor._describe
        self.description: tuple | None = None


# -- Connection (connection.c) ---------------------------------------------------


class Connection:
    """A database connection (sqlite3.Connection)."""

    row_factory: Any = None
    Warning = Warning
    Error = Error
    InterfaceError = InterfaceError
    DatabaseError = DatabaseError
    DataError = DataError
    OperationalError = OperationalError
    IntegrityError = IntegrityError
    InternalError = InternalError
    ProgrammingError = ProgrammingError
    NotSupportedError = NotSupportedError

    def __init__(self, database: Any, timeout: float = 5.0, detect_types: int = 0,
                 isolation_level: str | None = "", check_same_thread: bool = True,
                 factory: Any = None, cached_statements: int = 128,
                 uri: bool = False) -> None:
        self._db: Any = None
        if isinstance(database, bytes):
            path = os.fsdecode(database)
        else:
            path = os.fspath(database)
        self._check_isolation_level(isolation_level)
        self._db = _engine.Database(path, uri=bool(uri))
        if hasattr(self._db, "set_busy_timeout"):
            self._db.set_busy_timeout(float(timeout))
        self._isolation_level = self._normalize_level(isolation_level)
        self.detect_types = int(detect_types)
        self.row_factory: Any = None
        self.text_factory: Any = str
        self._check_same_thread = bool(check_same_thread)
        self._thread_ident = threading.get_ident()
        self._cache: collections.OrderedDict[str, _CachedStatement] = collections.OrderedDict()
        self._cache_size = int(cached_statements)
        self._schema_generation = 0
        self._trace_callback: Any = None
        self._progress_handler: Any = None
        self._authorizer: Any = None
        self._closed = False

    # -- checks -----------------------------------------------------------

    def _check_thread(self) -> None:
        if self._check_same_thread and threading.get_ident() != self._thread_ident:
            raise ProgrammingError(
                "SQLite objects created in a thread can only be used in that same thread. "
                f"The object was created in thread id {self._thread_ident} and this is "
                f"thread id {threading.get_ident()}.")

    def _check(self) -> None:
        try:
            if self._db is not None and not self._closed and (
                    not self._check_same_thread
                    or threading.get_ident() == self._thread_ident):
                return
        except AttributeError:
            pass
        if getattr(self, "_db", None) is None and not getattr(self, "_closed", False):
            raise ProgrammingError("Base Connection.__init__ not called.")
        self._check_thread()
        if self._closed:
            raise ProgrammingError("Cannot operate on a closed database.")

    @staticmethod
    def _check_isolation_level(level: Any) -> None:
        if level is None:
            return
        if not isinstance(level, str):
            raise TypeError("isolation_level must be str or None")
        if level.upper() not in ("", "DEFERRED", "IMMEDIATE", "EXCLUSIVE"):
            raise ValueError("isolation_level string must be '', 'DEFERRED', "
                             "'IMMEDIATE', or 'EXCLUSIVE'")

    @staticmethod
    def _normalize_level(level: str | None) -> str | None:
        return None if level is None else level.upper()

    # -- properties -------------------------------------------------------

    @property
    def isolation_level(self) -> str | None:
        self._check()
        return self._isolation_level

    @isolation_level.setter
    def isolation_level(self, level: str | None) -> None:
        self._check()
        self._check_isolation_level(level)
        if level is None:
            # Setting None commits a pending transaction (as sqlite3 does).
            self.commit()
        self._isolation_level = self._normalize_level(level)

    @property
    def in_transaction(self) -> bool:
        self._check()
        return not self._db.autocommit

    @property
    def total_changes(self) -> int:
        self._check()
        return self._db.total_changes

    # -- statements -------------------------------------------------------

    def _prepare(self, sql: str) -> _CachedStatement | None:
        """A statement for ``sql`` (exactly one statement), from the cache when free."""
        cache = self._cache
        cached = cache.get(sql)
        if cached is not None and not cached.in_use:
            # (its text passed the checks below when it was cached)
            if self._still_valid(cached):
                cache.move_to_end(sql)
                return cached
            del cache[sql]
            cached.stmt.finalize()
            cached = None
        if len(sql) > _MAX_SQL_LENGTH:
            raise DataError("query string is too large")
        if "\0" in sql:
            raise ProgrammingError("the query contains a null character")
        sql.encode()    # as sqlite3: SQL that is not valid UTF-8 raises UnicodeEncodeError
        stmt, tail = self._db.prepare(sql, 0)
        if stmt is None:
            return None
        if _has_more_sql(sql, tail):
            stmt.finalize()
            raise ProgrammingError("You can only execute one statement at a time.")
        entry = _CachedStatement(stmt, sql, self._schema_cookie(), self._schema_generation)
        if self._cache_size > 0 and cached is None:
            self._cache[sql] = entry
            while len(self._cache) > self._cache_size:
                _, old = self._cache.popitem(last=False)
                if not old.in_use:
                    old.stmt.finalize()
        return entry

    def _schema_cookie(self) -> Any:
        schema = getattr(self._db, "schema", None)
        return getattr(schema, "schema_cookie", None)

    def _still_valid(self, entry: _CachedStatement) -> bool:
        """Is a cached statement compiled against the current schema?  Another
        connection may have changed it: the engine rereads the cookie."""
        if entry.generation != self._schema_generation:
            return False
        db = self._db
        if not entry.stmt.verifies_schema:
            try:
                db.ensure_schema()
            except Error:
                return False
        return entry.cookie == db.schema.schema_cookie  # type: ignore[no-any-return]

    def _schema_changed(self) -> None:
        self._schema_generation += 1

    def _run_simple(self, sql: str) -> None:
        """Prepare, run to completion and finalize one statement (sqlite3_exec)."""
        stmt, _ = self._db.prepare(sql, 0)
        if stmt is None:
            return
        try:
            while stmt.step() == _engine.ROW:
                pass
        finally:
            stmt.finalize()

    def _begin(self) -> None:
        level = self._isolation_level or ""
        self._run_simple(f"BEGIN {level}" if level else "BEGIN ")

    def cursor(self, factory: Any = None) -> Cursor:
        self._check()
        cur = (factory or Cursor)(self)
        if not isinstance(cur, Cursor):
            raise TypeError(f"factory must return a cursor, not {type(cur).__name__}")
        if self.row_factory is not None:
            cur.row_factory = self.row_factory
        return cur

    def _shortcut_cursor(self) -> Cursor:
        """The cursor of execute/executemany/executescript: as sqlite3's, a
        plain Cursor with the connection's row factory, made without a
        subclass's cursor() (the cursor checks the connection when it
        runs, after its arguments, as sqlite3 does)."""
        cur = Cursor(self)
        if self.row_factory is not None:
            cur.row_factory = self.row_factory
        return cur

    def execute(self, sql: str, parameters: Any = (), /) -> Cursor:
        return self._shortcut_cursor().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> Cursor:
        return self._shortcut_cursor().executemany(sql, parameters)

    def executescript(self, sql_script: str, /) -> Cursor:
        return self._shortcut_cursor().executescript(sql_script)

    def commit(self) -> None:
        self._check()
        if not self._db.autocommit:
            self._run_simple("COMMIT")

    def rollback(self) -> None:
        self._check()
        if not self._db.autocommit:
            self._schema_changed()
            self._run_simple("ROLLBACK")

    def close(self) -> None:
        if getattr(self, "_db", None) is None:
            return
        self._check_thread()
        if self._closed:
            return
        for entry in self._cache.values():
            try:
                entry.stmt.finalize()
            except Error:
                pass
        self._cache.clear()
        self._db.close()
        self._closed = True

    def __enter__(self) -> Connection:
        self._check()
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        if exc_type is None and exc is None:
            try:
                self.commit()
            except BaseException:
                self.rollback()
                raise
        else:
            self.rollback()
        return False

    def __del__(self) -> None:
        try:
            if getattr(self, "_db", None) is not None and not self._closed:
                self._db.close()
                self._closed = True
        except Exception:  # noqa: BLE001 - never raise from a finalizer
            pass

    # -- user functions ------------------------------------------------------

    def create_function(self, name: str, narg: int, func: Any, *,
                        deterministic: bool = False) -> None:
        self._check()
        if func is None:
            self._db.create_function(name, narg, None)
            return
        self._db.create_function(name, narg, _wrap_function(func), deterministic=deterministic)

    def create_aggregate(self, name: str, n_arg: int, aggregate_class: Any) -> None:
        self._check()
        if aggregate_class is None:
            self._db.create_aggregate(name, n_arg, None)
            return
        self._db.create_aggregate(name, n_arg, _wrap_aggregate(aggregate_class))

    def create_window_function(self, name: str, num_params: int,
                               aggregate_class: Any, /) -> None:
        """Register an aggregate window function: a class with step(),
        inverse(), value() and finalize() (sqlite3_create_window_function)."""
        self._check()
        if aggregate_class is None:
            self._db.create_window_function(name, num_params, None)
            return
        self._db.create_window_function(name, num_params, _wrap_window(aggregate_class))

    def create_collation(self, name: str, callable_: Any, /) -> None:
        self._check()
        if not isinstance(name, str):
            raise TypeError(f"create_collation() argument 1 must be str, not "
                            f"{type(name).__name__}")
        if callable_ is not None and not callable(callable_):
            raise TypeError("parameter must be callable")
        self._db.create_collation(name, None if callable_ is None else _wrap_collation(callable_))

    def interrupt(self) -> None:
        # Meant to be called from another thread: no same-thread check.
        if self._closed:
            raise ProgrammingError("Cannot operate on a closed database.")
        self._db.interrupt()

    def set_trace_callback(self, trace_callback: Any) -> None:
        """Stored; called with each statement's text before it runs."""
        self._check()
        self._trace_callback = trace_callback

    def set_progress_handler(self, progress_handler: Any, n: int) -> None:
        """Call ``progress_handler()`` every ``n`` VM instructions; a true
        answer interrupts the statement (n < 1 or None removes it)."""
        self._check()
        self._progress_handler = None if progress_handler is None else (progress_handler, n)
        self._db.progress_handler = None if progress_handler is None or n < 1 \
            else (progress_handler, int(n))

    def set_authorizer(self, authorizer_callback: Any) -> None:
        """Stored only: the compiler does not consult an authorizer (known difference)."""
        self._check()
        self._authorizer = authorizer_callback

    def enable_load_extension(self, enabled: bool, /) -> None:
        self._check()
        raise NotSupportedError("Pyrite cannot load SQLite extensions")

    def load_extension(self, name: str, /) -> None:
        self._check()
        raise NotSupportedError("Pyrite cannot load SQLite extensions")

    def _trace(self, sql: str) -> None:
        cb = self._trace_callback
        if cb is not None:
            try:
                cb(sql)
            except Exception:  # noqa: BLE001 - sqlite3 ignores callback errors
                _report_callback_error()

    # -- dump ------------------------------------------------------------------

    def backup(self, target: Any, *, pages: int = -1, progress: Any = None,
               name: str = "main", sleep: float = 0.250) -> None:
        """Copy database ``name`` over ``target``'s main database (as
        sqlite3's Connection.backup; see pyrite/backup.py)."""
        self._check()
        if not isinstance(target, Connection):
            raise TypeError("backup() argument 'target' must be pyrite.Connection, "
                            f"not {type(target).__name__ if target is not None else 'None'}")
        if target is self:
            raise ValueError("target cannot be the same connection instance")
        target._check()
        if progress is not None and not callable(progress):
            raise TypeError("progress argument must be a callable")
        if not isinstance(name, str):
            raise TypeError(f"backup() argument 'name' must be str, not {type(name).__name__}")
        from pyrite.backup import run_backup
        run_backup(self._db, name, target._db, int(pages), progress)

    def serialize(self, *, name: str = "main") -> bytes:
        """The bytes of database ``name``, as sqlite3's Connection.serialize()."""
        self._check()
        from pyrite.backup import serialize
        return serialize(self._db, name)

    def deserialize(self, data: Any, /, *, name: str = "main") -> None:
        """Reopen database ``name`` in memory holding ``data`` (a serialized
        database), as sqlite3's Connection.deserialize()."""
        self._check()
        try:
            # (sqlite3 takes text too, as its UTF-8 bytes)
            raw = data.encode() if isinstance(data, str) else memoryview(data).tobytes()
        except TypeError:
            raise TypeError("a bytes-like object is required, "
                            f"not '{type(data).__name__}'") from None
        from pyrite.backup import deserialize
        deserialize(self._db, raw, name)
        self._schema_changed()

    def iterdump(self) -> Iterator[str]:
        """The database as SQL text, as sqlite3's Connection.iterdump()."""
        self._check()
        return _iterdump(self)


def _has_more_sql(sql: str, tail: int) -> bool:
    """True when another statement follows ``sql[:tail]`` (not just ';' or comments)."""
    rest = sql[tail:]
    while True:
        rest = _lstrip_sql(rest)
        if rest.startswith(";"):
            rest = rest[1:]
            continue
        return bool(rest)


def _iterdump(con: Connection) -> Iterator[str]:
    db = con._db

    def query(sql: str) -> list[tuple]:
        stmt, _ = db.prepare(sql, 0)
        rows = []
        try:
            while stmt.step() == _engine.ROW:
                rows.append(stmt.row())
        finally:
            stmt.finalize()
        return rows

    def text(v: Any) -> Any:
        return v.decode("utf-8", "replace") if isinstance(v, bytes) else v

    yield "BEGIN TRANSACTION;"
    schema = [tuple(text(x) for x in r)
              for r in query('SELECT "name", "type", "sql" FROM "sqlite_master"')]
    sqlite_sequence: list[str] = []
    tables = sorted((r for r in schema if r[2] is not None and r[1] == "table"),
                    key=lambda r: r[0].encode("utf-8"))
    for table_name, _type, sql in tables:
        if table_name == "sqlite_sequence":
            rows = query('SELECT * FROM "sqlite_sequence";')
            sqlite_sequence = ['DELETE FROM "sqlite_sequence"']
            sqlite_sequence += [f"INSERT INTO \"sqlite_sequence\" VALUES('{r[0]}',{r[1]})"
                                for r in rows]
            continue
        elif table_name == "sqlite_stat1":
            yield 'ANALYZE "sqlite_master";'
        elif table_name.startswith("sqlite_"):
            continue
        else:
            yield f"{sql};"
        ident = table_name.replace('"', '""')
        for row in query(f'SELECT * FROM "{ident}"'):
            yield f'INSERT INTO "{ident}" VALUES({",".join(_quote_value(v) for v in row)});'
    for _name, _type, sql in schema:
        if sql is not None and _type in ("index", "trigger", "view"):
            yield f"{sql};"
    for row in sqlite_sequence:
        yield f"{row};"
    yield "COMMIT;"


# -- user callbacks --------------------------------------------------------------


def _result_value(v: Any) -> Any:
    """A callback's return value as a SQLite value (_pysqlite_set_result)."""
    if v is None or type(v) in (int, float, str, bytes):
        if type(v) is int and not _MIN_INT64 <= v <= _MAX_INT64:
            raise OverflowError("Python int too large to convert to SQLite INTEGER")
        if type(v) is float and v != v:
            return None                         # sqlite3_result_double(NaN) is NULL
        return v
    if isinstance(v, int):
        return _result_value(int(v))
    if isinstance(v, float):
        return float(v)
    if isinstance(v, str):
        return str(v)
    return bytes(memoryview(v))


def _wrap_function(func: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        try:
            return _result_value(func(*args))
        except Error:
            raise
        except Exception:  # noqa: BLE001 - reported as SQLite reports it
            _report_callback_error()
            raise OperationalError("user-defined function raised exception") from None
    call.__name__ = getattr(func, "__name__", "function")
    return call


def _wrap_aggregate(cls: Any) -> Any:
    class Aggregate:
        def __init__(self, *coll: Any) -> None:
            self.failed: str | None = None
            try:
                self.inner = cls()
            except Exception:  # noqa: BLE001
                _report_callback_error()
                self.inner = None
                self.failed = "user-defined aggregate's '__init__' method raised error"

        def step(self, *args: Any) -> None:
            if self.failed is not None:
                raise OperationalError(self.failed)
            try:
                self.inner.step(*args)
            except AttributeError:
                _report_callback_error()
                raise OperationalError(
                    "user-defined aggregate's 'step' method not defined") from None
            except Exception:  # noqa: BLE001
                _report_callback_error()
                raise OperationalError(
                    "user-defined aggregate's 'step' method raised error") from None

        def finalize(self) -> Any:
            if self.failed is not None:
                raise OperationalError(self.failed)
            try:
                return _result_value(self.inner.finalize())
            except Exception:  # noqa: BLE001
                _report_callback_error()
                raise OperationalError(
                    "user-defined aggregate's 'finalize' method raised error") from None

    Aggregate.__name__ = getattr(cls, "__name__", "Aggregate")
    return Aggregate


def _wrap_window(cls: Any) -> Any:
    base = _wrap_aggregate(cls)

    def call(self: Any, method: str, *args: Any) -> Any:
        if self.failed is not None:
            raise OperationalError(self.failed)
        try:
            fn = getattr(self.inner, method)
        except AttributeError:
            _report_callback_error()
            raise OperationalError(
                f"user-defined aggregate's '{method}' method not defined") from None
        try:
            return fn(*args)
        except Exception:  # noqa: BLE001
            _report_callback_error()
            raise OperationalError(
                f"user-defined aggregate's '{method}' method raised error") from None

    class WindowAggregate(base):  # type: ignore[misc, valid-type]
        def inverse(self, *args: Any) -> None:
            call(self, "inverse", *args)

        def value(self) -> Any:
            return _result_value(call(self, "value"))

    WindowAggregate.__name__ = base.__name__
    return WindowAggregate


def _wrap_collation(func: Callable[[str, str], Any]) -> Callable[[str, str], int]:
    def compare(a: str, b: str) -> int:
        try:
            r = func(a, b)
            r = int(r) if isinstance(r, int) else int(r.__index__())
        except Exception:  # noqa: BLE001 - sqlite3 treats errors as "equal"
            _report_callback_error()
            return 0
        return (r > 0) - (r < 0)
    return compare


# -- Cursor (cursor.c) -------------------------------------------------------------


class Cursor:
    """A cursor (sqlite3.Cursor): runs statements and fetches their rows."""

    # A new cursor's state: class attributes until first set (a cursor is
    # made for every Connection.execute).
    arraysize = 1
    row_factory: Any = None
    description: tuple | None = None
    rowcount = -1
    lastrowid: int | None = None
    _statement: _CachedStatement | None = None
    _converters: list[Any] | None = None
    _closed = False
    _locked = False

    def __init__(self, connection: Connection, /) -> None:
        if type(connection) is not Connection and not isinstance(connection, Connection):
            raise TypeError(f"Cursor() argument must be sqlite3.Connection, not "
                            f"{type(connection).__name__}")
        self._connection = connection
        self._initialized = True

    @property
    def connection(self) -> Connection:
        return self._connection

    def _check(self) -> None:
        try:
            ok = self._initialized and not self._closed and not self._locked
        except AttributeError:
            ok = False
        if not ok:
            if not getattr(self, "_initialized", False):
                raise ProgrammingError("Base Cursor.__init__ not called.")
            if self._closed:
                raise ProgrammingError("Cannot operate on a closed cursor.")
            if self._locked:
                raise ProgrammingError("Recursive use of cursors not allowed.")
        self._connection._check()

    def _release_statement(self) -> None:
        entry = self._statement
        self._statement = None
        if entry is not None:
            entry.in_use = False
            try:
                entry.stmt.reset()
            except Error:
                pass
            if self._connection._cache.get(entry.sql) is not entry:
                try:
                    entry.stmt.finalize()
                except Error:
                    pass

    def __del__(self) -> None:
        # As sqlite3's cursor deallocation: a statement the cursor still
        # holds is reset, so its cached copy is free again and a read it
        # left unfinished drops its lock.
        if self.__dict__.get("_statement") is not None:
            try:
                self._release_statement()
            except Exception:  # noqa: BLE001 - never raise from a finalizer
                pass

    def close(self) -> None:
        if not getattr(self, "_initialized", False):
            raise ProgrammingError("Base Cursor.__init__ not called.")
        self._connection._check()
        self._release_statement()
        self._closed = True

    def setinputsizes(self, sizes: Any, /) -> None:
        """PEP 249: does nothing."""

    def setoutputsize(self, size: Any, column: Any = None, /) -> None:
        """PEP 249: does nothing."""

    # -- execution -------------------------------------------------------

    def execute(self, sql: str, parameters: Any = (), /) -> Cursor:
        if not isinstance(sql, str):
            raise TypeError(f"execute() argument 1 must be str, not {type(sql).__name__}")
        return self._execute(sql, [parameters], multiple=False)

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> Cursor:
        if not isinstance(sql, str):
            raise TypeError(f"executemany() argument 1 must be str, not {type(sql).__name__}")
        try:
            it = iter(seq_of_parameters)
        except TypeError:
            self._check()
            raise TypeError("'" + type(seq_of_parameters).__name__
                            + "' object is not iterable") from None
        return self._execute(sql, it, multiple=True)

    def _execute(self, sql: str, params_iter: Any, multiple: bool) -> Cursor:
        self._check()
        con = self._connection
        db = con._db
        self._locked = True
        try:
            if self._statement is not None:
                self._release_statement()
            self.description = None
            self.rowcount = -1
            entry = con._prepare(sql)
            if entry is None:
                return self
            stmt = entry.stmt
            entry.in_use = True
            self._statement = entry
            is_dml = entry.is_dml
            self.rowcount = 0 if is_dml else -1
            if con._isolation_level is not None and is_dml and db.autocommit:
                con._begin()
            self._converters = self._build_converters(stmt) if con.detect_types else None
            if entry.changes_schema:
                con._schema_changed()
            described = False
            for params in params_iter:
                # (a statement done is reset here or by _release_statement:
                # its cursors were closed and its locks let go when it halted)
                stmt.reset()
                self._bind(stmt, params)
                if con._trace_callback is not None:
                    con._trace(sql)
                rc = stmt.step()
                if not described:
                    self.description = self._describe(entry)
                    described = True
                if rc is not _ROW and is_dml:
                    self.rowcount += db.changes
                if not multiple:
                    self.lastrowid = db.last_insert_rowid
                if rc is _ROW:
                    if multiple:
                        raise ProgrammingError("executemany() can only execute DML statements.")
                    return self
            self._release_statement()
            return self
        except BaseException:
            self._release_statement()
            self.rowcount = -1
            raise
        finally:
            self._locked = False

    def _describe(self, entry: _CachedStatement) -> tuple | None:
        """cursor.description for the statement: one 7-tuple per result
        column, or None for a statement without columns (made once per
        program and column-name mode)."""
        stmt = entry.stmt
        colnames = bool(self._connection.detect_types & PARSE_COLNAMES)
        cached = entry.description
        if cached is not None and cached[0] is stmt.program and cached[1] == colnames:
            return cached[2]  # type: ignore[no-any-return]
        names = stmt.column_names
        desc = tuple((self._column_name(n), None, None, None, None, None, None)
                     for n in names) if names else None
        entry.description = (stmt.program, colnames, desc)
        return desc

    def executescript(self, sql_script: str, /) -> Cursor:
        if not isinstance(sql_script, str):
            raise TypeError(f"executescript() argument must be str, not "
                            f"{type(sql_script).__name__}")
        self._check()
        if len(sql_script) > _MAX_SQL_LENGTH:
            raise DataError("query string is too large")
        if "\0" in sql_script:
            raise ValueError("embedded null character")
        sql_script.encode()    # UnicodeEncodeError for lone surrogates, as sqlite3
        con = self._connection
        db = con._db
        self._release_statement()
        if not db.autocommit:
            con._run_simple("COMMIT")
        con._schema_changed()
        offset = 0
        n = len(sql_script)
        while offset < n:
            stmt, tail = db.prepare(sql_script, offset)
            if stmt is None:
                break
            try:
                con._trace(stmt.sql)
                while stmt.step() == _engine.ROW:
                    pass
            finally:
                stmt.finalize()
            if tail <= offset:
                break
            offset = tail
        return self

    # -- binding ------------------------------------------------------------

    def _bind(self, stmt: Any, parameters: Any) -> None:
        needed = stmt.parameter_count
        # As _sqlite's bind_parameters: tuples and lists, then anything
        # PySequence_Check accepts (not a dict, has __getitem__), are
        # positional; dicts are named.
        kind = type(parameters)
        if (kind is tuple or kind is list) and not _base_type_adapted:
            if len(parameters) != needed:
                raise ProgrammingError(
                    f"Incorrect number of bindings supplied. The current statement uses "
                    f"{needed}, and there are {len(parameters)} supplied.")
            if needed:
                # Values that bind as they are (an int in range, ASCII
                # text, a float that is not NaN, None) are checked in line;
                # anything else takes _converted_values.
                for v in parameters:
                    t = type(v)
                    if t is int:
                        if _MIN_INT64 <= v <= _MAX_INT64:
                            continue
                    elif t is str:
                        if v.isascii():
                            continue
                    elif v is None:
                        continue
                    elif t is float and v == v:
                        continue
                    parameters = self._converted_values(parameters)
                    break
                stmt.bind_values(parameters)
            return
        if kind in (tuple, list) or (
                not isinstance(parameters, dict) and hasattr(type(parameters), "__getitem__")):
            try:
                supplied = len(parameters)
            except TypeError:
                raise ProgrammingError("parameters are of unsupported type") from None
            if supplied != needed:
                raise ProgrammingError(
                    f"Incorrect number of bindings supplied. The current statement uses "
                    f"{needed}, and there are {supplied} supplied.")
            for i in range(needed):
                self._bind_one(stmt, i + 1, parameters[i])
        elif isinstance(parameters, dict):
            for i in range(1, needed + 1):
                name = stmt.parameter_name(i)
                if not name:
                    raise ProgrammingError(
                        f"Binding {i} has no name, but you supplied a dictionary "
                        f"(which has only names).")
                key = name[1:]
                try:
                    value = parameters[key]
                except LookupError:
                    raise ProgrammingError(
                        f"You did not supply a value for binding parameter :{key}.") from None
                self._bind_one(stmt, i, value)
        else:
            raise ProgrammingError("parameters are of unsupported type")

    @classmethod
    def _converted_values(cls, parameters: Any) -> list[Any]:
        """The values to bind for positional ``parameters``: ints, floats,
        text and None are checked in line; anything else takes the general
        path (adapters, buffers)."""
        values = list(parameters)
        for i, v in enumerate(values):
            t = type(v)
            if t is int:
                if v > _MAX_INT64 or v < _MIN_INT64:
                    raise OverflowError("Python int too large to convert to SQLite INTEGER")
            elif t is str:
                if not v.isascii():
                    v.encode("utf-8")  # surrogates raise UnicodeEncodeError, as sqlite3
            elif t is float:
                if v != v:
                    values[i] = None   # sqlite3_bind_double(NaN) stores NULL
            elif v is not None:
                values[i] = cls._bind_value(i + 1, v)
        return values

    @staticmethod
    def _bind_value(i: int, value: Any) -> Any:
        """Parameter ``i``'s value as SQLite stores it (adapted, converted)."""
        if _need_adapt(value):
            value = adapt(value, PrepareProtocol, value)
        ok, v = _to_sqlite_value(value)
        if not ok:
            raise ProgrammingError(
                f"Error binding parameter {i}: type '{type(value).__name__}' is not supported")
        return v

    @staticmethod
    def _bind_one(stmt: Any, i: int, value: Any) -> None:
        stmt.bind(i, Cursor._bind_value(i, value))

    # -- converters -------------------------------------------------------

    def _column_name(self, name: str) -> str:
        if self._connection.detect_types & PARSE_COLNAMES:
            pos = name.find("[")
            if pos >= 0:
                if pos > 0 and name[pos - 1] == " ":
                    pos -= 1
                return name[:pos]
        return name

    def _build_converters(self, stmt: Any) -> list[Any] | None:
        detect = self._connection.detect_types
        if not detect:
            return None
        result: list[Any] = []
        names = stmt.column_names
        decltypes = stmt.column_decltypes
        for i in range(stmt.column_count):
            conv = None
            if detect & PARSE_COLNAMES:
                name = names[i] or ""
                start = name.find("[")
                if start >= 0:
                    end = name.find("]", start + 1)
                    if end >= 0:
                        conv = converters.get(name[start + 1:end].upper())
            if conv is None and detect & PARSE_DECLTYPES:
                decl = decltypes[i] if i < len(decltypes) else None
                if decl:
                    cut = len(decl)
                    for j, ch in enumerate(decl):
                        if ch in " (":
                            cut = j
                            break
                    conv = converters.get(decl[:cut].upper())
            result.append(conv)
        return result

    # -- fetching -----------------------------------------------------------

    def _convert_row(self, raw: tuple) -> tuple:
        conv = self._converters
        text_factory = self._connection.text_factory
        out = []
        for i, v in enumerate(raw):
            c = conv[i] if conv is not None and i < len(conv) else None
            if c is not None:
                if v is None:
                    out.append(None)
                    continue
                blob = _as_blob(v)
                out.append(None if not blob else c(blob))
            elif isinstance(v, str) and text_factory is not str:
                data = text_bytes(v)
                if text_factory is bytes:
                    out.append(data)
                elif text_factory is bytearray:
                    out.append(bytearray(data))
                else:
                    out.append(text_factory(data))
            elif type(v) is str and not v.isascii() and text_factory is str:
                try:
                    v.encode("utf-8")
                except UnicodeEncodeError:
                    # text that is not UTF-8, as sqlite3 reports it
                    name = self._statement.stmt.column_names[i] if self._statement else ""
                    shown = text_bytes(v).decode("utf-8", "replace")
                    raise OperationalError(f"Could not decode to UTF-8 column '{name}' "
                                           f"with text '{shown}'") from None
                out.append(v)
            else:
                out.append(v)
        return tuple(out)

    def __iter__(self) -> Cursor:
        return self

    def __next__(self) -> Any:
        self._check()
        entry = self._statement
        if entry is None:
            raise StopIteration
        stmt = entry.stmt
        row = stmt.row()
        if self._converters is not None or self._connection.text_factory is not str \
                or not _plain_text(row):
            self._locked = True
            try:
                row = self._convert_row(row)
            finally:
                self._locked = False
        try:
            rc = stmt.step()
        except BaseException:
            self._release_statement()
            raise
        if rc != _engine.ROW:
            if entry.is_dml:
                self.rowcount = self._connection._db.changes
            self._release_statement()
        if self.row_factory is not None:
            row = self.row_factory(self, row)
        return row

    def fetchone(self) -> Any:
        try:
            return next(self)
        except StopIteration:
            return None

    def fetchmany(self, size: int | None = None) -> list[Any]:
        n = self.arraysize if size is None else size
        rows = []
        for row in self:
            rows.append(row)
            n -= 1
            if n <= 0:
                break
        return rows

    def fetchall(self) -> list[Any]:
        con = self._connection
        if self._converters is not None or self.row_factory is not None \
                or getattr(con, "text_factory", None) is not str:
            return list(self)
        self._check()
        entry = self._statement
        if entry is None:
            return []
        # __next__'s work without its per-row checks: rows come from the VM
        # as tuples; text that is not all ASCII is checked as __next__ does.
        stmt = entry.stmt
        rows: list[Any] = [stmt._vm.result]
        try:
            stmt.step_rows(rows)
            for i, row in enumerate(rows):
                for v in row:
                    if type(v) is str and not v.isascii():
                        rows[i] = self._convert_row(row)
                        break
        except BaseException:
            self._release_statement()
            raise
        if entry.is_dml:
            self.rowcount = con._db.changes
        self._release_statement()
        return rows


def _plain_text(row: tuple) -> bool:
    """Whether a row can be returned as the engine made it: its text is all
    ASCII (other text must be checked for bytes that are not UTF-8)."""
    for v in row:
        if type(v) is str and not v.isascii():
            return False
    return True


def _as_blob(v: Any) -> bytes:
    """sqlite3_column_blob() of a value: numbers as their text."""
    if isinstance(v, bytes):
        return v
    if isinstance(v, str):
        return text_bytes(v)
    if isinstance(v, float):
        return _real_to_text(v).encode()
    return str(v).encode()


# -- connect ---------------------------------------------------------------------


def connect(database: Any, timeout: float = 5.0, detect_types: int = 0,
            isolation_level: str | None = "", check_same_thread: bool = True,
            factory: Any = Connection, cached_statements: int = 128,
            uri: bool = False) -> Connection:
    """Open a connection to the SQLite database file ``database``.

    As sqlite3.connect, ``factory`` (a Connection subclass) is called with
    the same arguments, ``factory`` included."""
    return _connect(database, timeout, detect_types, isolation_level, check_same_thread,
                    factory, cached_statements, uri)


def _connect(*args: Any, **kwargs: Any) -> Connection:
    factory = args[5] if len(args) > 5 else kwargs.get("factory", Connection)
    return (factory or Connection)(*args, **kwargs)


__all__ = [
    "apilevel", "threadsafety", "paramstyle", "version", "version_info",
    "sqlite_version", "sqlite_version_info", "PARSE_DECLTYPES", "PARSE_COLNAMES",
    "Warning", "Error", "InterfaceError", "DatabaseError", "DataError",
    "OperationalError", "IntegrityError", "InternalError", "ProgrammingError",
    "NotSupportedError", "Row", "Cursor", "Connection", "connect", "complete_statement",
    "register_adapter", "register_converter", "adapters", "converters", "adapt",
    "PrepareProtocol", "Binary", "Date", "Time", "Timestamp", "DateFromTicks",
    "TimeFromTicks", "TimestampFromTicks", "enable_callback_tracebacks",
    "enable_shared_cache",
]
__all__ += [n for n in dir(_errors) if n.startswith("SQLITE_")]
