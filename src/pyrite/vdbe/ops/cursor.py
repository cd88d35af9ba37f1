"""VDBE layer: cursor opcodes: open, seek, move, read, write, sorters.

SQLite's counterpart is the cursor part of ``vdbe.c``.  B-tree cursors come
from :mod:`pyrite.storage.btree`; ephemeral tables are B-trees in memory;
sorters are Python lists sorted with the KeyInfo; pseudo cursors read one
record held in a register.

Every handler that moves a B-tree cursor calls storage first and changes VM
state after, so an IOPending raised by storage leaves the VM ready to re-run
the instruction.
"""

from __future__ import annotations

import functools
from operator import itemgetter
from typing import Any

from pyrite import errors, values
from pyrite.storage.btree import _VALID, INDEX, INTKEY, BTree, sort_key
from pyrite.storage.record import decode_record, encode_record
from pyrite.vdbe.opcodes import opcode
from pyrite.vdbe.vm import VdbeCursor

OPFLAG_NCHANGE = 0x01
OPFLAG_APPEND = 0x08
OPFLAG_P2ISREG = 0x10
OPFLAG_LASTROWID = 0x20
# Found P5: the key is a whole index entry probed once per table row
# (integrity_check), so the entries' positions are worth mapping (_entry_map).
OPFLAG_WHOLE_ENTRY = 0x02
MAX_ROWID = 0x7FFFFFFFFFFFFFFF


def _cursor(vm: Any, i: int) -> VdbeCursor:
    c = vm.cursors[i]
    if c is None:
        errors.raise_error(errors.SQLITE_INTERNAL, "cursor is not open")
    return c  # type: ignore[return-value]


def _open(vm: Any, op: Any, write: bool) -> VdbeCursor:
    root = vm.r[op.p2] if op.p5 & OPFLAG_P2ISREG else op.p2
    btree = vm.host.btree(op.p3)
    ki = op.p4 if isinstance(op.p4, values.KeyInfo) else None
    p1 = op.p1
    old = vm.cursors[p1]
    if old is not None:
        old.close()
    spare = vm.spare
    c = spare[p1] if p1 < len(spare) else None
    if c is not None and c.btree is btree and c.root == root and c.key_info is ki \
            and c.writable is write:
        # The same cursor as in the last run: reopen it, with no row.
        spare[p1] = None
        bt = c.closed_bt
        c.closed_bt = None
        bt.reopen()
        c.bt = bt
        c.null_row = False
        c.row = None
        c.rowid_cache = None
        c.deferred = None
        c.seq = 0
    else:
        c = VdbeCursor("index" if ki is not None else "table")
        c.btree = btree
        c.bt = btree.cursor(root, write=write, key_info=ki)
        c.key_info = ki
        c.root = root
        c.writable = write
        c.on_db = True
    c.n_field = op.p4 if isinstance(op.p4, int) else 0
    vm.cursors[p1] = c
    return c


@opcode("OpenRead", "P1 P2 P3 P4 P5", "root=P2 iDb=P3", cursor="p1", root="p2", db="p3")
def op_open_read(vm: Any, op: Any, pc: int) -> int:
    """Open read cursor P1 on the B-tree rooted at P2 of database P3; P4 is the
    KeyInfo of an index or the column count of a table."""
    _open(vm, op, False)
    return pc + 1


@opcode("OpenWrite", "P1 P2 P3 P4 P5", "root=P2 iDb=P3", cursor="p1", root="p2", db="p3")
def op_open_write(vm: Any, op: Any, pc: int) -> int:
    """As OpenRead, for writing."""
    _open(vm, op, True)
    return pc + 1


@opcode("OpenDup", "P1 P2 * * *", "")
def op_open_dup(vm: Any, op: Any, pc: int) -> int:
    """Open P1 as a second cursor on the same ephemeral table as cursor P2."""
    src = _cursor(vm, op.p2)
    c = VdbeCursor(src.kind)
    c.btree = src.btree
    c.bt = src.btree.cursor(src.root, write=True, key_info=src.key_info)
    c.key_info = src.key_info
    c.root = src.root
    vm.cursors[op.p1] = c
    return pc + 1


@opcode("OpenEphemeral", "P1 P2 * P4 P5", "nColumn=P2", cursor="p1", ncol="p2")
def op_open_ephemeral(vm: Any, op: Any, pc: int) -> int:
    """Open P1 on a new temporary table: an index keyed by KeyInfo P4, or a
    rowid table of P2 columns when P4 is not a KeyInfo."""
    old = vm.cursors[op.p1]
    if old is not None and old.kind == "hash":
        old.sorter.clear()
        return pc + 1
    if op.p5 & BTREE_UNORDERED and _hashable_key_info(op.p4):
        vm.cursors[op.p1] = _hash_cursor(op.p4, op.p2)
        return pc + 1
    if old is not None and old.btree is not None and old.kind in ("index", "table") \
            and getattr(old, "root", 0) and old.btree.pager.memory:
        # Re-opening clears the table (as SQLite's OpenEphemeral on an open cursor).
        old.btree.clear_table(old.root)
        old.bt.first()
        old.row = None
        old.null_row = False
        return pc + 1
    ki = op.p4 if isinstance(op.p4, values.KeyInfo) else None
    btree = BTree.ephemeral()
    root = btree.create_table(INDEX if ki is not None else INTKEY)
    c = VdbeCursor("index" if ki is not None else "table")
    c.btree = btree
    c.key_info = ki if ki is not None else None
    if c.kind == "index" and ki is None:
        c.key_info = values.KeyInfo([None] * max(op.p2, 1))
    c.bt = btree.cursor(root, write=True, key_info=c.key_info)
    c.root = root
    c.n_field = op.p2
    vm.cursors[op.p1] = c
    return pc + 1


opcode("OpenAutoindex", "P1 P2 * P4 *", "nColumn=P2")(op_open_ephemeral)


