"""Errors: the PEP 249 exception hierarchy and SQLite's result codes.

Bottom layer, imported by every other package.  SQLite's counterpart is the
result-code list of ``sqlite3.h`` together with the mapping from result code to
exception class that CPython's ``_sqlite`` module applies
(``_pysqlite_seterror``).  Engine code raises with :func:`raise_error` /
:func:`make_error`, giving the (extended) result code and SQLite's message; the
class is chosen from the primary code exactly as the ``sqlite3`` module does, and
every exception carries ``sqlite_errorcode`` and ``sqlite_errorname``.
"""

from __future__ import annotations

from typing import NoReturn

# Primary result codes (sqlite3.h).
SQLITE_OK = 0
SQLITE_ERROR = 1
SQLITE_INTERNAL = 2
SQLITE_PERM = 3
SQLITE_ABORT = 4
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_NOMEM = 7
SQLITE_READONLY = 8
SQLITE_INTERRUPT = 9
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_NOTFOUND = 12
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_PROTOCOL = 15
SQLITE_EMPTY = 16
SQLITE_SCHEMA = 17
SQLITE_TOOBIG = 18
SQLITE_CONSTRAINT = 19
SQLITE_MISMATCH = 20
SQLITE_MISUSE = 21
SQLITE_NOLFS = 22
SQLITE_AUTH = 23
SQLITE_FORMAT = 24
SQLITE_RANGE = 25
SQLITE_NOTADB = 26
SQLITE_NOTICE = 27
SQLITE_WARNING = 28
SQLITE_ROW = 100
SQLITE_DONE = 101

# Extended result codes used by the engine: primary | (n << 8).
SQLITE_IOERR_READ = SQLITE_IOERR | (1 << 8)
SQLITE_IOERR_SHORT_READ = SQLITE_IOERR | (2 << 8)
SQLITE_IOERR_WRITE = SQLITE_IOERR | (3 << 8)
SQLITE_IOERR_FSYNC = SQLITE_IOERR | (4 << 8)
SQLITE_IOERR_TRUNCATE = SQLITE_IOERR | (6 << 8)
SQLITE_IOERR_DELETE = SQLITE_IOERR | (10 << 8)
SQLITE_IOERR_LOCK = SQLITE_IOERR | (15 << 8)
SQLITE_BUSY_RECOVERY = SQLITE_BUSY | (1 << 8)
SQLITE_BUSY_SNAPSHOT = SQLITE_BUSY | (2 << 8)
SQLITE_CANTOPEN_ISDIR = SQLITE_CANTOPEN | (2 << 8)
SQLITE_CORRUPT_INDEX = SQLITE_CORRUPT | (3 << 8)
SQLITE_READONLY_DBMOVED = SQLITE_READONLY | (4 << 8)
SQLITE_ABORT_ROLLBACK = SQLITE_ABORT | (2 << 8)
SQLITE_CONSTRAINT_CHECK = SQLITE_CONSTRAINT | (1 << 8)
SQLITE_CONSTRAINT_COMMITHOOK = SQLITE_CONSTRAINT | (2 << 8)
SQLITE_CONSTRAINT_FOREIGNKEY = SQLITE_CONSTRAINT | (3 << 8)
SQLITE_CONSTRAINT_FUNCTION = SQLITE_CONSTRAINT | (4 << 8)
SQLITE_CONSTRAINT_NOTNULL = SQLITE_CONSTRAINT | (5 << 8)
SQLITE_CONSTRAINT_PRIMARYKEY = SQLITE_CONSTRAINT | (6 << 8)
SQLITE_CONSTRAINT_TRIGGER = SQLITE_CONSTRAINT | (7 << 8)
SQLITE_CONSTRAINT_UNIQUE = SQLITE_CONSTRAINT | (8 << 8)
SQLITE_CONSTRAINT_VTAB = SQLITE_CONSTRAINT | (9 << 8)
SQLITE_CONSTRAINT_ROWID = SQLITE_CONSTRAINT | (10 << 8)
SQLITE_CONSTRAINT_PINNED = SQLITE_CONSTRAINT | (11 << 8)
SQLITE_CONSTRAINT_DATATYPE = SQLITE_CONSTRAINT | (12 << 8)

ERROR_NAMES: dict[int, str] = {
    value: name
    for name, value in list(globals().items())
    if name.startswith("SQLITE_") and isinstance(value, int)
}

