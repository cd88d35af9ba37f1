"""I/O layer: the backend contract, completions and the pending-I/O signal.

Bottom of the pipeline (SQLite's counterpart: the VFS, ``sqlite3_io_methods``).
Storage reaches the operating system only through a :class:`Backend` and the
:class:`File` objects it opens.

Reads complete through :class:`Completion` objects.  A synchronous backend
returns completions that are already done; an asynchronous or test backend may
return one that is still pending.  Whoever needs the data and finds the
completion pending raises :class:`IOPending`; the VM catches it, leaves its
program counter on the instruction that asked, and ``step()`` answers IO.  The
caller then waits on (or drives) the completion with :meth:`Completion.wait`
or by the backend's own means, and calls ``step()`` again, which re-runs that
instruction from its start.

Writes, syncs, truncation and locks are synchronous in this version.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

# Lock levels of SQLite's unix VFS (os_unix.c).
NO_LOCK = 0
SHARED_LOCK = 1
RESERVED_LOCK = 2
PENDING_LOCK = 3
EXCLUSIVE_LOCK = 4

# Byte ranges used for locks (os.h): the pending byte at 0x40000000, the
# reserved byte after it, and a 510-byte shared range after that.
PENDING_BYTE = 0x40000000
RESERVED_BYTE = PENDING_BYTE + 1
SHARED_FIRST = PENDING_BYTE + 2
SHARED_SIZE = 510


class Completion:
    """The result of an I/O request that may finish later.

    ``done`` is True once ``result`` (bytes for a read) or ``error`` (an
    exception to raise at the consumer) is set.  ``waiter`` is a callable that
    blocks until the completion is done; backends that can finish requests
    synchronously on demand set it.
    """

    __slots__ = ("done", "result", "error", "waiter", "_callbacks")

    def __init__(self) -> None:
        self.done = False
        self.result: bytes | None = None
        self.error: BaseException | None = None
        self.waiter: Callable[[], None] | None = None
        self._callbacks: list[Callable[[Completion], None]] = []

    @classmethod
    def finished(cls, result: bytes) -> Completion:
        """A completion done already (a synchronous backend's read)."""
        c = cls.__new__(cls)
        c.done = True
        c.result = result
        c.error = None
        c.waiter = None
        c._callbacks = []
        return c

    def complete(self, result: bytes | None = None, error: BaseException | None = None) -> None:
        """Mark done (called by the backend) and run the callbacks."""
        self.result = result
        self.error = error
        self.done = True
        callbacks, self._callbacks = self._callbacks, []
        for cb in callbacks:
            cb(self)

    def add_done_callback(self, cb: Callable[[Completion], None]) -> None:
        if self.done:
            cb(self)
        else:
            self._callbacks.append(cb)

    def wait(self) -> None:
        """Block until done (synchronous drivers of an async backend)."""
        if not self.done:
            if self.waiter is None:
                raise RuntimeError("completion cannot be waited on synchronously")
            self.waiter()

    def value(self) -> bytes:
        """The result of a done completion; raises its error if it failed."""
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


class IOPending(Exception):
    """Raised inside storage when a read is not complete yet.

    Carries the completion; the VM turns it into the IO step result.
    """

    def __init__(self, completion: Completion) -> None:
        super().__init__("I/O pending")
        self.completion = completion


class File(Protocol):
    """An open file of a backend."""

    def read(self, offset: int, size: int) -> Completion:
        """Read ``size`` bytes at ``offset``; short reads are zero-filled."""
        ...

    def write(self, offset: int, data: bytes) -> None: ...

    def sync(self) -> None: ...

    def truncate(self, size: int) -> None: ...

    def size(self) -> int: ...

    def lock(self, level: int) -> bool:
        """Raise the lock to ``level``; False when another holder prevents it."""
        ...

    def unlock(self, level: int) -> None:
        """Lower the lock to ``level`` (SHARED_LOCK or NO_LOCK)."""
        ...

    def check_reserved_lock(self) -> bool: ...

    def close(self) -> None: ...


class Backend(Protocol):
    """A file system: opens, tests and deletes files."""

    def open(self, path: str, *, create: bool = True, readonly: bool = False) -> File: ...

    def exists(self, path: str) -> bool: ...

    def delete(self, path: str) -> None: ...

    def sync_directory(self, path: str) -> None:
        """Make durable the directory entry of ``path``, a file just created
        (or deleted) there; failures are ignored, as SQLite's unix VFS
        ignores them."""
        ...
