"""A deliberately small reference executor for the query compiler tests.

It runs the programs the compiler emits over in-memory tables, with the
opcode semantics of sqlite.org/opcode.html for the opcodes queries use, so
the compiler's results can be checked against sqlite3 before the real VM
(vdbe/vm.py) exists.  It is test scaffolding, not the engine's VM.
"""

from __future__ import annotations

import functools
from typing import Any

from pyrite import values as V

AFF_LETTERS = {ord(c): c for c in "@ABCDE"}


class Cur:
    def __init__(self, entries: list, kind: str, key_info=None, table_width: int = 0):
        self.entries = entries      # table: [(rowid, row)], index: [key tuple]
        self.kind = kind            # 'table' | 'index' | 'pseudo'
        self.key_info = key_info
        self.pos = -1
        self.null_row = False
        self.deferred: Cur | None = None
        self.width = table_width
        self.pseudo_reg = 0

    def valid(self) -> bool:
        return 0 <= self.pos < len(self.entries)


def _key(ki):
    return functools.cmp_to_key(lambda a, b: V.compare_keys(a, b, ki))


def _aff(p5: int) -> str:
    return chr((p5 & 0x47) | 0x40) if p5 & 0x47 else V.AFF_NONE


def run(ops: list, tables: dict[int, list], indexes: dict[int, list],
        params: dict[int, Any] | None = None) -> list[tuple]:
    """Run ``ops`` (RecordingBuilder output); ``tables`` maps a table root page
    to its [(rowid, row)] list, ``indexes`` an index root page to its key list."""
    params = params or {}
    reg: dict[int, Any] = {}
    cur: dict[int, Cur] = {}
    once: set[int] = set()
    out: list[tuple] = []
    aggs: dict[int, Any] = {}
    coll = None
    last_cmp = 0
    pc = 0
    steps = 0
    while True:
        steps += 1
        if steps > 2_000_000:
            raise RuntimeError("runaway program")
        op, p1, p2, p3, p4, p5 = ops[pc]
        pc += 1
        R = reg.get
        if op == "Init" or op == "Goto":
            pc = p2
        elif op == "Halt":
            return out
        elif op in ("Transaction", "Explain", "Noop"):
            pass
        elif op == "OpenRead":
            if isinstance(p4, V.KeyInfo):
                cur[p1] = Cur(sorted(indexes[p2], key=_key(p4)), "index", p4)
            else:
                cur[p1] = Cur(sorted(tables[p2]), "table")
        elif op == "OpenEphemeral":
            cur[p1] = Cur([], "index" if p4 is not None else "table", p4)
        elif op == "SorterOpen":
            cur[p1] = Cur([], "index", p4)
        elif op == "OpenPseudo":
            c = Cur([], "pseudo")
            c.pseudo_reg = p2
            cur[p1] = c
        elif op in ("Rewind", "SorterSort"):
            c = cur[p1]
            c.null_row = False
            if c.kind == "index" and c.key_info is not None:
                c.entries.sort(key=_key(c.key_info))
            c.pos = 0
            if not c.entries:
                pc = p2
        elif op == "Last":
            c = cur[p1]
            c.null_row = False
            c.pos = len(c.entries) - 1
            if not c.entries:
                pc = p2
        elif op == "Prev":
            c = cur[p1]
            if c.null_row or not c.valid():
                continue
            c.pos -= 1
            if c.valid():
                pc = p2
        elif op in ("Next", "SorterNext"):
            c = cur[p1]
            if c.null_row or not c.valid():
                continue
            c.pos += 1
            if c.valid():
                pc = p2
        elif op == "NullRow":
            cur[p1].null_row = True
            cur[p1].pos = len(cur[p1].entries)
        elif op == "Column":
            c = cur[p1]
            if c.deferred is not None:
                t = c
            if c.kind == "pseudo":
                row = reg[c.pseudo_reg]
                reg[p3] = row[p2] if p2 < len(row) else p4
            elif c.null_row or not c.valid():
                reg[p3] = None
            elif c.kind == "table":
                row = c.entries[c.pos][1]
                reg[p3] = row[p2] if p2 < len(row) else p4
            else:
                reg[p3] = c.entries[c.pos][p2]
        elif op == "Rowid":
            c = cur[p1]
            reg[p3 if False else p2] = None if (c.null_row or not c.valid()) else c.entries[c.pos][0]
        elif op == "IdxRowid":
            c = cur[p1]
            reg[p2] = None if (c.null_row or not c.valid()) else c.entries[c.pos][-1]
        elif op == "DeferredSeek":
            ic, tc = cur[p1], cur[p3]
            rowid = ic.entries[ic.pos][-1]
            tc.null_row = False
            tc.pos = next(i for i, e in enumerate(tc.entries) if e[0] == rowid)
        elif op == "SeekRowid":
            c = cur[p1]
            c.null_row = False
            v = R(p3)
            v = V.apply_affinity(v, V.AFF_NUMERIC) if isinstance(v, str) else v
            if not isinstance(v, int) or isinstance(v, bool):
                if isinstance(v, float) and v == int(v):
                    v = int(v)
                else:
                    pc = p2
                    continue
            idx = next((i for i, e in enumerate(c.entries) if e[0] == v), None)
            if idx is None:
                pc = p2
            else:
                c.pos = idx
        elif op in ("SeekGE", "SeekGT"):
            c = cur[p1]
            c.null_row = False
            if c.kind == "table":
                v = V.apply_affinity(R(p3), V.AFF_NUMERIC)
                if v is None or isinstance(v, (str, bytes)):
                    pc = p2
                    continue
                c.pos = next((i for i, e in enumerate(c.entries)
                              if (e[0] >= v if op == "SeekGE" else e[0] > v)),
                             len(c.entries))
            else:
                key = [reg[p3 + i] for i in range(p4)]
                ki = c.key_info
                def ok(e):
                    r = V.compare_keys(e[:len(key)], key, ki)
                    return r >= 0 if op == "SeekGE" else r > 0
                c.pos = next((i for i, e in enumerate(c.entries) if ok(e)), len(c.entries))
            if not c.valid():
                pc = p2
        elif op in ("IdxGT", "IdxGE", "IdxLT", "IdxLE"):
            c = cur[p1]
            key = [reg[p3 + i] for i in range(p4)]
            r = V.compare_keys(c.entries[c.pos][:len(key)], key, c.key_info)
            if (op == "IdxGT" and r > 0) or (op == "IdxGE" and r >= 0) or \
                    (op == "IdxLT" and r < 0) or (op == "IdxLE" and r <= 0):
                pc = p2
        elif op == "Integer":
            reg[p2] = p1
        elif op in ("Int64", "Real", "String8"):
            reg[p2] = p4
        elif op == "Blob":
            reg[p2] = p4
        elif op == "Null":
            for r in range(p2, max(p2, p3) + 1):
                reg[r] = None
        elif op == "Variable":
            reg[p2] = params.get(p1)
        elif op in ("SCopy", "Copy"):
            n = p3 + 1 if op == "Copy" else 1
            for i in range(n):
                reg[p2 + i] = R(p1 + i)
        elif op == "Move":
            for i in range(p3):
                reg[p2 + i] = R(p1 + i)
                reg[p1 + i] = None
        elif op == "ResultRow":
            out.append(tuple(R(p1 + i) for i in range(p2)))
        elif op in ("Eq", "Ne", "Lt", "Le", "Gt", "Ge"):
            a, b = R(p3), R(p1)
            if p5 & 0x80:
                if a is None or b is None:
                    r = 0 if (a is None and b is None) else 1
                else:
                    r = V.compare_with_affinity(a, b, _aff(p5), p4 if p4 is not V.BINARY else None)
                res = (r == 0) if op == "Eq" else (r != 0)
                if res:
                    pc = p2
                continue
            r = V.compare_with_affinity(a, b, _aff(p5), p4 if p4 is not V.BINARY else None)
            if r is None:
                if p5 & 0x10:
                    pc = p2
                continue
            res = {"Eq": r == 0, "Ne": r != 0, "Lt": r < 0, "Le": r <= 0,
                   "Gt": r > 0, "Ge": r >= 0}[op]
            if res:
                pc = p2
        elif op == "ZeroOrNull":
            reg[p2] = None if (R(p1) is None or R(p3) is None) else 0
        elif op in ("And", "Or"):
            a, b = V.is_true(R(p1)), V.is_true(R(p2))
            if op == "And":
                res = 0 if (a is False or b is False) else (None if (a is None or b is None) else 1)
            else:
                res = 1 if (a or b) else (None if (a is None or b is None) else 0)
            reg[p3] = res
        elif op == "Not":
            a = V.is_true(R(p1))
            reg[p2] = None if a is None else int(not a)
        elif op == "BitNot":
            reg[p2] = V.bit_not(R(p1))
        elif op in ("Add", "Subtract", "Multiply", "Divide", "Remainder", "Concat",
                    "BitAnd", "BitOr", "ShiftLeft", "ShiftRight"):
            fn = {"Add": V.add, "Subtract": V.subtract, "Multiply": V.multiply,
                  "Divide": V.divide, "Remainder": V.remainder, "Concat": V.concat,
                  "BitAnd": V.bit_and, "BitOr": V.bit_or, "ShiftLeft": V.shift_left,
                  "ShiftRight": V.shift_right}[op]
            reg[p3] = fn(R(p2), R(p1))
        elif op in ("If", "IfNot"):
            t = V.is_true(R(p1))
            if t is None:
                if p3:
                    pc = p2
            elif t == (op == "If"):
                pc = p2
        elif op == "IsNull":
            if R(p1) is None:
                pc = p2
        elif op == "NotNull":
            if R(p1) is not None:
                pc = p2
        elif op == "CollSeq":
            coll = p4
        elif op == "Function":
            fd = p4
            args = [R(p2 + i) for i in range(p5)]
            from pyrite.vdbe.functions import NEEDS_COLLATION, NEEDS_CONTEXT
            pre = []
            if fd.flags & NEEDS_CONTEXT:
                pre.append(None)
            if fd.flags & NEEDS_COLLATION:
                pre.append(coll)
            reg[p3] = fd.func(*pre, *args)
        elif op == "AggStep":
            fd = p4
            from pyrite.vdbe.functions import NEEDS_COLLATION
            if not isinstance(reg.get(p3), _Agg):
                reg[p3] = _Agg(fd.func(coll) if fd.flags & NEEDS_COLLATION else fd.func())
            reg[p3].obj.step(*[R(p2 + i) for i in range(p5)])
        elif op == "AggFinal":
            a = R(p1)
            if not isinstance(a, _Agg):
                from pyrite.vdbe.functions import NEEDS_COLLATION
                a = _Agg(p4.func(None) if p4.flags & NEEDS_COLLATION else p4.func())
            reg[p1] = a.obj.finalize()
        elif op == "MakeRecord":
            row = [R(p1 + i) for i in range(p2)]
            if p4:
                row = [V.apply_affinity(v, a) for v, a in zip(row, p4)]
            reg[p3] = tuple(row)
        elif op in ("IdxInsert", "SorterInsert"):
            c = cur[p1]
            rec = reg[p2]
            if op == "IdxInsert" and any(V.compare_keys(e, rec, c.key_info or V.KeyInfo([None] * len(rec))) == 0
                                         and len(e) == len(rec) for e in c.entries):
                continue
            c.entries.append(rec)
            if c.key_info is not None and op == "IdxInsert":
                c.entries.sort(key=_key(c.key_info))
        elif op == "IdxDelete":
            c = cur[p1]
            key = tuple(R(p2 + i) for i in range(p3))
            c.entries = [e for e in c.entries if V.compare_keys(e, key, c.key_info) != 0]
        elif op in ("Found", "NotFound"):
            c = cur[p1]
            key = tuple(R(p3 + i) for i in range(p4)) if p4 else reg[p3]
            ki = c.key_info or V.KeyInfo([None] * len(key))
            found = any(V.compare_keys(e[:len(key)], key, ki) == 0 for e in c.entries)
            if found == (op == "Found"):
                pc = p2
        elif op == "RowData":
            c = cur[p1]
            reg[p2] = c.entries[c.pos]
        elif op == "NewRowid":
            c = cur[p1]
            reg[p2] = len(c.entries) + 1
        elif op == "Insert":
            cur[p1].entries.append((reg[p3], list(reg[p2])))
        elif op == "SorterData":
            c = cur[p1]
            reg[p2] = c.entries[c.pos]
            cur[p3].pseudo_reg = p2
        elif op == "Compare":
            a = [R(p1 + i) for i in range(p3)]
            b = [R(p2 + i) for i in range(p3)]
            last_cmp = V.compare_keys(a, b, p4)
        elif op == "Jump":
            pc = p1 if last_cmp < 0 else (p2 if last_cmp == 0 else p3)
        elif op == "Gosub":
            reg[p1] = pc
            pc = p2
        elif op == "Return":
            pc = reg[p1]
        elif op == "IfPos":
            v = R(p1)
            if isinstance(v, int) and v > 0:
                reg[p1] = v - p3
                pc = p2
        elif op == "DecrJumpZero":
            reg[p1] = R(p1) - 1
            if reg[p1] == 0:
                pc = p2
        elif op == "MustBeInt":
            v = V.apply_affinity(R(p1), V.AFF_INTEGER)
            if not isinstance(v, int):
                from pyrite import errors
                errors.raise_error(errors.SQLITE_MISMATCH, "datatype mismatch")
            reg[p1] = v
        elif op == "OffsetLimit":
            lim, off = R(p1), R(p3)
            reg[p2] = -1 if lim <= 0 else lim + max(off, 0)
        elif op == "Once":
            if pc - 1 in once:
                pc = p2
            else:
                once.add(pc - 1)
        elif op == "AddImm":
            reg[p1] = (V.to_integer(R(p1)) or 0) + p2
        elif op == "Cast":
            reg[p1] = V.cast_to_affinity(R(p1), chr(p2))
        elif op == "Affinity":
            for i, a in enumerate(p4):
                reg[p1 + i] = V.apply_affinity(R(p1 + i), a)
        elif op == "RealAffinity":
            if isinstance(R(p1), int):
                reg[p1] = float(reg[p1])
        else:
            raise NotImplementedError(op)


class _Agg:
    def __init__(self, obj: Any) -> None:
        self.obj = obj
