"""VDBE layer: the window pass (SQLite's ``window.c``, run-time half).

SQLite rewrites a SELECT with window functions into a subquery whose rows
are sorted by (PARTITION BY, ORDER BY) and then walked one partition at a
time, keeping the aggregate of each frame up to date with ``step`` as rows
enter it and ``inverse`` as they leave (or recomputing it when the function
has no inverse).  Pyrite's compiler does the same rewrite (compile/window.py):
the subquery's rows are buffered in a sorter, and the one opcode here,
``WindowPass``, performs the sort and the per-partition frame walk for every
window of the query, appending one column per window function to each row.
SQLite emits that walk as VDBE code (windowCodeOp and friends); here it is a
Python loop over the partition's rows, which computes the same frames:
ROWS/RANGE/GROUPS with UNBOUNDED/CURRENT ROW/N PRECEDING/FOLLOWING bounds and
the four EXCLUDE modes, FILTER, and the built-ins whose values come from the
partition itself (row_number, rank, lag, nth_value ...).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from pyrite import errors, values
from pyrite.vdbe.opcodes import opcode
from pyrite.vdbe.ops.control import function_result

# Frame bound kinds, as ast.FrameBound spells them.
UNBOUNDED_PRECEDING = "UNBOUNDED PRECEDING"
PRECEDING = "PRECEDING"
CURRENT_ROW = "CURRENT ROW"
FOLLOWING = "FOLLOWING"
UNBOUNDED_FOLLOWING = "UNBOUNDED FOLLOWING"


@dataclass(slots=True)
class WindowFunc:
    """One window function call: where its arguments are in the row, its
    frame, and the column its value goes to.

    ``kind`` is ``'agg'`` for aggregates (built-in or user-defined) or the
    name of the built-in window function computed from the partition.
    ``start_reg``/``end_reg`` hold the frame offsets (0: no offset).
    """

    funcdef: Any
    kind: str
    args: tuple[int, ...]
    filter: int
    out: int
    units: str = "RANGE"
    start: str = UNBOUNDED_PRECEDING
    start_reg: int = 0
    end: str = CURRENT_ROW
    end_reg: int = 0
    exclude: str | None = None
    coll: Any = None

    def __str__(self) -> str:
        return f"{self.funcdef.name}({','.join(map(str, self.args))})"


@dataclass(slots=True)
class WindowGroup:
    """Windows sharing one (PARTITION BY, ORDER BY): one sort, one walk."""

    partition: tuple[int, ...]
    order: tuple[int, ...]
    key_info: values.KeyInfo          # partition + order fields
    part_info: values.KeyInfo         # partition fields
    order_info: values.KeyInfo        # order fields
    funcs: list[WindowFunc] = field(default_factory=list)


@dataclass(slots=True)
class WindowPlan:
    """P4 of WindowPass: the groups in the order they are applied (the
    last one decides the order the rows are left in)."""

    n_in: int
    groups: list[WindowGroup]

    def __str__(self) -> str:
        return "window(" + ";".join(",".join(str(f) for f in g.funcs)
                                    for g in self.groups) + ")"


@opcode("WindowPass", "P1 P2 P3 P4 *", "sorter[P3] = window(P4, sorter[P1])", cursor="p1",
        ncol="p2", dest="p3")
def op_window_pass(vm: Any, op: Any, pc: int) -> int:
    """Compute the window functions of WindowPlan P4 over the rows buffered
    in sorter P1 (P2 columns each, in the order they were inserted): sort the rows by each window's
    PARTITION BY and ORDER BY, walk each partition computing every frame,
    and leave the rows in sorter P3 in the final order, each extended by
    one column per window function (P3's key has no fields, so sorting it
    keeps that order).  Frame offsets are read from the registers the plan
    names; an invalid one is an error."""
    from pyrite.vdbe.ops.cursor import _cursor
    c = _cursor(vm, op.p1)
    out = _cursor(vm, op.p3)
    out.sorter = []
    out.sorter_pos = 0
    plan: WindowPlan = op.p4
    n_out = sum(len(g.funcs) for g in plan.groups)
    pad = [None] * n_out
    rows: list[list[Any]] = [list(r) + pad for r in c.sorter or ()]
    c.sorter = []
    if not rows:
        return pc + 1
    for group in plan.groups:
        _check_offsets(vm, group)
    for group in plan.groups:
        rows = _apply_group(vm, group, rows)
    out.sorter = rows
    return pc + 1


# ---------------------------------------------------------------------------
# Frame offsets
# ---------------------------------------------------------------------------

def _check_offsets(vm: Any, group: WindowGroup) -> None:
    for f in group.funcs:
        if f.kind != "agg" and f.kind not in _FRAMED:
            continue
        for reg, which in ((f.start_reg, "starting"), (f.end_reg, "ending")):
            if reg:
                vm.r[reg] = _offset_value(vm.r[reg], f.units, which)


def _offset_value(v: Any, units: str, which: str) -> int | float:
    if units == "RANGE":
        n = v
        if isinstance(v, str):
            n = values.text_to_numeric(v.strip(" \t\n\f\r\v"))
        if type(n) not in (int, float) or n < 0:
            errors.raise_error(errors.SQLITE_ERROR,
                               f"frame {which} offset must be a non-negative number")
        return n  # type: ignore[return-value]
    n = v
    if isinstance(v, str):
        n = values.text_to_numeric(v.strip(" \t\n\f\r\v"))
    if type(n) is float and n == int(n) and -2.0**63 <= n < 2.0**63:
        n = int(n)
    if type(n) is not int or n < 0:
        errors.raise_error(errors.SQLITE_ERROR,
                           f"frame {which} offset must be a non-negative integer")
    return n  # type: ignore[return-value]


# ---------------------------------------------------------------------------
# One window group: sort, split into partitions, compute
# ---------------------------------------------------------------------------

def _apply_group(vm: Any, group: WindowGroup, rows: list[list[Any]]) -> list[list[Any]]:
    cols = group.partition + group.order
    np = len(group.partition)
    if cols:
        ki = group.key_info
        keyed = [([row[i] for i in cols], row) for row in rows]
        cmp = functools.cmp_to_key(lambda a, b: values.compare_keys(a[0], b[0], ki))
        keyed.sort(key=cmp)
        rows = [r for _, r in keyed]
        keys = [k for k, _ in keyed]
    else:
        keys = [[] for _ in rows]
    start = 0
    n = len(rows)
    pinfo = group.part_info
    while start < n:
        end = start + 1
        if np:
            pk = keys[start][:np]
            while end < n and values.compare_keys(keys[end][:np], pk, pinfo) == 0:
                end += 1
        else:
            end = n
        _partition(vm, group, rows[start:end], [k[np:] for k in keys[start:end]])
        start = end
    return rows


class _Partition:
    """The rows of one partition and their peer groups."""

    __slots__ = ("rows", "okeys", "gid", "gstart", "gend", "n")

    def __init__(self, rows: list[list[Any]], okeys: list[list[Any]],
                 oinfo: values.KeyInfo) -> None:
        self.rows = rows
        self.okeys = okeys
        n = self.n = len(rows)
        gid = [0] * n
        gstart: list[int] = [0]
        g = 0
        for i in range(1, n):
            if okeys[i] and values.compare_keys(okeys[i], okeys[i - 1], oinfo) != 0:
                g += 1
                gstart.append(i)
            gid[i] = g
        self.gid = gid
        self.gstart = gstart
        self.gend = gstart[1:] + [n]


def _partition(vm: Any, group: WindowGroup, rows: list[list[Any]],
               okeys: list[list[Any]]) -> None:
    part = _Partition(rows, okeys, group.order_info)
    for f in group.funcs:
        fn = _BUILTIN.get(f.kind)
        if fn is not None:
            vals = fn(vm, f, part)
        else:
            vals = _framed(vm, f, part, group)
        out = f.out
        for row, v in zip(rows, vals):
            row[out] = int(v) if type(v) is bool else v


# -- built-ins that read the partition ---------------------------------------

def _row_number(vm: Any, f: WindowFunc, p: _Partition) -> list[Any]:
    return list(range(1, p.n + 1))


def _rank(vm: Any, f: WindowFunc, p: _Partition) -> list[Any]:
    return [p.gstart[g] + 1 for g in p.gid]


def _dense_rank(vm: Any, f: WindowFunc, p: _Partition) -> list[Any]:
    return [g + 1 for g in p.gid]


def _percent_rank(vm: Any, f: WindowFunc, p: _Partition) -> list[Any]:
    if p.n <= 1:
        return [0.0] * p.n
    d = p.n - 1
    return [p.gstart[g] / d for g in p.gid]


def _cume_dist(vm: Any, f: WindowFunc, p: _Partition) -> list[Any]:
    return [p.gend[g] / p.n for g in p.gid]


def _int64(v: Any) -> int:
    r = values.to_integer(v)
    return 0 if r is None else r


def _ntile(vm: Any, f: WindowFunc, p: _Partition) -> list[Any]:
    k = _int64(p.rows[0][f.args[0]])
    if k <= 0:
        errors.raise_error(errors.SQLITE_ERROR, "argument of ntile must be a positive integer")
    n = p.n
    out = []
    size = n // k
    for i in range(n):
        if n < k or size == 0:
            out.append(i + 1)
            continue
        n_large = n - k * size
        i_small = n_large * (size + 1)
        if i < i_small:
            out.append(1 + i // (size + 1))
        else:
            out.append(1 + n_large + (i - i_small) // size)
    return out


def _lead_lag(vm: Any, f: WindowFunc, p: _Partition, sign: int) -> list[Any]:
    a = f.args
    out = []
    rows = p.rows
    n = p.n
    for i, row in enumerate(rows):
        if len(a) > 1:
            off = row[a[1]]
            off = values.numeric_value(off) if off is not None else None
        else:
            off = 1
        target: Any = None
        if off is not None:
            t = values.add(i, off) if sign > 0 else values.subtract(i, off)
            if type(t) is float and t == int(t) and abs(t) < 2**63:
                t = int(t)
            # lag()'s frame ends at the current row: SQLite has read at most
            # one row past it when the value is returned.
            if type(t) is int and 0 <= t < n and (sign > 0 or t <= i + 1):
                target = t
        if target is not None:
            out.append(rows[target][a[0]])
        else:
            out.append(row[a[2]] if len(a) > 2 else None)
    return out


def _lead(vm: Any, f: WindowFunc, p: _Partition) -> list[Any]:
    return _lead_lag(vm, f, p, 1)


def _lag(vm: Any, f: WindowFunc, p: _Partition) -> list[Any]:
    return _lead_lag(vm, f, p, -1)


_BUILTIN = {
    "row_number": _row_number, "rank": _rank, "dense_rank": _dense_rank,
    "percent_rank": _percent_rank, "cume_dist": _cume_dist, "ntile": _ntile,
    "lead": _lead, "lag": _lag,
}
# Built-ins whose value depends on the frame.
_FRAMED = ("first_value", "last_value", "nth_value")


# -- frames --------------------------------------------------------------------

def _frames(vm: Any, f: WindowFunc, p: _Partition, group: WindowGroup) -> list[tuple[int, int]]:
    """[start, end) of the frame of every row of the partition."""
    n = p.n
    units = f.units
    k_start = vm.r[f.start_reg] if f.start_reg else 0
    k_end = vm.r[f.end_reg] if f.end_reg else 0
    out: list[tuple[int, int]] = []
    gid, gstart, gend = p.gid, p.gstart, p.gend
    ng = len(gstart)
    if units == "RANGE" and (f.start in (PRECEDING, FOLLOWING) or f.end in (PRECEDING, FOLLOWING)):
        return _range_frames(f, p, group, k_start, k_end)
    for i in range(n):
        g = gid[i]
        s = f.start
        if s == UNBOUNDED_PRECEDING:
            a = 0
        elif s == CURRENT_ROW:
            a = i if units == "ROWS" else gstart[g]
        elif units == "ROWS":
            a = i - k_start if s == PRECEDING else i + k_start
        else:  # GROUPS
            t = g - k_start if s == PRECEDING else g + k_start
            a = 0 if t < 0 else (gstart[t] if t < ng else n)
        e = f.end
        if e == UNBOUNDED_FOLLOWING:
            b = n
        elif e == CURRENT_ROW:
            b = i + 1 if units == "ROWS" else gend[g]
        elif units == "ROWS":
            b = i - k_end + 1 if e == PRECEDING else i + k_end + 1
        else:
            t = g - k_end if e == PRECEDING else g + k_end
            b = 0 if t < 0 else (gend[t] if t < ng else n)
        a = min(max(a, 0), n)
        b = max(min(b, n), 0)
        out.append((a, b))
    return out


def _range_frames(f: WindowFunc, p: _Partition, group: WindowGroup,
                  k_start: Any, k_end: Any) -> list[tuple[int, int]]:
    """RANGE frames with an offset.  As windowCodeRangeTest, a row belongs to
    the frame by comparing one row's ORDER BY value plus (minus, for DESC)
    the offset with the other's, in the window's sort order; text and blobs
    take no offset, NULLs are peers of each other."""
    n = p.n
    info = group.order_info
    desc = info.is_desc(0)
    coll = info.collation(0)
    bignull = info.bignull[0] if info.bignull else False
    vals = [k[0] if k else None for k in p.okeys]

    def order_cmp(x: Any, y: Any) -> int:
        # compare in the window's sort order
        if x is None or y is None:
            if x is None and y is None:
                return 0
            r = -1 if x is None else 1
            if bignull:
                r = -r
            return -r if desc else r
        r = values.compare(x, y, coll)
        return -r if desc else r

    def arith(x: Any, k: Any) -> Any:
        if x is None or not isinstance(x, (int, float)):
            return x
        return values.subtract(x, k) if desc else values.add(x, k)

    def first_true(pred: Any) -> int:   # pred is False...False True...True
        lo, hi = 0, n
        while lo < hi:
            mid = (lo + hi) // 2
            if pred(mid):
                hi = mid
            else:
                lo = mid + 1
        return lo

    out = []
    gid, gstart, gend = p.gid, p.gstart, p.gend
    s_kind, e_kind = f.start, f.end
    r_end = (-k_end if e_kind == FOLLOWING else k_end) if k_end is not None else 0
    for i in range(n):
        g = gid[i]
        v = vals[i]
        if s_kind == UNBOUNDED_PRECEDING:
            a = 0
        elif s_kind == CURRENT_ROW:
            a = gstart[g]
        elif s_kind == PRECEDING:
            a = first_true(lambda j: order_cmp(arith(vals[j], k_start), v) >= 0)
        else:
            vk = arith(v, k_start)
            a = first_true(lambda j: order_cmp(vk, vals[j]) <= 0)
        if e_kind == UNBOUNDED_FOLLOWING:
            b = n
        elif e_kind == CURRENT_ROW:
            b = gend[g]
        else:
            b = first_true(lambda j: order_cmp(arith(vals[j], r_end), v) > 0)
        out.append((a, b))
    return out


def _excluded(f: WindowFunc, p: _Partition, i: int) -> tuple[int, int, int]:
    """(lo, hi, keep): frame rows in [lo, hi) are excluded except ``keep``."""
    ex = f.exclude
    if ex == "CURRENT ROW":
        return i, i + 1, -1
    g = p.gid[i]
    if ex == "GROUP":
        return p.gstart[g], p.gend[g], -1
    return p.gstart[g], p.gend[g], i  # TIES


def _frame_rows(f: WindowFunc, p: _Partition, i: int, a: int, b: int) -> list[int]:
    if f.exclude is None or f.exclude == "NO OTHERS":
        return list(range(a, b))
    lo, hi, keep = _excluded(f, p, i)
    return [j for j in range(a, b) if not (lo <= j < hi) or j == keep]


def _framed(vm: Any, f: WindowFunc, p: _Partition, group: WindowGroup) -> list[Any]:
    frames = _frames(vm, f, p, group)
    rows = p.rows
    kind = f.kind
    args = f.args
    if kind in _FRAMED:
        x = args[0]
        out = []
        for i, (a, b) in enumerate(frames):
            idx = _frame_rows(f, p, i, a, b) if f.exclude not in (None, "NO OTHERS") \
                else range(a, max(a, b))
            if kind == "nth_value":
                k = _nth_param(rows[i][args[1]])
                out.append(rows[idx[k - 1]][x] if k <= len(idx) else None)
            elif not idx:
                out.append(None)
            elif kind == "first_value":
                out.append(rows[idx[0]][x])
            else:
                out.append(rows[idx[-1]][x])
        return out
    return _aggregate(vm, f, p, frames)


def _nth_param(v: Any) -> int:
    n = v
    if isinstance(v, str):
        n = values.text_to_numeric(v.strip(" \t\n\f\r\v"))
    if type(n) is float and n == int(n) and -2.0**63 <= n < 2.0**63:
        n = int(n)
    if type(n) is not int or n <= 0:
        errors.raise_error(errors.SQLITE_ERROR,
                           "second argument to nth_value must be a positive integer")
    return n  # type: ignore[return-value]


# -- aggregates over frames ----------------------------------------------------

def _new(vm: Any, f: WindowFunc) -> Any:
    fd = f.funcdef
    if fd.flags & 0x10:  # NEEDS_COLLATION
        coll = f.coll
        return fd.func(None if coll is values.BINARY else coll)
    return fd.func()


def _aggregate(vm: Any, f: WindowFunc, p: _Partition,
               frames: list[tuple[int, int]]) -> list[Any]:
    rows = p.rows
    argi = f.args
    flt = f.filter
    exclude = f.exclude is not None   # EXCLUDE NO OTHERS too: a full scan
    if f.funcdef.flags & 0x40 and f.start != UNBOUNDED_PRECEDING and not exclude:
        # SQLite 3.40's min()/max() over a moving frame (its ordered
        # ephemeral index path, windowAggStep) does not apply FILTER.
        flt = -1
    n = p.n
    out: list[Any] = []

    def use(j: int) -> bool:
        return flt < 0 or values.is_true(rows[j][flt]) is True

    def args_of(j: int) -> list[Any]:
        row = rows[j]
        return [row[k] for k in argi]

    has_inverse = hasattr(f.funcdef.func, "inverse") and not f.funcdef.flags & 0x40
    if not exclude and (f.start == UNBOUNDED_PRECEDING or has_inverse):
        # Sliding: step rows entering the frame, inverse rows leaving it.
        acc = _new(vm, f)
        cs = ce = 0
        for a, b in frames:
            b = max(a, b)
            # rows leave the frame before new ones enter it, as in SQLite
            # (group_concat()'s buffer can tell the difference)
            while cs < a and cs < ce:
                if use(cs):
                    acc.inverse(*args_of(cs))
                cs += 1
            if cs < a:
                cs = ce = a
            while ce < b:
                if use(ce):
                    acc.step(*args_of(ce))
                ce += 1
            out.append(function_result(acc.value()))
        return out
    if not exclude and all(b >= n for _, b in frames) and f.funcdef.flags & 0x40:
        # min()/max() to the end of the partition: walk backwards.
        acc = _new(vm, f)
        res: list[Any] = [None] * n
        pos = n
        order = sorted(range(n), key=lambda i: -frames[i][0])
        for i in order:
            a = frames[i][0]
            while pos > a:
                pos -= 1
                if use(pos):
                    acc.step(*args_of(pos))
            res[i] = function_result(acc.value())
        return res
    # min()/max() over a moving frame keep, among equal values, the one
    # stepped last (SQLite's ordered ephemeral index): step backwards.
    backwards = bool(f.funcdef.flags & 0x40) and f.start != UNBOUNDED_PRECEDING \
        and not exclude
    for i, (a, b) in enumerate(frames):
        acc = _new(vm, f)
        members = _frame_rows(f, p, i, a, b)
        if backwards:
            members.reverse()
        for j in members:
            if use(j):
                acc.step(*args_of(j))
        # A frame with EXCLUDE is a full scan into fresh accumulators that
        # are finalized (windowFullScan), other recomputed frames are read
        # with value().
        out.append(function_result(acc.finalize() if exclude else acc.value()))
    return out
