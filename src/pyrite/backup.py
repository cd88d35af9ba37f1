"""Engine layer: the online backup (SQLite's ``backup.c``), behind
``Connection.backup``.

A backup copies a database's pages, unchanged, over the main database of
another connection, inside a write transaction there (so a failure rolls the
destination back), and finishes as sqlite3_backup_step does on its last
step: the destination keeps its own file change counter (its commit moves
it on) and its schema cookie goes up by one, so that every connection to
the destination reads the copied schema afresh.

The source is read in one read transaction and the pages are installed in
one write transaction; ``progress(status, remaining, total)`` is called per
``pages``-sized chunk as sqlite3's module reports each step, with status
SQLITE_OK until the last call, which reports SQLITE_DONE.  (SQLite's steps
release the source lock between them and restart when the source changes;
a copy made at once cannot observe such changes.)
"""

from __future__ import annotations

import struct
from typing import Any, Callable

from pyrite import errors
from pyrite.storage.header import (
    OFFSET_CHANGE_COUNTER, OFFSET_SCHEMA_COOKIE, new_database_page1,
)

_U32 = struct.Struct(">I")
SQLITE_OK = 0
SQLITE_DONE = 101


def run_backup(source: Any, name: str, target: Any, pages: int,
               progress: Callable[[int, int, int], Any] | None) -> None:
    """Copy database ``name`` of the engine ``source`` over the main
    database of the engine ``target``."""
    db_index = source.db_index_of(name)
    if db_index < 0:
        errors.raise_error(errors.SQLITE_ERROR, f"unknown database {name}")
    if db_index == 1:
        source.open_temp()
    images = _read_pages(source, db_index)
    _install(target, images, pages, progress)


def _read_pages(source: Any, db_index: int) -> list[bytes]:
    """Every page of the source database, read in one read transaction."""
    pager = source.dbs[db_index].pager
    held = pager.lock_level > 0
    if not held:
        pager.begin_read()
    try:
        if pager.page_count == 0:
            return []
        return [bytes(pager.get_page_sync(p).data) for p in range(1, pager.page_count + 1)]
    finally:
        if not held and not pager.in_write:
            pager.end_read()


def _install(target: Any, images: list[bytes], pages: int,
             progress: Callable[[int, int, int], Any] | None) -> None:
    pager = target.dbs[0].pager
    if pager.lock_level > 0 or pager.in_write:
        # (sqlite3_backup_init's checkReadTransaction)
        errors.raise_error(errors.SQLITE_ERROR, "destination database is in use")
    pager.read_header()
    src_size = len(images[0]) if images else pager.page_size
    if pager.page_count and src_size != pager.page_size or \
            pager.memory and src_size != pager.page_size:
        # SQLite changes a file's page size here; Pyrite (and SQLite for an
        # in-memory destination) cannot
        errors.raise_error(errors.SQLITE_READONLY, "attempt to write a readonly database")
    if pager.readonly:
        errors.raise_error(errors.SQLITE_READONLY, "attempt to write a readonly database")
    # the backup's own write transaction, whatever the destination
    # connection's BEGIN state (it holds no lock: checked above)
    if pager.page_count == 0 and src_size != pager.page_size:
        pager.set_page_size(src_size)
    pager.begin_write()
    try:
        old_cookie = 0
        counter = 0
        if pager.page_count:
            p1 = pager.get_page_sync(1)
            old_cookie = _U32.unpack_from(p1.data, OFFSET_SCHEMA_COOKIE)[0]
            counter = _U32.unpack_from(p1.data, OFFSET_CHANGE_COUNTER)[0]
        n_source = len(images)
        if not images:
            # an empty source leaves a database of one empty page
            images = [bytes(new_database_page1(pager.page_size))]
        total = len(images)
        step = pages if pages > 0 else max(total, 1)
        done = 0
        while True:
            for pgno in range(done + 1, min(done + step, total) + 1):
                pager.write_image(pgno, images[pgno - 1])
            done = min(done + step, total)
            if done >= total:
                break
            if progress is not None:
                progress(SQLITE_OK, n_source - done, n_source)
        if total:
            p1 = pager.get_page_sync(1)
            pager.make_writable(p1)
            _U32.pack_into(p1.data, OFFSET_CHANGE_COUNTER, counter)
            _U32.pack_into(p1.data, OFFSET_SCHEMA_COOKIE, (old_cookie + 1) & 0xFFFFFFFF)
        pager.truncate_to(total)
        pager.commit()
    except BaseException:
        pager.rollback()
        raise
    finally:
        target.invalidate_schemas()
    if progress is not None:
        progress(SQLITE_DONE, 0, n_source)


# -- serialize / deserialize ---------------------------------------------------


def serialize(db: Any, name: str) -> bytes:
    """The bytes of database ``name`` (sqlite3_serialize): its pages, read
    in one read transaction."""
    db_index = db.db_index_of(name)
    if db_index < 0 or db.dbs[db_index].pager is None:
        errors.raise_error(errors.SQLITE_ERROR, f"unable to serialize '{name}'")
    images = _read_pages(db, db_index)
    if not images:
        errors.raise_error(errors.SQLITE_ERROR, f"unable to serialize '{name}'")
    return b"".join(images)


def deserialize(db: Any, data: bytes, name: str) -> None:
    """Reopen database ``name`` as an in-memory database holding ``data``
    (sqlite3_deserialize)."""
    from pyrite.storage.btree import BTree
    from pyrite.storage.pager import Pager
    db_index = db.db_index_of(name)
    if db_index < 0:
        errors.raise_error(errors.SQLITE_ERROR, f"unknown database {name}")
    slot = db.dbs[db_index]
    if any(s.running for s in db.active_statements):
        errors.raise_error(errors.SQLITE_BUSY, "database is locked")
    pager = Pager.open(None, ":memory:")
    if data:
        # checked when first read, as SQLite does ("file is not a database")
        pager.file.write(0, bytes(data))
    old = slot.pager
    if old is not None:
        # closing the old database ends its part of any transaction, as
        # SQLite's reopen closes the b-tree (the connection stays in BEGIN)
        if old.in_write:
            old.rollback()
        else:
            old.end_read()
        db.in_write = any(p.in_write for p in db._pagers() if p is not old)
    slot.pager = pager
    slot.btree = BTree(pager)
    pager.busy_handler = getattr(old, "busy_handler", None)
    slot.schema.loaded = False
    db.attach_generation += 1     # prepared statements name the old b-trees
    if old is not None:
        old.close()
