"""I/O layer: wrapper backends for tests (pending reads, injected faults).

No SQLite counterpart as such; plays the part of SQLite's test VFS shims
(``test_vfs.c``, ``test_devsym.c``): they sit between the pager and a real
backend and change how its requests finish.

:class:`PendingBackend` answers reads with completions that stay pending
until the test finishes them, so the pending-I/O path of the pager and the VM
(``IOPending``, ``step()`` answering IO) can be driven deterministically.
:class:`FaultyBackend` makes chosen reads, writes or syncs fail with an
``SQLITE_IOERR_*`` error.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from pyrite.errors import (
    SQLITE_IOERR_FSYNC,
    SQLITE_IOERR_READ,
    SQLITE_IOERR_WRITE,
    make_error,
)
from pyrite.io.base import Backend, Completion, File

ReadPredicate = Callable[[str, int, int], bool]


class _WrappedFile:
    """Forwards everything but ``read`` to the inner file."""

    def __init__(self, inner: File, path: str) -> None:
        self.inner = inner
        self.path = path

    def write(self, offset: int, data: bytes) -> None:
        self.inner.write(offset, data)

    def sync(self) -> None:
        self.inner.sync()

    def truncate(self, size: int) -> None:
        self.inner.truncate(size)

    def size(self) -> int:
        return self.inner.size()

    def lock(self, level: int) -> bool:
        return self.inner.lock(level)

    def unlock(self, level: int) -> None:
        self.inner.unlock(level)

    def check_reserved_lock(self) -> bool:
        return self.inner.check_reserved_lock()

    def close(self) -> None:
        self.inner.close()


class PendingFile(_WrappedFile):
    """A file whose reads may be left pending by its :class:`PendingBackend`."""

    def __init__(self, backend: PendingBackend, inner: File, path: str) -> None:
        super().__init__(inner, path)
        self.backend = backend

    def read(self, offset: int, size: int) -> Completion:
        backend = self.backend
        backend.reads += 1
        if not backend._should_pend(self.path, offset, size):
            return self.inner.read(offset, size)
        completion = Completion()
        inner = self.inner

        def finish() -> None:
            if completion.done:
                return
            backend.outstanding.remove(completion)
            src = inner.read(offset, size)
            src.wait()
            if src.error is not None:
                completion.complete(error=src.error)
            else:
                completion.complete(src.result)

        completion.waiter = finish
        backend.outstanding.append(completion)
        backend.pended += 1
        return completion


class PendingBackend:
    """Wraps ``inner`` so that reads answer with pending completions.

    Which reads pend: all of them (the default), those for which
    ``predicate(path, offset, size)`` is true, or every ``every``-th read.
    The data is read from the inner backend when the completion is finished
    (by :meth:`complete_all`, :meth:`complete_one`, or its ``waiter``).
    Setting ``enabled`` to False makes reads synchronous again.
    """

    def __init__(self, inner: Backend, *, predicate: ReadPredicate | None = None,
                 every: int = 1) -> None:
        self.inner = inner
        self.predicate = predicate
        self.every = max(1, every)
        self.enabled = True
        self.outstanding: list[Completion] = []
        self.reads = 0       # read requests seen
        self.pended = 0      # of which answered pending
        self._counter = 0

    def _should_pend(self, path: str, offset: int, size: int) -> bool:
        if not self.enabled:
            return False
        if self.predicate is not None and not self.predicate(path, offset, size):
            return False
        self._counter += 1
        return self._counter % self.every == 0

    def complete_all(self) -> int:
        """Finish every outstanding read; returns how many were finished."""
        n = 0
        while self.outstanding:
            c = self.outstanding[0]
            assert c.waiter is not None
            c.waiter()
            n += 1
        return n

    def complete_one(self) -> bool:
        """Finish the oldest outstanding read; False when there is none."""
        if not self.outstanding:
            return False
        c = self.outstanding[0]
        assert c.waiter is not None
        c.waiter()
        return True

    def open(self, path: str, *, create: bool = True, readonly: bool = False) -> PendingFile:
        return PendingFile(self, self.inner.open(path, create=create, readonly=readonly), path)

    def exists(self, path: str) -> bool:
        return self.inner.exists(path)

    def delete(self, path: str) -> None:
        self.inner.delete(path)

    def sync_directory(self, path: str) -> None:
        self.inner.sync_directory(path)


FaultPredicate = Callable[[str, int, int], bool]


class FaultyFile(_WrappedFile):
    """A file whose operations fail when its :class:`FaultyBackend` says so."""

    def __init__(self, backend: FaultyBackend, inner: File, path: str) -> None:
        super().__init__(inner, path)
        self.backend = backend

    def read(self, offset: int, size: int) -> Completion:
        b = self.backend
        if b.latency:
            time.sleep(b.latency)
        if b.fail_read is not None and b.fail_read(self.path, offset, size):
            c = Completion()
            c.complete(error=make_error(SQLITE_IOERR_READ, "disk I/O error"))
            return c
        return self.inner.read(offset, size)

    def write(self, offset: int, data: bytes) -> None:
        b = self.backend
        b.writes += 1
        if b.fail_write is not None and b.fail_write(self.path, offset, len(data)):
            raise make_error(SQLITE_IOERR_WRITE, "disk I/O error")
        if b.crash_after_writes is not None and b.writes > b.crash_after_writes:
            raise make_error(SQLITE_IOERR_WRITE, "disk I/O error")
        self.inner.write(offset, data)

    def sync(self) -> None:
        b = self.backend
        if b.fail_sync is not None and b.fail_sync(self.path, 0, 0):
            raise make_error(SQLITE_IOERR_FSYNC, "disk I/O error")
        self.inner.sync()


class FaultyBackend:
    """Wraps ``inner``; the hooks decide which operations fail.

    ``fail_read``/``fail_write``/``fail_sync`` are predicates
    ``(path, offset, size) -> bool``.  ``crash_after_writes = n`` lets the
    first ``n`` writes through and fails every later one, which leaves the
    files as a crash in the middle of a commit would.  ``latency`` makes
    every read sleep that many seconds.
    """

    def __init__(self, inner: Backend) -> None:
        self.inner = inner
        self.fail_read: FaultPredicate | None = None
        self.fail_write: FaultPredicate | None = None
        self.fail_sync: FaultPredicate | None = None
        self.crash_after_writes: int | None = None
        self.latency = 0.0       # seconds each read takes
        self.writes = 0
        self.synced_directories: list[str] = []   # sync_directory's paths, in order

    def open(self, path: str, *, create: bool = True, readonly: bool = False) -> FaultyFile:
        return FaultyFile(self, self.inner.open(path, create=create, readonly=readonly), path)

    def exists(self, path: str) -> bool:
        return self.inner.exists(path)

    def delete(self, path: str) -> None:
        self.inner.delete(path)

    def sync_directory(self, path: str) -> None:
        self.synced_directories.append(path)
        self.inner.sync_directory(path)