# OpenEphemeral P5 flag (SQLite's BTREE_UNORDERED): the table is used only by
# Found/NotFound/NoConflict and IdxInsert (a DISTINCT set), so it may be a
# hash table rather than a B-tree.
BTREE_UNORDERED = 8


def _hashable_key_info(ki: Any) -> bool:
    """Whether equality of keys under KeyInfo ``ki`` is Python's equality of
    value tuples: every field BINARY.  Python's set then agrees with the
    B-tree's comparison: NULL equals NULL, an integer equals the real of the
    same value (1 = 1.0, and hash(1) == hash(1.0)), text never equals a blob
    or a number, texts and blobs compare by content.  NOCASE/RTRIM and user
    collations keep the B-tree."""
    return type(ki) is values.KeyInfo and ki.n_key_field > 0 and all(
        c is None or c is values.BINARY for c in ki.collations)


def _hash_cursor(ki: Any, n_field: int) -> VdbeCursor:
    """An ephemeral index kept as a Python set of key tuples (cursor kind
    'hash'; ``sorter`` holds the set)."""
    c = VdbeCursor("hash")
    c.key_info = ki
    c.n_field = n_field
    c.sorter = set()  # type: ignore[assignment]
    return c


def _hash_key(values_: Any) -> tuple:
    """A key as the set holds it: bytearrays (unhashable) as bytes."""
    key = tuple(values_)
    for v in key:
        if type(v) not in _KEY_TYPES:
            return tuple(bytes(v) if isinstance(v, (bytes, bytearray, memoryview)) else v
                         for v in key)
    return key


def _hash_found(c: VdbeCursor, probe: list[Any]) -> bool:
    """Whether the set of hash cursor ``c`` holds a key whose first fields
    equal ``probe`` (the fields compared are the KeyInfo's)."""
    n = c.key_info.n_key_field
    keys = c.sorter
    if len(probe) >= n:
        return _hash_key(probe[:n]) in keys  # type: ignore[operator]
    want = _hash_key(probe)
    m = len(want)
    return any(k[:m] == want for k in keys)  # type: ignore[union-attr]


@opcode("OpenPseudo", "P1 P2 P3 * *", "P3 columns in r[P2]", cursor="p1", reg="p2", ncol="p3")
def op_open_pseudo(vm: Any, op: Any, pc: int) -> int:
    """Open P1 as a pseudo-table: its one row is the record in r[P2]."""
    c = VdbeCursor("pseudo")
    c.pseudo_reg = op.p2
    c.n_field = op.p3
    vm.cursors[op.p1] = c
    return pc + 1


@opcode("SorterOpen", "P1 P2 P3 P4 *", "", cursor="p1")
def op_sorter_open(vm: Any, op: Any, pc: int) -> int:
    """Open sorter P1 whose records sort by KeyInfo P4."""
    c = VdbeCursor("sorter")
    c.key_info = op.p4
    c.sorter = []
    c.n_field = op.p2
    vm.cursors[op.p1] = c
    return pc + 1


@opcode("Close", "P1 * * * *", "", cursor="p1")
def op_close(vm: Any, op: Any, pc: int) -> int:
    """Close cursor P1."""
    c = vm.cursors[op.p1]
    if c is not None:
        if c.bt is not None and c.bt.appends:
            c.bt.finish_appends()    # (an index filled by IdxInsert's APPEND)
        c.close()
        vm.cursors[op.p1] = None
    return pc + 1


@opcode("NullRow", "P1 * * * *", "", cursor="p1")
def op_null_row(vm: Any, op: Any, pc: int) -> int:
    """Make cursor P1 point at a row of NULLs; Next and Prev then fall through."""
    c = vm.cursors[op.p1]
    if c is None:
        c = vm.cursors[op.p1] = VdbeCursor("pseudo")
        c.pseudo_reg = 0
    c.null_row = True
    c.row = None
    return pc + 1


@opcode("IfNullRow", "P1 P2 P3 * *", "if P1.nullRow then r[P3]=NULL, goto P2", jump=True)
def op_if_null_row(vm: Any, op: Any, pc: int) -> int:
    """If cursor P1 is on its NULL row, set r[P3] to NULL and jump to P2."""
    c = vm.cursors[op.p1]
    if c is not None and c.null_row:
        vm.r[op.p3] = None
        return op.p2
    return pc + 1


# -- moving -------------------------------------------------------------------


@opcode("Rewind", "P1 P2 * * *", "", jump=True, cursor="p1", target="p2")
def op_rewind(vm: Any, op: Any, pc: int) -> int:
    """Move cursor P1 to its first entry; jump to P2 if it has none."""
    c = _cursor(vm, op.p1)
    if c.kind == "sorter":
        return op_sorter_sort(vm, op, pc)
    empty = c.bt.first()
    c.null_row = False
    c.row = None
    c.deferred = None
    return op.p2 if empty else pc + 1


@opcode("Last", "P1 P2 * * *", "", jump=True, cursor="p1", target="p2")
def op_last(vm: Any, op: Any, pc: int) -> int:
    """Move cursor P1 to its last entry; jump to P2 if it has none."""
    c = _cursor(vm, op.p1)
    empty = c.bt.last()
    c.null_row = False
    c.row = None
    c.deferred = None
    return op.p2 if empty else pc + 1


@opcode("Next", "P1 P2 P3 * P5", "", jump=True, cursor="p1", target="p2")
def op_next(vm: Any, op: Any, pc: int) -> int:
    """Advance cursor P1; jump to P2 if it is on an entry."""
    c = vm.cursors[op.p1]
    if c.null_row:
        return pc + 1
    if c.kind == "sorter":
        return op_sorter_next(vm, op, pc)
    bt = c.bt
    if bt.eof:
        return pc + 1
    ok = bt.next()
    c.row = None
    c.deferred = None
    if ok:
        if getattr(vm.host, "interrupted", False):
            errors.raise_error(errors.SQLITE_INTERRUPT, "interrupted")
        return op.p2
    return pc + 1


