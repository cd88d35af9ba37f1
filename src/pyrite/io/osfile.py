"""I/O layer: the operating-system file backend (SQLite's ``os_unix.c``).

Reads and writes use ``os.pread``/``os.pwrite``; locks are POSIX advisory
locks on the same byte ranges as SQLite's unix VFS (the pending byte, the
reserved byte, the 510-byte shared range), so Pyrite and sqlite3 processes
exclude each other.  POSIX locks belong to the process, so connections of one
process that open the same file share one :class:`_Inode` record that counts
their locks, as ``unixInodeInfo`` does.
"""

from __future__ import annotations

import fcntl
import os
import threading

import errno

from pyrite.errors import (
    SQLITE_CANTOPEN,
    SQLITE_FULL,
    SQLITE_IOERR_FSYNC,
    SQLITE_IOERR_LOCK,
    SQLITE_IOERR_READ,
    SQLITE_IOERR_TRUNCATE,
    SQLITE_IOERR_WRITE,
    raise_error,
)
from pyrite.io.base import (
    EXCLUSIVE_LOCK,
    NO_LOCK,
    PENDING_BYTE,
    PENDING_LOCK,
    RESERVED_BYTE,
    RESERVED_LOCK,
    SHARED_FIRST,
    SHARED_LOCK,
    SHARED_SIZE,
    Completion,
)

_inodes: dict[tuple[int, int], _Inode] = {}
_inodes_mutex = threading.Lock()


class _Inode:
    """Per-process lock bookkeeping for one file (unixInodeInfo)."""

    __slots__ = ("key", "shared", "level", "refs", "fd", "deferred")

    def __init__(self, key: tuple[int, int], fd: int) -> None:
        self.key = key
        self.shared = 0       # connections holding SHARED or more
        self.level = NO_LOCK  # strongest lock held by any connection of this process
        self.refs = 0
        self.fd = fd
        self.deferred: list[int] = []


def _fcntl(fd: int, kind: int, start: int, length: int) -> bool:
    try:
        fcntl.lockf(fd, kind | (fcntl.LOCK_NB if kind != fcntl.LOCK_UN else 0), length, start)
        return True
    except OSError as e:
        _check_refused(e)
        return False


def _check_refused(e: OSError) -> None:
    """A lock request failed: return when another holder refused it
    (EAGAIN/EACCES), else raise SQLITE_IOERR_LOCK."""
    if isinstance(e, (BlockingIOError, PermissionError)) or e.errno in (11, 13):
        return
    raise_error(SQLITE_IOERR_LOCK)


def _shared_lock(fd: int) -> bool:
    """Take the process's SHARED lock on the file as SQLite's unix VFS does:
    a read lock on PENDING_BYTE while the shared range is read-locked (a
    writer waiting for EXCLUSIVE holds PENDING, so new readers wait), then
    PENDING_BYTE released.  Every autocommit statement comes here, so the
    three fcntl calls are in line; their errors are _fcntl's."""
    lockf = fcntl.lockf
    try:
        lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB, 1, PENDING_BYTE)
    except OSError as e:
        _check_refused(e)
        return False
    try:
        lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB, SHARED_SIZE, SHARED_FIRST)
        ok = True
    except OSError as e:
        ok = False
        refused = e
    else:
        refused = None
    _fcntl(fd, fcntl.LOCK_UN, PENDING_BYTE, 1)
    if refused is not None:
        _check_refused(refused)
    return ok


