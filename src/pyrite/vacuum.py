"""Engine layer: VACUUM and VACUUM INTO (SQLite's ``vacuum.c``).

SQLite rebuilds the database by running SQL against an attached temporary
database (the schema's CREATE statements, then ``INSERT INTO ... SELECT``
per table, which the transfer optimisation turns into b-tree copies) and
then copies the temporary file's pages over the main file.  Pyrite does the
same with its own pieces:

1. a private in-memory :class:`~pyrite.engine.Database` with the same page
   size (or the one a PRAGMA page_size asked for, see copy_page_size)
   receives the schema: CREATE TABLE statements (rowid order, without
   sqlite_sequence, which AUTOINCREMENT recreates), then the CREATE INDEX
   statements; so root pages and sqlite_schema rows come out in SQLite's
   order;
2. every b-tree is copied in key order (records unchanged, rowids kept
   except where SQLite renumbers them), table first, then its indexes,
   with every page packed full (``BTree.bulk_load``);
3. views, triggers and virtual tables (no storage) get their sqlite_schema
   rows copied as they are;
4. the header values SQLite preserves are carried over (the schema cookie
   goes up by one so that other connections re-read the schema);
5. the page images replace the main database's pages inside a write
   transaction (so a failure rolls back), or are written to the new file of
   VACUUM INTO.

The nested database runs its own statements to completion; nothing here
re-enters the calling VM, so the Python stack stays shallow.
"""

from __future__ import annotations
from pyrite.values import fold_name

import struct
from typing import Any

from pyrite import errors
from pyrite.storage.btree import INDEX, INTKEY
from pyrite.storage.record import decode_record, encode_record
from pyrite.storage.header import (
    OFFSET_CHANGE_COUNTER, OFFSET_DATABASE_SIZE, OFFSET_VERSION_NUMBER,
    OFFSET_VERSION_VALID_FOR, SQLITE_VERSION_NUMBER, valid_page_size,
)

_U32 = struct.Struct(">I")

# Header meta values VACUUM keeps, with the increment applied (vacuum.c's
# aCopy): schema cookie +1, default cache size, text encoding, user
# version, application id.
_META_COPY = ((1, 1), (3, 0), (5, 0), (6, 0), (8, 0))


def check_vacuum_allowed(db: Any) -> None:
    """VACUUM needs autocommit mode and no other statement running."""
    if not db.autocommit:
        errors.raise_error(errors.SQLITE_ERROR, "cannot VACUUM from within a transaction")
    if any(s.running and s is not db.current_statement for s in db.active_statements):
        errors.raise_error(errors.SQLITE_ERROR, "cannot VACUUM - SQL statements in progress")


def run_vacuum(db: Any, into: str | None) -> None:
    """VACUUM the main database of ``db``, or write its copy to ``into``."""
    check_vacuum_allowed(db)
    out_file = None
    if into is not None and into != "":
        out_file = _open_output(db, into)
    try:
        if into is None:
            db.begin_transaction(0, write=True)
        else:
            db.begin_transaction(0, write=False)
        images = build_copy(db, keep_rowids=into is not None)
        if into is None:
            _install(db, images)
        elif out_file is not None:
            _write_file(out_file, images)
    finally:
        if out_file is not None:
            out_file.close()


def _open_output(db: Any, path: str) -> Any:
    """The VACUUM INTO target: a new or empty file."""
    backend = db.pager.backend
    if db.pager.memory:
        from pyrite.io.osfile import OSBackend
        backend = OSBackend()
    try:
        f = backend.open(path, create=True)
    except errors.Error:
        errors.raise_error(errors.SQLITE_CANTOPEN, "unable to open database file")
    except OSError:
        errors.raise_error(errors.SQLITE_CANTOPEN, "unable to open database file")
    if f.size() > 0:
        f.close()
        errors.raise_error(errors.SQLITE_ERROR, "output file already exists")
    return f


# -- building the copy ---------------------------------------------------------


def _run(db: Any, sql: str) -> None:
    """Run one statement of the nested database to completion."""
    stmt, _ = db.prepare(sql)
    if stmt is None:
        return
    try:
        while getattr(stmt.step(), "name", None) == "ROW":
            pass
    finally:
        stmt.finalize()


