"""I/O layer: the in-memory backend (SQLite's ``memdb`` VFS counterpart).

Files are bytearrays kept in the backend object; several connections that
share one backend see the same files.  Locks are tracked per file with the
unix VFS's rules so that connections sharing a backend exclude each other.
"""

from __future__ import annotations

from pyrite.io.base import (
    EXCLUSIVE_LOCK,
    NO_LOCK,
    PENDING_LOCK,
    RESERVED_LOCK,
    SHARED_LOCK,
    Completion,
)


class _LockState:
    __slots__ = ("shared", "reserved", "pending", "exclusive")

    def __init__(self) -> None:
        self.shared = 0          # number of holders at SHARED or above
        self.reserved = False
        self.pending = False
        self.exclusive = False


class MemoryFile:
    """An open in-memory file."""

    def __init__(self, backend: MemoryBackend, path: str, readonly: bool = False) -> None:
        self.backend = backend
        self.path = path
        self.readonly = readonly
        self.data = backend.files[path]
        self.locks = backend.locks.setdefault(path, _LockState())
        self.level = NO_LOCK

    def read(self, offset: int, size: int) -> Completion:
        chunk = bytes(self.data[offset:offset + size])
        if len(chunk) < size:
            chunk += bytes(size - len(chunk))
        return Completion.finished(chunk)

    def write(self, offset: int, data: bytes) -> None:
        if self.readonly:
            from pyrite.errors import SQLITE_READONLY, raise_error
            raise_error(SQLITE_READONLY)
        end = offset + len(data)
        if end > len(self.data):
            self.data.extend(bytes(end - len(self.data)))
        self.data[offset:end] = data

    def sync(self) -> None:
        pass

    def truncate(self, size: int) -> None:
        del self.data[size:]

    def size(self) -> int:
        return len(self.data)

    def lock(self, level: int) -> bool:
        st = self.locks
        if level <= self.level:
            return True
        if level == SHARED_LOCK:
            if st.pending or st.exclusive:
                return False
            st.shared += 1
        elif level == RESERVED_LOCK:
            if st.reserved:
                return False
            st.reserved = True
        elif level >= PENDING_LOCK:
            if self.level < RESERVED_LOCK:
                if st.reserved:
                    return False
                st.reserved = True
            st.pending = True
            if level == EXCLUSIVE_LOCK:
                if st.shared > 1:
                    self.level = PENDING_LOCK
                    return False
                st.exclusive = True
        self.level = level
        return True

    def unlock(self, level: int) -> None:
        st = self.locks
        if self.level >= RESERVED_LOCK and level < RESERVED_LOCK:
            st.reserved = False
        if self.level >= PENDING_LOCK and level < PENDING_LOCK:
            st.pending = False
            st.exclusive = False
        if self.level >= SHARED_LOCK and level == NO_LOCK:
            st.shared -= 1
        self.level = level

    def check_reserved_lock(self) -> bool:
        return self.locks.reserved

    def close(self) -> None:
        self.unlock(NO_LOCK)


class MemoryBackend:
    """A file system held in memory."""

    def __init__(self) -> None:
        self.files: dict[str, bytearray] = {}
        self.locks: dict[str, _LockState] = {}

    def open(self, path: str, *, create: bool = True, readonly: bool = False) -> MemoryFile:
        if path not in self.files:
            if not create:
                from pyrite.errors import SQLITE_CANTOPEN, raise_error
                raise_error(SQLITE_CANTOPEN)
            self.files[path] = bytearray()
        return MemoryFile(self, path, readonly)

    def exists(self, path: str) -> bool:
        return path in self.files and len(self.files[path]) > 0

    def delete(self, path: str) -> None:
        self.files.pop(path, None)

    def sync_directory(self, path: str) -> None:
        pass     # (memory has no directories to lose)