@opcode("Prev", "P1 P2 P3 * P5", "", jump=True, cursor="p1", target="p2")
def op_prev(vm: Any, op: Any, pc: int) -> int:
    """Move cursor P1 back; jump to P2 if it is on an entry."""
    c = vm.cursors[op.p1]
    if c.null_row:
        return pc + 1
    bt = c.bt
    if bt.eof:
        return pc + 1
    ok = bt.prev()
    c.row = None
    c.deferred = None
    return op.p2 if ok else pc + 1


def _int_key(v: Any) -> tuple[int | None, int]:
    """Rowid seek key: (integer, adjust) where adjust says how a non-integral
    real moved (-1 rounded down, 1 rounded up, 0 exact); None when not numeric."""
    if type(v) is int:
        return v, 0
    if v is None:
        return None, 0
    n = values.apply_affinity(v, "C")
    if type(n) is int:
        return n, 0
    if type(n) is float:
        if n != n:
            return None, 0
        if n >= 9.2233720368547758e18:
            return MAX_ROWID, -1 if n > MAX_ROWID else 0
        if n < -9.2233720368547758e18:
            return -MAX_ROWID - 1, 1
        i = int(n)
        if i == n:
            return i, 0
        return (i, -1) if n > i else (i, 1)
    return None, 0


def _seek(vm: Any, op: Any, pc: int, kind: str) -> int:
    c = _cursor(vm, op.p1)
    bt = c.bt
    if c.kind == "table":
        key, adj = _int_key(vm.r[op.p3])
        if key is None:
            # A non-numeric key: rowids are all smaller than text and blobs.
            v = vm.r[op.p3]
            if v is None or kind in ("GE", "GT"):
                return op.p2
            empty = bt.last()
            c.row = None
            c.null_row = False
            return op.p2 if empty else pc + 1
        if adj:
            # x.5: GE/GT become GT floor, LE/LT become LE floor (or the ceil analogue).
            if adj < 0:
                kind = {"GE": "GT", "GT": "GT", "LE": "LE", "LT": "LE"}[kind]
            else:
                kind = {"GE": "GE", "GT": "GE", "LE": "LT", "LT": "LT"}[kind]
        res = bt.table_move_to(key)
    else:
        key = vm.r[op.p3:op.p3 + op.p4]
        default_rc = 1 if kind in ("GE", "LT") else -1
        res = bt.index_move_to(key, default_rc)
    c.null_row = False
    c.row = None
    c.deferred = None
    if bt.eof:
        return op.p2
    if kind == "GE":
        if res < 0 and not bt.next():
            return op.p2
    elif kind == "GT":
        if res <= 0 and not bt.next():
            return op.p2
    elif kind == "LE":
        if res > 0 and not bt.prev():
            return op.p2
    else:
        if res >= 0 and not bt.prev():
            return op.p2
    return pc + 1


def _seek_op(kind: str) -> None:
    def handler(vm: Any, op: Any, pc: int) -> int:
        return _seek(vm, op, pc, kind)
    rel = {"GE": ">=", "GT": ">", "LE": "<=", "LT": "<"}[kind]
    handler.__doc__ = (f"Position cursor P1 at the first entry {rel} the key (r[P3] for a "
                       f"table; r[P3..P3+P4-1] for an index); jump to P2 if there is none.")
    opcode(f"Seek{kind}", "P1 P2 P3 P4 *", "key=r[P3@P4]", jump=True,
           cursor="p1", target="p2", key="p3", nkey="p4")(handler)


for _k in ("GE", "GT", "LE", "LT"):
    _seek_op(_k)


@opcode("SeekRowid", "P1 P2 P3 * *", "intkey=r[P3]", jump=True, cursor="p1", target="p2", key="p3")
def op_seek_rowid(vm: Any, op: Any, pc: int) -> int:
    """Move table cursor P1 to rowid r[P3]; jump to P2 if there is no such row
    (or r[P3] is not an integer)."""
    c = _cursor(vm, op.p1)
    key, adj = _int_key(vm.r[op.p3])
    if key is None or adj:
        c.null_row = False
        return op.p2
    res = c.bt.table_move_to(key)
    c.null_row = False
    c.row = None
    c.deferred = None
    return pc + 1 if res == 0 and not c.bt.eof else op.p2


@opcode("NotExists", "P1 P2 P3 * *", "intkey=r[P3]", jump=True, cursor="p1", target="p2", key="p3")
def op_not_exists(vm: Any, op: Any, pc: int) -> int:
    """Move table cursor P1 to rowid r[P3] (an integer); jump to P2 if absent."""
    c = _cursor(vm, op.p1)
    res = c.bt.table_move_to(vm.r[op.p3])
    c.null_row = False
    c.row = None
    c.deferred = None
    return pc + 1 if res == 0 and not c.bt.eof else op.p2


def _probe_key(vm: Any, op: Any) -> list[Any]:
    if op.p4:
        return vm.r[op.p3:op.p3 + op.p4]
    rec = vm.r[op.p3]
    return decode_record(rec) if isinstance(rec, (bytes, bytearray)) else list(rec)


# Collations under which keys are equal exactly when their Python values
# are (NOCASE, RTRIM and user collations also match other texts, where a
# seek lands on the first of them; a user collation may even order
# identical strings apart).
_EQUALITY_SAFE = (None, values.BINARY)
# The most entries an entry map holds; a larger index is probed by seeks.
ENTRY_MAP_LIMIT = 100_000


class _EntryMap:
    """Where each entry of an index lies: a whole-entry key (a tuple of its
    fields) -> (path of interior levels, leaf page, its parsed view, cell).
    ``sentinel`` is a B-tree cursor left on the index's first entry: any
    write to the index saves it (BTree._save_cursors), which tells that the
    positions are stale."""

    __slots__ = ("positions", "sentinel")

    def __init__(self, positions: dict[tuple, tuple], sentinel: Any) -> None:
        self.positions = positions
        self.sentinel = sentinel


