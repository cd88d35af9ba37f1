"""VDBE layer: virtual-table cursor opcodes (VOpen, VFilter, VColumn, VNext).

SQLite's counterpart is the virtual-table part of ``vdbe.c``.  Pyrite has
no CREATE VIRTUAL TABLE; these opcodes drive the built-in table-valued
functions (json_each, json_tree, generate_series, the pragma_* tables).

The module is the P4 of VOpen: any object with ``open() -> cursor``.  The
cursor speaks SQLite's xFilter/xEof/xNext/xColumn/xRowid protocol:

* ``filter(idx_num: int, idx_str: str | None, args: list) -> None``
  positions the cursor on its first row (or at EOF);
* ``eof() -> bool``, ``next() -> None``;
* ``column(i: int) -> value`` and ``rowid() -> int`` for the current row.

Errors are raised by the cursor as Pyrite exceptions with SQLite's text.
A NULL row (NullRow, the LEFT JOIN pass) reads as NULLs and makes VNext
fall through, as for B-tree cursors.
"""

from __future__ import annotations

from typing import Any

from pyrite.vdbe.opcodes import opcode
from pyrite.vdbe.vm import VdbeCursor


@opcode("VOpen", "P1 * * P4 *", "", cursor="p1")
def op_vopen(vm: Any, op: Any, pc: int) -> int:
    """Open cursor P1 on the virtual table (table-valued function) module P4."""
    old = vm.cursors[op.p1]
    if old is not None:
        old.close()
    c = VdbeCursor("vtab")
    c.vtab = op.p4.open()
    vm.cursors[op.p1] = c
    return pc + 1


@opcode("VFilter", "P1 P2 P3 P4 *", "iplan=r[P3] zplan='P4'", jump=True, cursor="p1",
        target="p2", args="p3")
def op_vfilter(vm: Any, op: Any, pc: int) -> int:
    """Start a scan of virtual-table cursor P1: r[P3] is the plan number
    (idxNum), r[P3+1] the argument count and r[P3+2].. the arguments; P4
    the plan string (idxStr).  Jump to P2 if the result is empty."""
    c = vm.cursors[op.p1]
    base = op.p3
    r = vm.r
    argc = r[base + 1]
    c.null_row = False
    c.vtab.filter(r[base], op.p4, [r[base + 2 + i] for i in range(argc)])
    if c.vtab.eof():
        return op.p2
    return pc + 1


@opcode("VColumn", "P1 P2 P3 * P5", "r[P3]=vcolumn(P2)", cursor="p1", column="p2", dest="p3")
def op_vcolumn(vm: Any, op: Any, pc: int) -> int:
    """r[P3] = column P2 of the current row of virtual-table cursor P1
    (NULL on a NULL row)."""
    c = vm.cursors[op.p1]
    vm.r[op.p3] = None if c.null_row else c.vtab.column(op.p2)
    return pc + 1


@opcode("VNext", "P1 P2 * * *", "", jump=True, cursor="p1", target="p2")
def op_vnext(vm: Any, op: Any, pc: int) -> int:
    """Advance virtual-table cursor P1; jump to P2 if it is on a row."""
    c = vm.cursors[op.p1]
    if c.null_row:
        return pc + 1
    c.vtab.next()
    if c.vtab.eof():
        return pc + 1
    return op.p2