def _schema_rows(db: Any) -> list[tuple[int, Any, Any, Any, Any, bytes, Any]]:
    """sqlite_schema of ``db`` in rowid order: (rowid, type, name, rootpage,
    sql, raw record, tbl_name)."""
    cur = db.main_btree.cursor(1, write=False)
    rows = []
    try:
        empty = db._sync(cur.first)
        while not empty and not cur.eof:
            payload = db._sync(cur.payload)
            rec = (list(decode_record(payload)) + [None] * 5)[:5]
            rows.append((cur.rowid(), rec[0], rec[1], rec[3], rec[4], payload, rec[2]))
            if not db._sync(cur.next):
                break
    finally:
        cur.close()
    return rows


def build_copy(db: Any, keep_rowids: bool = False) -> list[bytes]:
    """The page images of a compact copy of ``db``'s main database.

    As SQLite's transfer does under VACUUM, a table with neither an
    INTEGER PRIMARY KEY nor an index has its rows renumbered 1, 2, 3...
    (nothing refers to those rowids); VACUUM INTO (``keep_rowids``) keeps
    them."""
    from pyrite.engine import Database
    tmp = Database(":memory:")
    try:
        # The page size PRAGMA page_size asked for last (else the same), the
        # same reserved bytes at the end of each page.
        page_size = copy_page_size(db)
        tmp.pager.page_size = page_size
        tmp.pager.usable_size = db.pager.usable_size + page_size - db.pager.page_size
        tmp.functions = db.functions
        tmp.collations = db.collations
        tmp.writable_schema = True
        _run(tmp, "BEGIN")
        tmp.begin_transaction(0, write=True)     # page 1 even with no schema
        rows = _schema_rows(db)
        _create_schema(db, tmp, rows)
        _copy_content(db, tmp, keep_rowids)
        _copy_storageless(tmp, rows)
        return _page_images(db, tmp)
    finally:
        tmp.close()


def copy_page_size(db: Any) -> int:
    """The page size of VACUUM's copy: the last PRAGMA page_size's value
    (db.next_page_size, any schema's) when it is a valid size and the
    database is a file, else the database's own (vacuum.c: the temporary
    database takes the main one's size, then nextPagesize unless in
    memory)."""
    n = getattr(db, "next_page_size", 0)
    pager = db.pager
    if pager.memory or not valid_page_size(n) or n - (pager.page_size - pager.usable_size) < 480:
        return pager.page_size    # (nor a usable size below the format's minimum)
    return n


def _create_schema(db: Any, tmp: Any, rows: list[Any]) -> None:
    """The copy's empty trees and sqlite_schema rows, as SQLite's VACUUM
    makes them by running the CREATE statements (vacuum.c): each table in
    rowid order (not sqlite_sequence) with the automatic indexes of its
    constraints after it, and sqlite_sequence after the first AUTOINCREMENT
    table; then the other indexes.  The rows and root pages come out as
    CREATE TABLE and CREATE INDEX write them (compile/build.py), so they
    are written here directly: compiling and running each statement, and
    re-reading the schema after each, took 40% of a VACUUM."""
    autoindexes: dict[str, list[Any]] = {}
    for row in rows:
        if row[1] == "index" and row[4] is None:
            autoindexes.setdefault(fold_name(str(row[6])), []).append(row)
    made: list[tuple[str, Any, Any, int, Any]] = []      # (type, name, tbl_name, flags, sql)
    sequence = False
    for _, type_, name, root, sql, _, _ in rows:
        if type_ != "table" or not isinstance(sql, str) or (root is not None and root <= 0) \
                or fold_name(str(name)) == "sqlite_sequence":
            continue
        table = db.schema.find_table(str(name))
        without_rowid = table is not None and table.without_rowid
        made.append(("table", name, name, INDEX if without_rowid else INTKEY, sql))
        for auto in autoindexes.get(fold_name(str(name)), ()):
            made.append(("index", auto[2], name, INDEX, None))
        if table is not None and table.autoincrement and not sequence:
            sequence = True
            made.append(("table", "sqlite_sequence", "sqlite_sequence", INTKEY,
                         "CREATE TABLE sqlite_sequence(name,seq)"))
    made += [("index", name, tbl_name, INDEX, sql)
             for _, type_, name, _, sql, _, tbl_name in rows
             if type_ == "index" and isinstance(sql, str)]
    if not made:
        return
    btree, pager = tmp.main_btree, tmp.pager
    if any(m[0] == "table" for m in made) and not pager.get_meta(2):
        pager.set_meta(2, 4)       # (code_file_format: a new file's format and encoding)
        pager.set_meta(5, 1)
    cur = btree.cursor(1, write=True)
    try:
        for rowid, (type_, name, tbl_name, flags, sql) in enumerate(made, 1):
            root = btree.create_table(flags)
            cur.insert(rowid, encode_record([type_, name, tbl_name, root, sql]))
    finally:
        cur.close()
    tmp.invalidate_schemas()