def _build_entry_map(c: VdbeCursor) -> _EntryMap | bool:
    """The entry map of index cursor ``c`` (BTreeCursor.entry_positions);
    False when the index is too large, damaged, or compares texts with a
    collation other than BINARY."""
    ki = c.key_info
    if ki is None or any(coll not in _EQUALITY_SAFE for coll in ki.collations):
        return False
    scan = c.btree.cursor(c.root, key_info=ki)
    try:
        try:
            positions = scan.entry_positions(ENTRY_MAP_LIMIT)
        except errors.DatabaseError:
            positions = None        # (the seeks meet the damage as usual)
        if positions is None:
            scan.close()
            return False
        scan.first()
    except BaseException:
        scan.close()
        raise
    return _EntryMap(positions, scan)


def _found_whole_entry(c: VdbeCursor, key: list[Any]) -> bool:
    """Found for a key that is a whole index entry (P5 OPFLAG_WHOLE_ENTRY):
    a look-up in the cursor's entry map, built on first use, instead of a
    seek from the root.  True when the entry is there (the cursor is then
    on it, as a seek leaves it); False when the map cannot tell (no map,
    the index written since, a key equal only under the index's compare),
    and the caller seeks."""
    em = c.entry_map
    if em is None:
        em = c.entry_map = _build_entry_map(c)
    if em is False:
        return False
    if em.sentinel.state != _VALID:      # the index was written: stale
        em.sentinel.close()
        c.entry_map = False
        return False
    try:
        at = em.positions.get(tuple(key))
    except TypeError:                    # an unhashable value (bytearray)
        return False
    if at is None:
        return False
    prefix, page, info, idx = at
    bt = c.bt
    bt.stack = [*map(list, prefix), [page, info, idx]]
    bt.state, bt.eof, bt.skip = _VALID, False, 0
    return True


def _found(vm: Any, op: Any) -> bool:
    c = _cursor(vm, op.p1)
    if c.kind == "hash":
        return _found_in_hash(vm, op, c)
    key = _probe_key(vm, op)
    if op.p5 & OPFLAG_WHOLE_ENTRY and op.p4 and _found_whole_entry(c, key):
        c.null_row = False
        c.row = None
        return True
    res = c.bt.index_move_to(key, 0)
    c.null_row = False
    c.row = None
    return res == 0 and not c.bt.eof


def _found_in_hash(vm: Any, op: Any, c: VdbeCursor) -> bool:
    """Found's probe of a hash cursor: a DISTINCT row's registers are one
    set lookup of their tuple."""
    n = c.key_info.n_key_field
    if type(op.p4) is int and op.p4 >= n:
        try:
            return tuple(vm.r[op.p3:op.p3 + n]) in c.sorter  # type: ignore[operator]
        except TypeError:       # an unhashable field: see _hash_key
            pass
    return _hash_found(c, _probe_key(vm, op))


@opcode("Found", "P1 P2 P3 P4 P5", "key=r[P3@P4]", jump=True, cursor="p1", target="p2")
def op_found(vm: Any, op: Any, pc: int) -> int:
    """Jump to P2 if index P1 has an entry whose prefix equals the key
    (P4 registers from r[P3], or the record in r[P3] when P4 is 0).  P5
    OPFLAG_WHOLE_ENTRY: the key is a whole entry (see _found_whole_entry)."""
    c = vm.cursors[op.p1]
    if c is not None and c.kind == "hash":
        # A DISTINCT row: one set lookup of its registers' tuple (as
        # _found_in_hash, without its call).
        n = c.key_info.n_key_field
        p4 = op.p4
        if type(p4) is int and p4 >= n:
            try:
                return op.p2 if tuple(vm.r[op.p3:op.p3 + n]) in c.sorter else pc + 1
            except TypeError:       # an unhashable field: see _hash_key
                pass
        return op.p2 if _hash_found(c, _probe_key(vm, op)) else pc + 1
    if op.p5 & OPFLAG_WHOLE_ENTRY and op.p4:
        # integrity_check's probe, once per row and index: straight to the
        # entry map (what _found does first, without its calls).
        if c is not None and c.kind == "index" and _found_whole_entry(
                c, vm.r[op.p3:op.p3 + op.p4]):
            c.null_row = False
            c.row = None
            return op.p2
    return op.p2 if _found(vm, op) else pc + 1


@opcode("NotFound", "P1 P2 P3 P4 *", "key=r[P3@P4]", jump=True, cursor="p1", target="p2")
def op_not_found(vm: Any, op: Any, pc: int) -> int:
    """Jump to P2 if index P1 has no entry whose prefix equals the key."""
    return pc + 1 if _found(vm, op) else op.p2


@opcode("NoConflict", "P1 P2 P3 P4 *", "key=r[P3@P4]", jump=True, cursor="p1", target="p2")
def op_no_conflict(vm: Any, op: Any, pc: int) -> int:
    """As NotFound, but a key with a NULL field never conflicts (jump to P2)."""
    key = _probe_key(vm, op)
    if any(v is None for v in key):
        return op.p2
    return pc + 1 if _found(vm, op) else op.p2


@opcode("Sequence", "P1 P2 * * *", "r[P2]=cursor[P1].ctr++")
def op_sequence(vm: Any, op: Any, pc: int) -> int:
    """r[P2] = the next value of cursor P1's sequence counter."""
    c = _cursor(vm, op.p1)
    vm.r[op.p2] = c.seq
    c.seq += 1
    return pc + 1