class OSFile:
    """An open file of the operating system."""

    def __init__(self, path: str, fd: int, readonly: bool = False) -> None:
        self.path = path
        self.fd = fd
        self.readonly = readonly
        st = os.fstat(fd)
        key = (st.st_dev, st.st_ino)
        with _inodes_mutex:
            inode = _inodes.get(key)
            if inode is None:
                inode = _inodes[key] = _Inode(key, fd)
            inode.refs += 1
        self.inode = inode
        self.level = NO_LOCK

    def read(self, offset: int, size: int) -> Completion:
        try:
            data = os.pread(self.fd, size, offset)
        except OSError:
            raise_error(SQLITE_IOERR_READ, "disk I/O error")
        if len(data) < size:
            data += bytes(size - len(data))
        return Completion.finished(data)

    def write(self, offset: int, data: bytes) -> None:
        try:
            while data:
                n = os.pwrite(self.fd, data, offset)
                data = data[n:]
                offset += n
        except OSError as e:
            if e.errno == errno.ENOSPC:
                raise_error(SQLITE_FULL)
            if e.errno in (errno.EBADF, errno.EROFS, errno.EACCES, errno.EPERM):
                from pyrite.errors import SQLITE_READONLY
                raise_error(SQLITE_READONLY)
            raise_error(SQLITE_IOERR_WRITE, "disk I/O error")

    def sync(self) -> None:
        try:
            os.fsync(self.fd)
        except OSError:
            raise_error(SQLITE_IOERR_FSYNC, "disk I/O error")

    def truncate(self, size: int) -> None:
        try:
            os.ftruncate(self.fd, size)
        except OSError:
            raise_error(SQLITE_IOERR_TRUNCATE, "disk I/O error")

    def size(self) -> int:
        return os.fstat(self.fd).st_size

    def lock(self, level: int) -> bool:
        if level <= self.level:
            return True
        inode = self.inode
        fd = inode.fd
        with _inodes_mutex:
            if level == SHARED_LOCK:
                if inode.level >= PENDING_LOCK:
                    return False
                if inode.shared == 0 and not _shared_lock(fd):
                    return False
                inode.shared += 1
                if inode.level < SHARED_LOCK:
                    inode.level = SHARED_LOCK
                self.level = SHARED_LOCK
                return True
            if level == RESERVED_LOCK:
                if inode.level >= RESERVED_LOCK:
                    return False
                if not _fcntl(fd, fcntl.LOCK_EX, RESERVED_BYTE, 1):
                    return False
                inode.level = RESERVED_LOCK
                self.level = RESERVED_LOCK
                return True
            # PENDING or EXCLUSIVE
            if self.level < PENDING_LOCK:
                if self.level < RESERVED_LOCK and inode.level >= RESERVED_LOCK:
                    return False
                if not _fcntl(fd, fcntl.LOCK_EX, PENDING_BYTE, 1):
                    return False
                inode.level = PENDING_LOCK
                self.level = PENDING_LOCK
            if level == EXCLUSIVE_LOCK:
                if inode.shared > 1:
                    return False
                if not _fcntl(fd, fcntl.LOCK_EX, SHARED_FIRST, SHARED_SIZE):
                    return False
                inode.level = EXCLUSIVE_LOCK
                self.level = EXCLUSIVE_LOCK
            return True

    def unlock(self, level: int) -> None:
        if level >= self.level:
            return
        inode = self.inode
        fd = inode.fd
        with _inodes_mutex:
            if self.level >= EXCLUSIVE_LOCK and level >= SHARED_LOCK:
                _fcntl(fd, fcntl.LOCK_SH, SHARED_FIRST, SHARED_SIZE)
            if self.level >= PENDING_LOCK:
                _fcntl(fd, fcntl.LOCK_UN, PENDING_BYTE, 1)
            if self.level >= RESERVED_LOCK:
                _fcntl(fd, fcntl.LOCK_UN, RESERVED_BYTE, 1)
            if self.level >= RESERVED_LOCK:
                inode.level = SHARED_LOCK if inode.shared else NO_LOCK
            if level == NO_LOCK and self.level >= SHARED_LOCK:
                inode.shared -= 1
                if inode.shared == 0:
                    _fcntl(fd, fcntl.LOCK_UN, SHARED_FIRST, SHARED_SIZE)
                    inode.level = NO_LOCK
            self.level = level

    def check_reserved_lock(self) -> bool:
        if self.inode.level >= RESERVED_LOCK:
            return True
        try:
            fcntl.lockf(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, RESERVED_BYTE)
        except OSError:
            return True
        fcntl.lockf(self.fd, fcntl.LOCK_UN, 1, RESERVED_BYTE)
        return False

    def close(self) -> None:
        self.unlock(NO_LOCK)
        inode = self.inode
        with _inodes_mutex:
            inode.refs -= 1
            if inode.refs:
                # Closing any descriptor of the file would drop every POSIX lock
                # the process holds on it: defer until the last user closes.
                inode.deferred.append(self.fd)
                return
            _inodes.pop(inode.key, None)
            fds, inode.deferred = inode.deferred + [self.fd], []
        for fd in fds:
            os.close(fd)


class OSBackend:
    """Files of the operating system."""

    def open(self, path: str, *, create: bool = True, readonly: bool = False) -> OSFile:
        flags = os.O_RDONLY if readonly else os.O_RDWR
        if create and not readonly:
            flags |= os.O_CREAT
        try:
            fd = os.open(path, flags, 0o644)
        except IsADirectoryError:
            raise_error(SQLITE_CANTOPEN)
        except OSError:
            if readonly or not os.path.exists(path):
                raise_error(SQLITE_CANTOPEN)
            # No write permission: open read-only, as SQLite's unix VFS does.
            try:
                fd = os.open(path, os.O_RDONLY)
            except OSError:
                raise_error(SQLITE_CANTOPEN)
            readonly = True
        if os.path.isdir(path):
            os.close(fd)
            raise_error(SQLITE_CANTOPEN)
        return OSFile(path, fd, readonly)

    def exists(self, path: str) -> bool:
        # access() first: asking the size of a file that is not there costs
        # an exception, and a journal is usually not there.
        if not os.access(path, os.F_OK):
            return False
        try:
            return os.path.getsize(path) > 0
        except OSError:
            return False

    def delete(self, path: str) -> None:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass

    def sync_directory(self, path: str) -> None:
        try:
            fd = os.open(os.path.dirname(os.path.abspath(path)), os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)