def _copy_content(db: Any, tmp: Any, keep_rowids: bool) -> None:
    """Copy every b-tree's entries from ``db`` into ``tmp``'s fresh trees."""
    tmp.ensure_schema()
    tmp_rows = _schema_rows(tmp)
    main_roots = {(str(r[1]), fold_name(str(r[2]))): r[3] for r in _schema_rows(db)}
    tables = [r for r in tmp_rows if r[1] == "table" and r[3]]
    for _, _, name, root, _, _, _ in tables:
        table = tmp.schema.find_table(name)
        src = main_roots.get(("table", fold_name(str(name))))
        renumber = not keep_rowids and table.rowid_alias < 0 and not table.indexes
        if src:
            _copy_tree(db, tmp, src, root, renumber)
        for index in getattr(table, "indexes", []):
            if not index.root or index.root == root:
                continue
            src = main_roots.get(("index", fold_name(index.name)))
            if src:
                _copy_tree(db, tmp, src, index.root)


def _copy_tree(db: Any, tmp: Any, src_root: int, dst_root: int,
               renumber: bool = False) -> None:
    """Load the entries of ``db``'s tree ``src_root``, in key order, into
    ``tmp``'s empty tree (with ``renumber``, table rows get the rowids 1, 2,
    3...).  The cells move as they are where they can (BTree.copy_cells);
    pages come out packed full, so the copy is compact."""
    dst = tmp.main_btree
    dst.bulk_load_cells(dst_root, db.main_btree.copy_cells(src_root, dst, renumber))


def _copy_storageless(tmp: Any, rows: list[Any]) -> None:
    """Views, triggers and virtual tables: their sqlite_schema rows as they are."""
    keep = [r for r in rows if r[1] in ("view", "trigger")
            or (r[1] == "table" and r[3] == 0)]
    if not keep:
        return
    cur = tmp.main_btree.cursor(1, write=True)
    try:
        last = 0 if cur.last() else cur.rowid()
        for i, row in enumerate(keep, 1):
            cur.insert(last + i, row[5])
    finally:
        cur.close()


def _page_images(db: Any, tmp: Any) -> list[bytes]:
    """``tmp``'s pages, page 1 carrying the header values VACUUM preserves."""
    pager = tmp.pager
    n = pager.page_count
    images = [bytes(pager.get_page_sync(i).data) for i in range(1, n + 1)]
    p1 = bytearray(images[0])
    for idx, inc in _META_COPY:
        _U32.pack_into(p1, 36 + 4 * idx, (db.pager.get_meta(idx) + inc) & 0xFFFFFFFF)
    _U32.pack_into(p1, OFFSET_DATABASE_SIZE, n)
    images[0] = bytes(p1)
    return images


# -- using the copy ------------------------------------------------------------


def _install(db: Any, images: list[bytes]) -> None:
    """Replace the main database's pages (inside the write transaction)."""
    pager = db.pager
    old_p1 = pager.get_page_sync(1)
    counter = _U32.unpack_from(old_p1.data, OFFSET_CHANGE_COUNTER)[0]
    if len(images[0]) != pager.page_size:
        # A new PRAGMA page_size: the file starts over at the new size.
        pager.change_page_size(len(images[0]))
    for pgno, image in enumerate(images, 1):
        pager.write_image(pgno, image)
    _U32.pack_into(pager.get_page_sync(1).data, OFFSET_CHANGE_COUNTER, counter)
    # The pages the smaller file drops go into the journal too (as SQLite's
    # commit journals every page a truncation discards): a crash after the
    # truncation must be able to put them back.
    for pgno in range(len(images) + 1, pager.page_count + 1):
        pager.make_writable(pager.get_page_sync(pgno))
    pager.truncate_to(len(images))
    db.schema.loaded = False
    db.load_schema()


def _write_file(f: Any, images: list[bytes]) -> None:
    """Write a VACUUM INTO copy: a complete database with a fresh counter."""
    p1 = bytearray(images[0])
    _U32.pack_into(p1, OFFSET_CHANGE_COUNTER, 1)
    _U32.pack_into(p1, OFFSET_VERSION_VALID_FOR, 1)
    _U32.pack_into(p1, OFFSET_VERSION_NUMBER, SQLITE_VERSION_NUMBER)
    images = [bytes(p1)] + images[1:]
    size = len(images[0])
    for i, image in enumerate(images):
        f.write(i * size, image)
    f.sync()