@opcode("NewRowid", "P1 P2 P3 * *", "r[P2]=rowid", cursor="p1", dest="p2")
def op_new_rowid(vm: Any, op: Any, pc: int) -> int:
    """r[P2] = a new rowid for table P1: one more than the largest (P3: the
    AUTOINCREMENT register holding the largest ever used)."""
    c = _cursor(vm, op.p1)
    bt = c.bt
    top = bt.largest_rowid()
    # The AUTOINCREMENT register is the statement's, also when a trigger
    # program inserts (the outermost frame's registers).
    root = vm.frames[0].r if op.p3 and vm.frames else vm.r
    if op.p3:
        prev = root[op.p3] or 0
        if prev >= MAX_ROWID:
            errors.raise_error(errors.SQLITE_FULL, "database or disk is full")
        top = max(top, prev)
    if top >= MAX_ROWID:
        import random
        for _ in range(100):
            cand = random.randint(1, MAX_ROWID)
            if bt.table_move_to(cand) != 0:
                top = cand - 1
                break
        else:
            errors.raise_error(errors.SQLITE_FULL, "database or disk is full")
    new = top + 1
    if op.p3:
        root[op.p3] = new
    vm.r[op.p2] = new
    c.row = None
    return pc + 1


@opcode("Insert", "P1 P2 P3 P4 P5", "intkey=r[P3] data=r[P2]", cursor="p1", data="p2", key="p3")
def op_insert(vm: Any, op: Any, pc: int) -> int:
    """Write the record r[P2] with rowid r[P3] into table P1 (replacing a row
    with that rowid).  P5: OPFLAG_NCHANGE counts a change, OPFLAG_LASTROWID
    sets last_insert_rowid."""
    c = _cursor(vm, op.p1)
    rowid = vm.r[op.p3]
    rec = vm.r[op.p2]
    if type(rec) is bytes:
        c.bt.insert(rowid, rec, _row_of_record(vm, op, pc))
    else:
        if not isinstance(rec, (bytes, bytearray)):
            rec = encode_record(list(rec) if rec is not None else [])
        c.bt.insert(rowid, bytes(rec))
    c.row = None
    if op.p5 & OPFLAG_NCHANGE:
        vm.n_change += 1
    if op.p5 & OPFLAG_LASTROWID:
        vm.host.last_insert_rowid = rowid
    return pc + 1


@functools.cache
def _make_record_number() -> int:
    from pyrite.vdbe.opcodes import BY_NAME
    return BY_NAME["MakeRecord"].number


def _row_of_record(vm: Any, op: Any, pc: int) -> list[Any] | None:
    """The fields of the record r[P2] that the Insert at ``pc`` writes, when
    the MakeRecord right before it built it and no jump lands on the Insert
    (so r[P2] is that record): MakeRecord's registers, its affinities
    applied, still hold them.  The table leaf keeps them decoded
    (BTreeCursor.insert), so that a scan after an UPDATE does not decode
    the rows it wrote.  None when that does not hold, or when a value would
    not come back the same from the record (record_round_trips; text is
    stored as UTF-8 only in a UTF-8 database)."""
    if not pc:
        return None
    prev = vm.ops[pc - 1]
    if prev.p3 != op.p2 or prev.p2 < 1:
        return None
    if prev.opcode != _make_record_number():
        return None
    program = vm.program
    targets = program.__dict__.get("_jump_targets")
    if targets is None:
        from pyrite.vdbe.jit import _leaders
        targets = program.__dict__["_jump_targets"] = _leaders(program.instructions)
    if pc in targets:
        return None
    row = vm.r[prev.p1:prev.p1 + prev.p2]
    if not record_round_trips(row) or vm.cursors[op.p1].bt.pager.text_encoding != "utf-8":
        return None
    return row


@opcode("Delete", "P1 P2 P3 P4 P5", "", cursor="p1")
def op_delete(vm: Any, op: Any, pc: int) -> int:
    """Delete the entry under cursor P1.  P2 & OPFLAG_NCHANGE counts a change."""
    c = _cursor(vm, op.p1)
    c.bt.delete()
    c.row = None
    if op.p2 & OPFLAG_NCHANGE:
        vm.n_change += 1
    return pc + 1


@opcode("ResetCount")
def op_reset_count(vm: Any, op: Any, pc: int) -> int:
    """Report the changes counted so far as the statement's changes; restart the count."""
    vm.host.set_changes(vm.n_change)
    vm.n_change = 0
    return pc + 1


_KEY_TYPES = frozenset((type(None), int, float, str, bytes))
_HIGH_BYTES = bytes(range(0x80, 0x100))


def _record_fields(rec: bytes) -> int:
    """The number of fields of a record (its header's serial types: each
    varint ends with a byte below 0x80); -1 for a long header."""
    hlen = rec[0] if rec else 0
    if hlen >= 0x80:
        return -1
    return len(rec[1:hlen].translate(None, _HIGH_BYTES))


