"""VDBE layer: EXPLAIN and EXPLAIN QUERY PLAN output (SQLite's ``vdbeaux.c`` displayP4
and ``sqlite3VdbeList``).

EXPLAIN answers one row per instruction in SQLite's eight columns; P4 is
rendered as SQLite renders it (``k(2,,NOCASE)`` for a KeyInfo, ``NOCASE-8``
for a collation, ``count(0)`` for a function).  The comment column is NULL,
as in a SQLite built without SQLITE_ENABLE_EXPLAIN_COMMENTS (the standard
library's); :func:`comment` renders the synopsis for shells and tracing.
"""

from __future__ import annotations

import re
from typing import Any

from pyrite import values
from pyrite.vdbe import opcodes
from pyrite.vdbe.program import Instruction


def render_p4(p4: Any) -> str | None:
    """P4 as SQLite's EXPLAIN shows it."""
    if p4 is None:
        return None
    if isinstance(p4, values.KeyInfo):
        return str(p4)
    if isinstance(p4, values.Collation):
        return f"{p4.name}-8"
    if isinstance(p4, bool):
        return str(int(p4))
    if isinstance(p4, (int, str)):
        return str(p4)
    if isinstance(p4, float):
        return values.real_to_text(p4)
    if isinstance(p4, (bytes, bytearray)):
        return "x'" + bytes(p4).hex() + "'"
    name = getattr(p4, "name", None)
    if name is not None and hasattr(p4, "n_arg"):
        return f"{name}({p4.n_arg})"
    if isinstance(p4, (list, tuple)):
        return "[" + ",".join(str(x) for x in p4) + "]"
    return str(p4)


def explain_row(ops: list[Instruction], addr: int) -> tuple[Any, ...]:
    op = ops[addr]
    return (addr, opcodes.SPECS[op.opcode].name, op.p1, op.p2, op.p3, render_p4(op.p4),
            op.p5, None)


_SLOT = re.compile(r"P([1-5])")


def comment(op: Instruction) -> str:
    """The instruction's synopsis with its operands filled in (``r[3]=r[1]+r[2]``)."""
    spec = opcodes.SPECS[op.opcode]
    text = spec.synopsis
    if not text:
        return op.comment or ""
    slots = {"1": op.p1, "2": op.p2, "3": op.p3, "4": render_p4(op.p4), "5": op.p5}
    return _SLOT.sub(lambda m: str(slots[m.group(1)]), text)


def plan_rows(ops: list[Instruction]) -> list[tuple[Any, ...]]:
    """EXPLAIN QUERY PLAN rows (id, parent, notused, detail) from the Explain opcodes."""
    explain = opcodes.BY_NAME["Explain"].number
    return [(op.p1, op.p2, 0, op.p4) for op in ops if op.opcode == explain]