# Default messages (sqlite3ErrStr).
ERROR_MESSAGES: dict[int, str] = {
    SQLITE_OK: "not an error",
    SQLITE_ERROR: "SQL logic error",
    SQLITE_INTERNAL: "internal logic error",
    SQLITE_PERM: "access permission denied",
    SQLITE_ABORT: "query aborted",
    SQLITE_BUSY: "database is locked",
    SQLITE_LOCKED: "database table is locked",
    SQLITE_NOMEM: "out of memory",
    SQLITE_READONLY: "attempt to write a readonly database",
    SQLITE_INTERRUPT: "interrupted",
    SQLITE_IOERR: "disk I/O error",
    SQLITE_CORRUPT: "database disk image is malformed",
    SQLITE_NOTFOUND: "unknown operation",
    SQLITE_FULL: "database or disk is full",
    SQLITE_CANTOPEN: "unable to open database file",
    SQLITE_PROTOCOL: "locking protocol",
    SQLITE_SCHEMA: "database schema has changed",
    SQLITE_TOOBIG: "string or blob too big",
    SQLITE_CONSTRAINT: "constraint failed",
    SQLITE_MISMATCH: "datatype mismatch",
    SQLITE_MISUSE: "bad parameter or other API misuse",
    SQLITE_AUTH: "authorization denied",
    SQLITE_RANGE: "column index out of range",
    SQLITE_NOTADB: "file is not a database",
    SQLITE_ROW: "another row available",
    SQLITE_DONE: "no more rows available",
}


class Warning(Exception):  # noqa: A001 - PEP 249 name
    """PEP 249 Warning."""


class Error(Exception):
    """Base of all Pyrite errors (PEP 249)."""

    sqlite_errorcode: int = SQLITE_ERROR
    sqlite_errorname: str = "SQLITE_ERROR"

    def __init__(self, *args: object, code: int | None = None) -> None:
        super().__init__(*args)
        if code is not None:
            self.sqlite_errorcode = code
            self.sqlite_errorname = error_name(code)


class InterfaceError(Error):
    """Misuse of the module's interface."""


class DatabaseError(Error):
    """Errors related to the database."""


class DataError(DatabaseError):
    """Problems with the processed data (e.g. string or blob too big)."""


class OperationalError(DatabaseError):
    """Errors in the database's operation (SQL errors, locks, I/O)."""


class IntegrityError(DatabaseError):
    """A constraint failed."""


class InternalError(DatabaseError):
    """The engine's internal state is inconsistent."""


class ProgrammingError(DatabaseError):
    """Programming errors: closed objects, wrong parameter counts, ..."""


class NotSupportedError(DatabaseError):
    """A method or database API is not supported."""


def error_name(code: int) -> str:
    """SQLite's symbolic name for a (possibly extended) result code."""
    name = ERROR_NAMES.get(code)
    if name is None:
        name = ERROR_NAMES.get(code & 0xFF, "SQLITE_UNKNOWN")
    return name


def error_class(code: int) -> type[Exception]:
    """The exception class the ``sqlite3`` module raises for a result code."""
    primary = code & 0xFF
    if primary in (SQLITE_INTERNAL, SQLITE_NOTFOUND):
        return InternalError
    if primary == SQLITE_NOMEM:
        return MemoryError
    if primary in (
        SQLITE_ERROR, SQLITE_PERM, SQLITE_ABORT, SQLITE_BUSY, SQLITE_LOCKED,
        SQLITE_READONLY, SQLITE_INTERRUPT, SQLITE_IOERR, SQLITE_FULL,
        SQLITE_CANTOPEN, SQLITE_PROTOCOL, SQLITE_EMPTY, SQLITE_SCHEMA,
    ):
        return OperationalError
    if primary == SQLITE_CORRUPT:
        return DatabaseError
    if primary == SQLITE_TOOBIG:
        return DataError
    if primary in (SQLITE_CONSTRAINT, SQLITE_MISMATCH):
        return IntegrityError
    if primary in (SQLITE_MISUSE, SQLITE_RANGE):
        return InterfaceError
    return DatabaseError


def make_error(code: int, message: str | None = None) -> Exception:
    """Build the exception for ``code`` with SQLite's wording."""
    if message is None:
        message = ERROR_MESSAGES.get(code & 0xFF, "unknown error")
    cls = error_class(code)
    if issubclass(cls, Error):
        return cls(message, code=code)
    return cls(message)


def raise_error(code: int, message: str | None = None) -> NoReturn:
    """Raise the exception for ``code``; see :func:`make_error`."""
    raise make_error(code, message)


def corrupt(detail: str | None = None) -> NoReturn:
    """Raise ``database disk image is malformed`` (SQLITE_CORRUPT).

    ``detail`` is for debugging only; SQLite's message does not carry it.
    """
    raise make_error(SQLITE_CORRUPT)