@opcode("IdxInsert", "P1 P2 P3 P4 P5", "key=r[P2]", cursor="p1", key="p2")
def op_idx_insert(vm: Any, op: Any, pc: int) -> int:
    """Insert the key record r[P2] into index P1 (or append it to a sorter).
    When P4 is an integer, r[P3..P3+P4-1] hold the first P4 fields of the
    record (affinity applied by its MakeRecord): when that is all of them
    the B-tree seeks with them instead of decoding the record again.
    P5 & OPFLAG_APPEND: the keys come in index order from a sorter into an
    index that Close then writes whole (BTreeCursor.append_sorted; only
    refill_index, whose Close always follows its loop, sets it)."""
    c = vm.cursors[op.p1]
    rec = vm.r[op.p2]
    if c is None:
        c = _cursor(vm, op.p1)      # (raises)
    kind = c.kind
    if kind == "hash":
        # A DISTINCT set: the key tuple, from MakeRecord's values (see
        # op_make_record), its registers, or the record.
        if type(rec) is list:
            fields = rec
        elif not isinstance(rec, (bytes, bytearray)):
            fields = list(rec)
        elif type(op.p4) is int and op.p3 and _record_fields(rec) == op.p4:
            fields = vm.r[op.p3:op.p3 + op.p4]
        else:
            fields = decode_record(rec)
        key = tuple(fields[:c.key_info.n_key_field])
        try:
            c.sorter.add(key)  # type: ignore[union-attr]
        except TypeError:           # an unhashable field: see _hash_key
            c.sorter.add(_hash_key(key))  # type: ignore[union-attr]
    elif kind == "index" and type(rec) is bytes and not op.p5 & OPFLAG_APPEND:
        # The usual entry: MakeRecord's record.
        c.bt.insert(None, rec, _key_in_registers(vm, op, rec))
        c.row = None
    elif kind == "sorter":
        c.sorter.append(decode_record(rec) if isinstance(rec, (bytes, bytearray)) else list(rec))
        return pc + 1
    elif op.p5 & OPFLAG_APPEND and kind == "index":
        c.bt.append_sorted(bytes(rec) if isinstance(rec, (bytes, bytearray))
                           else encode_record(list(rec)))
        c.row = None
        return pc + 1
    else:
        if not isinstance(rec, (bytes, bytearray)):
            key = list(rec)             # a sorter's row (SorterData)
            rec = encode_record(key)
        else:
            key = _key_in_registers(vm, op, rec)
        c.bt.insert(None, bytes(rec), key)
        c.row = None
    if op.p5 & OPFLAG_NCHANGE:
        vm.n_change += 1
    return pc + 1


def _key_in_registers(vm: Any, op: Any, rec: bytes | bytearray) -> list[Any] | None:
    """IdxInsert's record's fields when r[P3..P3+P4-1] hold all of them
    (as many fields, each of the key types), for the B-tree to seek with
    instead of decoding the record; else None."""
    n = op.p4
    if type(n) is not int or not op.p3 or _record_fields(rec) != n:
        return None
    key = vm.r[op.p3:op.p3 + n]
    for v in key:
        if type(v) not in _KEY_TYPES:
            return None
    return key


@opcode("SorterInsert", "P1 P2 * * *", "key=r[P2]", cursor="p1", key="p2")
def op_sorter_insert(vm: Any, op: Any, pc: int) -> int:
    """Add the record r[P2] to sorter P1."""
    c = _cursor(vm, op.p1)
    rec = vm.r[op.p2]
    if type(rec) is list:
        # MakeRecord's values, a new list (see data.op_make_record).
        c.sorter.append(rec)
    else:
        c.sorter.append(decode_record(rec) if isinstance(rec, (bytes, bytearray)) else list(rec))
    return pc + 1


@opcode("IdxDelete", "P1 P2 P3 * *", "key=r[P2@P3]", cursor="p1")
def op_idx_delete(vm: Any, op: Any, pc: int) -> int:
    """Delete the entry of index P1 whose key is r[P2..P2+P3-1], if present."""
    c = _cursor(vm, op.p1)
    key = vm.r[op.p2:op.p2 + op.p3]
    if c.bt.index_move_to(key, 0) == 0 and not c.bt.eof:
        c.bt.delete()
    c.row = None
    return pc + 1


def _plain_sort_key(n: int) -> Any:
    """A sort key equal in order to compare_keys over the first ``n`` fields
    of a plain KeyInfo (BINARY, ascending): btree.sort_key's tuples, which
    Python compares in C."""
    def key(rec: Any) -> tuple:
        return sort_key(rec[:n])
    return key


def _sort_key(ki: Any, plain: bool = True) -> Any:
    if ki is None:
        return functools.cmp_to_key(lambda a, b: values.compare_keys(a, b, values.KeyInfo([])))
    if plain and type(ki) is values.KeyInfo and ki._plain:
        return _plain_sort_key(ki.n_key_field)
    return functools.cmp_to_key(lambda a, b: values.compare_keys(a[:ki.n_key_field], b[:ki.n_key_field], ki))


_CLASS_RANK = {type(None): 0, int: 1, float: 1, str: 2, bytes: 3}


def _segment_key(start: int, end: int, bignull: tuple) -> Any:
    """A C-comparable key for fields [start, end) of a row, ascending as
    compare_keys orders BINARY fields: (class rank, value) per field, a NULL
    first, or last when the field is NULLS LAST/FIRST against its direction
    (``bignull``).  KeyError for a value of another type."""
    rank = _CLASS_RANK
    nulls = [(4, 0) if bignull[i] else (0, 0) for i in range(start, end)]
    if end - start == 1:
        i, null = start, nulls[0]

        def one(rec: Any) -> tuple:
            v = rec[i]
            return null if v is None else (rank[type(v)], v)
        return one

    def key(rec: Any) -> tuple:
        return tuple([nulls[j] if v is None else (rank[type(v)], v)
                      for j, v in enumerate(rec[start:end])])
    return key


# Sets of value types that Python's own comparison orders as sort_key()
# does, when a field holds values of no other type: numbers (ints and
# reals compare exactly), text (code point order, UTF-8's byte order) or
# blobs; NULLs and a mix of classes need the (rank, value) keys.
_DIRECT_TYPES = (frozenset((int,)), frozenset((float,)), frozenset((int, float)),
                 frozenset((str,)), frozenset((bytes,)))


def _direct_key(rows: list, start: int, end: int) -> Any:
    """itemgetter over fields [start, end) when each of them holds, in
    every row, values of one of the _DIRECT_TYPES sets: the values
    themselves then sort as their sort_key() tuples do, and the keys are
    taken in C.  None otherwise (or when a row is too short)."""
    for i in range(start, end):
        try:
            kinds = frozenset(map(type, map(itemgetter(i), rows)))
        except IndexError:
            return None
        if kinds not in _DIRECT_TYPES:
            return None
    return itemgetter(*range(start, end))


def _sort_by_segments(rows: list, ki: Any) -> bool:
    """Sort ``rows`` under a KeyInfo of BINARY fields with DESC or NULLS
    LAST/FIRST fields: one stable C sort per run of fields of one direction,
    the least significant first (each pass keeps the order of the rows it
    finds equal).  Every key is computed before anything moves, so a value
    the keys cannot rank (answer False) leaves ``rows`` as they were."""
    n = ki.n_key_field
    runs: list[tuple[int, int, bool]] = []
    for i in range(n):
        desc = bool(ki.desc[i])
        if runs and runs[-1][2] == desc:
            runs[-1] = (runs[-1][0], i + 1, desc)
        else:
            runs.append((i, i + 1, desc))
    try:
        passes = [(list(map(_direct_key(rows, a, b) or _segment_key(a, b, ki.bignull), rows)),
                   desc) for a, b, desc in runs]
    except (KeyError, IndexError):
        return False
    order = list(range(len(rows)))
    for keys, desc in reversed(passes):
        order.sort(key=keys.__getitem__, reverse=desc)
    rows[:] = [rows[i] for i in order]
    return True


def _sort(rows: list, ki: Any) -> None:
    """Sort a sorter's rows in ``ki``'s order (the C-compared key tuples
    when every field is BINARY and the values allow it)."""
    if type(ki) is values.KeyInfo and not ki._plain and ki.n_key_field \
            and all(c is None or c is values.BINARY for c in ki.collations[:ki.n_key_field]):
        if len(rows) < 2 or _sort_by_segments(rows, ki):
            return
        rows.sort(key=_sort_key(ki, plain=False))
        return
    try:
        key = None
        if type(ki) is values.KeyInfo and ki._plain and ki.n_key_field:
            key = _direct_key(rows, 0, ki.n_key_field)
        rows.sort(key=key or _sort_key(ki))
    except KeyError:            # a value sort_key() does not rank: compare
        rows.sort(key=_sort_key(ki, plain=False))


def record_round_trips(vals: list[Any]) -> bool:
    """Whether decode_record(encode_record(vals)) == vals value for value
    (so a sorter may keep the values themselves): NULLs, integers, reals,
    blobs and text that is valid UTF-8 (a lone surrogate would come back
    as other text)."""
    for v in vals:
        t = type(v)
        if t is str:
            if not v.isascii():
                try:
                    v.encode("utf-8")
                except UnicodeEncodeError:
                    return False
        elif t is not int and t is not float and v is not None and t is not bytes:
            return False
    return True


@opcode("SorterSort", "P1 P2 * * *", "", jump=True, cursor="p1", target="p2")
def op_sorter_sort(vm: Any, op: Any, pc: int) -> int:
    """Sort sorter P1 and move to its first record; jump to P2 if it is empty."""
    c = _cursor(vm, op.p1)
    _sort(c.sorter, c.key_info)
    c.sorter_pos = 0
    c.null_row = False
    return op.p2 if not c.sorter else pc + 1


opcode("Sort", "P1 P2 * * *", "", jump=True, cursor="p1", target="p2")(op_sorter_sort)


@opcode("SorterNext", "P1 P2 * * *", "", jump=True, cursor="p1", target="p2")
def op_sorter_next(vm: Any, op: Any, pc: int) -> int:
    """Advance sorter P1; jump to P2 if a record remains."""
    c = vm.cursors[op.p1]
    c.sorter_pos += 1
    return op.p2 if c.sorter_pos < len(c.sorter) else pc + 1


@opcode("SorterData", "P1 P2 P3 * *", "r[P2]=data", cursor="p1", dest="p2")
def op_sorter_data(vm: Any, op: Any, pc: int) -> int:
    """r[P2] = the current record of sorter P1; pseudo cursor P3 re-reads it."""
    c = vm.cursors[op.p1]
    vm.r[op.p2] = c.sorter[c.sorter_pos]
    if op.p3:
        p = vm.cursors[op.p3]
        if p is not None:
            p.row = None
    return pc + 1


@opcode("SorterCompare", "P1 P2 P3 P4 *", "if key(P1)!=trim(r[P3],P4) goto P2", jump=True)
def op_sorter_compare(vm: Any, op: Any, pc: int) -> int:
    """Jump to P2 if the first P4 fields of sorter P1's record differ from the record in r[P3]."""
    c = vm.cursors[op.p1]
    n = op.p4
    cur = c.sorter[c.sorter_pos][:n]
    other = vm.r[op.p3]
    other = decode_record(other)[:n] if isinstance(other, (bytes, bytearray)) else other[:n]
    # A NULL in a compared field makes the keys distinct (as SQLite's
    # sqlite3VdbeSorterCompare: NULLs never collide in a UNIQUE index).
    if None in cur or None in other:
        return op.p2
    ki = c.key_info
    if ki is None or ki._plain or all(x is None or x is values.BINARY for x in ki.collations[:n]):
        # BINARY fields: SQLite's equality is Python's on these values
        # (numbers by value, text and blobs by content, never each other).
        return op.p2 if cur != other else pc + 1
    return op.p2 if values.compare_keys(cur, other, ki) != 0 else pc + 1


@opcode("ResetSorter", "P1 * * * *", "", cursor="p1")
def op_reset_sorter(vm: Any, op: Any, pc: int) -> int:
    """Empty sorter or ephemeral table P1."""
    c = _cursor(vm, op.p1)
    if c.kind == "sorter":
        c.sorter = []
        c.sorter_pos = 0
    elif c.kind == "hash":
        c.sorter.clear()  # type: ignore[union-attr]
    else:
        c.btree.clear_table(c.root)
        c.row = None
    return pc + 1


# -- reading --------------------------------------------------------------


def _row(vm: Any, c: VdbeCursor) -> list[Any] | None:
    row = c.row
    if row is not None:
        return row
    kind = c.kind
    if kind == "pseudo":
        rec = vm.r[c.pseudo_reg]
        if rec is None:
            return None
        row = decode_record(rec) if isinstance(rec, (bytes, bytearray)) else list(rec)
    elif kind == "sorter":
        row = c.sorter[c.sorter_pos]
    else:
        if c.deferred is not None:
            _finish_deferred(vm, c)
        bt = c.bt
        if bt.eof:
            return None
        row = bt.record()
    c.row = row
    return row


def _finish_deferred(vm: Any, c: VdbeCursor) -> None:
    idx = c.deferred
    c.deferred = None
    rowid = idx.bt.record()[-1]
    if c.bt.table_move_to(rowid) != 0:
        errors.corrupt("index entry without a row")


@opcode("Column", "P1 P2 P3 P4 P5", "r[P3]=cursor[P1].column[P2]", cursor="p1", column="p2", dest="p3")
def op_column(vm: Any, op: Any, pc: int) -> int:
    """r[P3] = column P2 of the current row of cursor P1 (P4 when the record
    is shorter, NULL on a NULL row)."""
    c = vm.cursors[op.p1]
    if c.null_row and not (c.kind == "pseudo" and c.pseudo_reg):
        # (a pseudo cursor over a register reads the register regardless)
        vm.r[op.p3] = None
        return pc + 1
    row = c.row
    if row is None:
        row = _row(vm, c)
        if row is None:
            vm.r[op.p3] = None
            return pc + 1
    p2 = op.p2
    vm.r[op.p3] = row[p2] if p2 < len(row) else op.p4
    return pc + 1


@opcode("Rowid", "P1 P2 * * *", "r[P2]=PX rowid of P1", cursor="p1", dest="p2")
def op_rowid(vm: Any, op: Any, pc: int) -> int:
    """r[P2] = the rowid of the current row of table cursor P1 (NULL on a NULL row)."""
    c = vm.cursors[op.p1]
    if c.null_row:
        vm.r[op.p2] = None
        return pc + 1
    if c.deferred is not None:
        vm.r[op.p2] = c.deferred.bt.record()[-1]
        return pc + 1
    if c.kind == "pseudo":
        vm.r[op.p2] = None
        return pc + 1
    if c.kind == "vtab":
        vm.r[op.p2] = c.vtab.rowid()
        return pc + 1
    vm.r[op.p2] = None if c.bt.eof else c.bt.rowid()
    return pc + 1


@opcode("IdxRowid", "P1 P2 * * *", "r[P2]=rowid", cursor="p1", dest="p2")
def op_idx_rowid(vm: Any, op: Any, pc: int) -> int:
    """r[P2] = the rowid (last field) of the current entry of index P1."""
    c = vm.cursors[op.p1]
    if c.null_row or c.bt.eof:
        vm.r[op.p2] = None
    else:
        vm.r[op.p2] = c.bt.record()[-1]
    return pc + 1


@opcode("DeferredSeek", "P1 * P3 P4 *", "Move P3 to P1.rowid if needed")
def op_deferred_seek(vm: Any, op: Any, pc: int) -> int:
    """Arrange for table cursor P3 to move to the row index cursor P1 points at
    when a column is read from it."""
    idx = _cursor(vm, op.p1)
    tab = _cursor(vm, op.p3)
    tab.deferred = idx
    tab.row = None
    tab.null_row = False
    return pc + 1


@opcode("FinishSeek", "P1 * * * *", "", cursor="p1")
def op_finish_seek(vm: Any, op: Any, pc: int) -> int:
    """Complete a DeferredSeek of table cursor P1 now (before a Delete
    through it), if one is pending."""
    c = _cursor(vm, op.p1)
    if c.deferred is not None:
        _finish_deferred(vm, c)
    return pc + 1


@opcode("RowData", "P1 P2 P3 * *", "r[P2]=data", cursor="p1", dest="p2")
def op_row_data(vm: Any, op: Any, pc: int) -> int:
    """r[P2] = the whole record under cursor P1."""
    c = _cursor(vm, op.p1)
    if c.kind == "sorter":
        vm.r[op.p2] = encode_record(c.sorter[c.sorter_pos])
    else:
        if c.deferred is not None:
            _finish_deferred(vm, c)
        vm.r[op.p2] = c.bt.payload()
    return pc + 1


def _idx_compare(vm: Any, op: Any) -> int:
    """Compare the entry under index cursor P1 with the key r[P3..P3+P4-1]
    over the key's fields.  A one-field key on a plain (BINARY, ASC) index
    holding a value of the key's own type -- the usual range-scan end test --
    compares inline."""
    c = vm.cursors[op.p1]
    entry = c.bt.record()
    ki = c.key_info
    if op.p4 == 1 and ki._plain and entry:
        x = entry[0]
        y = vm.r[op.p3]
        t = type(x)
        if t is type(y) and (t is int or t is str or t is float):
            return (x > y) - (x < y)
        return values.compare(x, y)
    return values.compare_keys(entry, vm.r[op.p3:op.p3 + op.p4], ki)


def _idx_cmp_op(name: str, test: Any, rel: str) -> None:
    def handler(vm: Any, op: Any, pc: int) -> int:
        return op.p2 if test(_idx_compare(vm, op)) else pc + 1
    handler.__doc__ = (f"Jump to P2 if the current entry of index P1, ignoring its rowid, "
                       f"is {rel} the key r[P3..P3+P4-1].")
    opcode(name, "P1 P2 P3 P4 *", "key=r[P3@P4]", jump=True, cursor="p1", target="p2")(handler)


_idx_cmp_op("IdxGE", lambda c: c >= 0, ">=")
_idx_cmp_op("IdxGT", lambda c: c > 0, ">")
_idx_cmp_op("IdxLE", lambda c: c <= 0, "<=")
_idx_cmp_op("IdxLT", lambda c: c < 0, "<")


@opcode("Count", "P1 P2 P3 * *", "r[P2]=count()", cursor="p1", dest="p2")
def op_count(vm: Any, op: Any, pc: int) -> int:
    """r[P2] = the number of entries in cursor P1's B-tree."""
    vm.r[op.p2] = _cursor(vm, op.p1).bt.count()
    return pc + 1
