"""Compiler layer: the cost-based join planner (the planning half of
SQLite's ``where.c``: ``whereLoopAddBtree``/``whereLoopAddBtreeIndex``,
``whereLoopInsert`` and ``wherePathSolver``, the "next generation query
planner").  Split from ``where.py``, which turns the chosen plan into loops.

For every FROM item the builder lists candidate loops (:class:`WhereLoop`):
a full scan, a rowid lookup or range, a seek or scan of each usable index
with the equality/range terms other tables can feed it, and an automatic
(transient) index on an equality term when no index serves it.  Each loop
carries its prerequisites (the tables its terms need first), a setup cost,
a run cost and an output row count, all in LogEst units (about 10*log2).
The path solver then grows the best N join orders one table at a time and
keeps the cheapest.  Outer and CROSS joins, co-routines and RIGHT joins fix
the order by prerequisites, as SQLite's ``whereLoopAddAll`` does.

Estimates follow SQLite: a table without statistics holds 1,048,576 rows
(LogEst 200), an index equality keeps 10 rows per key column (then 9, 8,
7, 6, 5), a unique index one; ``sqlite_stat1`` replaces these when
loaded (``schema/stats.py``).
"""

from __future__ import annotations
from pyrite.values import fold_name

from dataclasses import dataclass, field, replace
from typing import Any

from pyrite import values
from pyrite.compile.context import (
    JT_CROSS, JT_LEFT, JT_RIGHT, Parse, SrcItem, index_collations, index_columns,
    index_is_partial, table_root,
)
from pyrite.compile.resolve import ColumnRef
from pyrite.schema.stats import index_row_est, log_est, table_row_est
from pyrite.sql import ast

# WhereLoop.flags (SQLite's WHERE_* wsFlags, the ones the cost model reads)
WHERE_COLUMN_EQ = 0x0001
WHERE_COLUMN_RANGE = 0x0002
WHERE_COLUMN_IN = 0x0004
WHERE_TOP_LIMIT = 0x0010
WHERE_BTM_LIMIT = 0x0020
WHERE_IDX_ONLY = 0x0040
WHERE_IPK = 0x0100
WHERE_INDEXED = 0x0200
WHERE_VIRTUALTABLE = 0x0400
WHERE_ONEROW = 0x1000
WHERE_AUTO_INDEX = 0x4000
WHERE_SELFCULL = 0x00800000
WHERE_BLOOMFILTER = 0x00400000


# ---------------------------------------------------------------------------
# LogEst arithmetic
# ---------------------------------------------------------------------------

_ADD_STEPS = (10, 10, 9, 9, 8, 8, 7, 7, 7, 6, 6, 6, 5, 5, 5, 4, 4, 4, 4,
              3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2)


def log_est_add(a: int, b: int) -> int:
    """sqlite3LogEstAdd: the LogEst of the sum of two LogEst values."""
    if a < b:
        a, b = b, a
    if a > b + 49:
        return a
    if a > b + 31:
        return a + 1
    return a + _ADD_STEPS[a - b]


def est_log(n: int) -> int:
    """estLog: LogEst of log2(N) for a LogEst N (a binary search's cost)."""
    return 0 if n <= 10 else log_est(n) - 33


# ---------------------------------------------------------------------------
# Loops
# ---------------------------------------------------------------------------

@dataclass(eq=False)
class WhereLoop:
    """One way to visit one FROM item (SQLite's ``WhereLoop``)."""

    tab: int                         # position of the item in FROM
    mask_self: int
    prereq: int = 0                  # FROM positions (bits) needed first
    flags: int = 0
    plan: str = "scan"               # as WhereLevel.plan, or "auto"
    index: Any = None
    eq: list[Any] = field(default_factory=list)
    lower: Any = None
    upper: Any = None
    terms: list[Any] = field(default_factory=list)   # WhereTerms used
    r_setup: int = 0
    r_run: int = 0
    n_out: int = 0
    covering: bool = False
    vtab: Any = None


@dataclass(eq=False)
class _Probe:
    """An index seen by the loop builder (the rowid is a one-column
    'index' of its own, as SQLite's fake primary-key Index)."""

    index: Any                 # schema Index; None for the rowid
    columns: list[int]
    row_est: list[int]
    sz_idx: int
    covering: bool
    unique: bool = False
    uniq_not_null: bool = False
    has_stat1: bool = False

    @property
    def is_ipk(self) -> bool:
        return self.index is None


class LoopBuilder:
    """Candidate loops of every FROM item (whereLoopAddAll), kept as SQLite
    keeps them: a new loop that another beats on every count is dropped."""

    def __init__(self, parse: Parse, levels: list[Any], terms: list[Any], flags: int,
                 where: Any) -> None:
        self.parse = parse
        self.levels = levels
        self.terms = terms
        self.flags = flags
        self.where = where           # the where module (helpers shared with codegen)
        self.loops: list[WhereLoop] = []
        self.masks = {lv.item.cursor: 1 << i for i, lv in enumerate(levels)}

    # -- masks ---------------------------------------------------------------

    def mask_of(self, cursors: Any) -> int:
        m = 0
        for c in cursors:
            m |= self.masks.get(c, 0)
        return m

    def term_mask(self, term: Any) -> int:
        return self.mask_of(term.cursors)

    # -- FROM order constraints ---------------------------------------------

    def base_prereqs(self) -> list[int]:
        """mPrereq of each item: outer and CROSS joins keep the tables to
        their left outside them; with a RIGHT join (or a co-routine, which
        cannot be rewound) the FROM order is kept whole."""
        levels = self.levels
        fixed = any(lv.item.jointype & JT_RIGHT for lv in levels)
        out = []
        prior = 0
        prereq = 0
        for i, lv in enumerate(levels):
            item = lv.item
            if fixed or item.jointype & (JT_LEFT | JT_RIGHT | JT_CROSS):
                prereq |= prior
            else:
                prereq = 0
            out.append(prereq)
            prior |= 1 << i
        for i, lv in enumerate(levels):
            item = lv.item
            if item.via_coroutine or getattr(item.table, "is_recursive", False):
                # the co-routine is an outer loop: everything after it waits
                before = (1 << i) - 1
                out[i] |= before
                for j in range(i + 1, len(levels)):
                    out[j] |= 1 << i
        return out

    # -- building ------------------------------------------------------------

    def add_all(self) -> None:
        for i, (lv, prereq) in enumerate(zip(self.levels, self.base_prereqs())):
            self.add_item(i, lv, prereq)

    def add_item(self, i: int, level: Any, prereq: int) -> None:
        where = self.where
        parse = self.parse
        item = level.item
        table = item.table
        self_mask = 1 << i
        others = frozenset(c for c in self.masks if c != item.cursor)
        from pyrite.compile import vtab
        if vtab.is_virtual(table):
            self._add_virtual(i, level, prereq, others)
            return
        r_size = table_row_est(table)
        scan = WhereLoop(i, self_mask, prereq, WHERE_IPK, "scan")
        if getattr(table, "is_ephemeral", False) and not table_root(table):
            # a materialized subquery or view: a scan, or an automatic index
            # built cheaply (no schema index could ever serve it)
            if self._auto_index_allowed(item):
                cons = where._constraints_for(parse, item, self.terms, others)
                self._add_auto_index(i, item, prereq, cons, r_size, -10)
            scan.r_run = r_size + 16
            scan.n_out = r_size
            self.output_adjust(scan, r_size)
            self.insert(scan)
            return
        cons = where._constraints_for(parse, item, self.terms, others)
        auto_cons = cons
        if not item.jointype & (JT_LEFT | JT_RIGHT):
            cons = cons + self.transitive(item, cons, others)
        if self._auto_index_allowed(item):
            self._add_auto_index(i, item, prereq, auto_cons, r_size)
        sz_tab = where._table_row_size(table)
        ipk = _Probe(None, [-1], [r_size, 0], sz_tab, False)
        if item.indexed_by is None:
            scan.r_run = r_size + 16
            scan.n_out = r_size
            self.output_adjust(scan, r_size)
            self.insert(scan)
            self.add_index_loops(item, ipk, cons, _Seek(prereq, self_mask, n_out=r_size), 0)
        if item.not_indexed or self.flags & where.WHERE_NO_INDEX:
            return
        indexes = index_list_order(table)
        if item.indexed_by is not None:
            indexes = [ix for ix in indexes if fold_name(ix.name) == fold_name(item.indexed_by)]
            if not indexes:
                parse.error(f"no such index: {item.indexed_by}")
        for ix in indexes:
            if index_is_partial(ix) and \
                    not where.partial_index_usable(parse, item, ix, self.terms):
                continue
            est = index_row_est(table, ix)
            covering = where._is_covering(table, ix, item.col_used)
            probe = _Probe(ix, index_columns(ix), est, where._index_row_size(table, ix),
                           covering, bool(getattr(ix, "unique", False)),
                           bool(getattr(ix, "uniq_not_null", False)),
                           bool(getattr(ix, "has_stat1", False)))
            r_ix = est[0]
            if item.indexed_by is not None or index_is_partial(ix) or (
                    covering and probe.sz_idx < sz_tab
                    and not getattr(ix, "unordered", False)
                    and not self.flags & where.WHERE_ONEPASS_DESIRED):
                loop = WhereLoop(i, self_mask, prereq,
                                 WHERE_INDEXED | (WHERE_IDX_ONLY if covering else 0),
                                 "index", ix, covering=covering)
                loop.r_run = r_ix + 1 + (15 * probe.sz_idx) // sz_tab
                if not covering:
                    loop.r_run = log_est_add(loop.r_run, r_ix + 16)
                loop.n_out = r_ix
                self.output_adjust(loop, r_ix)
                self.insert(loop)
            self.add_index_loops(item, probe, cons, _Seek(prereq, self_mask, n_out=r_ix), 0)

    def _auto_index_allowed(self, item: SrcItem) -> bool:
        settings = getattr(self.parse.db, "pragma_settings", None) or {}
        if not settings.get("automatic_index", 1):
            return False
        table = item.table
        if getattr(table, "is_ephemeral", False) and (
                item.via_coroutine or item.correlated
                or getattr(table, "is_recursive", False) or table_root(table)):
            return False
        return (item.indexed_by is None and not item.not_indexed
                and not self.flags & self.where.WHERE_NO_INDEX
                and not getattr(table, "is_view", False)
                and not getattr(table, "without_rowid", False)
                and not item.jointype & JT_RIGHT)

    def _add_auto_index(self, i: int, item: SrcItem, prereq: int, cons: list[Any],
                        r_size: int, setup_bias: int = 28) -> None:
        """One automatic-index loop per equality term that could key it:
        building costs N*log(N) times 7 (times 0.5 for a subquery or
        view), each lookup yields 20 rows."""
        r_log = est_log(r_size)
        for c in self.drive_order(item, cons):
            loop = WhereLoop(i, 1 << i, prereq | self.mask_of(self.rhs_cursors(c)),
                             WHERE_AUTO_INDEX, "auto", eq=[c], terms=[c.term], covering=True)
            loop.r_setup = max(r_log + r_size + setup_bias, 0)
            loop.n_out = 43
            loop.r_run = log_est_add(r_log, loop.n_out)
            self.insert(loop)

    def drive_order(self, item: SrcItem, cons: list[Any]) -> list[Any]:
        """The equality constraints that can key an automatic index
        (termCanDriveIndex), in WHERE-clause order: a term whose two sides
        are both columns serves its right-hand column through a commuted
        copy that SQLite appends after the original terms."""
        where = self.where
        out = []
        for c in cons:
            if c.op != "=" or c.column is None or not isinstance(c.column, int) \
                    or c.column < 0 or _is_null_test(c):
                continue
            if not where._affinity_ok(self.parse, c, where._table_col_affinity(
                    item.table, c.column), c.rhs):
                continue
            out.append(c)
        index = {id(t): n for n, t in enumerate(self.terms)}

        def key(c: Any) -> tuple[int, int]:
            # exprAnalyze runs from the last term to the first: the commuted
            # copies follow the terms in reverse order
            n = index.get(id(c.term), 0)
            return (1, -n) if _is_commuted(c, item.cursor) else (0, n)
        return sorted(out, key=key)

    def transitive(self, item: SrcItem, cons: list[Any], others: frozenset[int]) -> list[Any]:
        """Constraints reached through column equivalences (whereScanNext's
        WO_EQUIV walk): with ``t1.b = t2.x AND t2.x = 3`` an index on t1.b
        can seek 3 before t2 is read.  The derived constraint stands for
        the term on the equivalent column, which still filters that
        column's own loop."""
        from pyrite.compile.where import WhereTerm, _Constraint, expr_cursors
        cursor = item.cursor
        out: list[Any] = []
        for c in cons:
            if c.op != "=" or not isinstance(c.column, int) or c.column < 0:
                continue
            seen = {(cursor, c.column)}
            frontier = [c]
            while frontier and len(seen) < 11:
                link = frontier.pop(0)
                other = _column_of(link.rhs)
                if other is None or not self._is_equivalence(link.term):
                    continue
                key = (other.cursor, other.column)
                if key in seen:
                    continue
                seen.add(key)
                for t in self.terms:
                    if t.left_join_on >= 0 or t.deferred or t is link.term:
                        continue
                    found = _term_on_column(t, other.cursor, other.column)
                    if found is None:
                        continue
                    op, rhs = found
                    deps = expr_cursors(rhs)
                    back = _column_of(rhs)
                    if back is not None and (back.cursor, back.column) in seen:
                        continue
                    if cursor in deps or -1 in deps or not deps <= others:
                        continue
                    self_col = ColumnRef(cursor=cursor, column=c.column, item=item,
                                         affinity=other.affinity, collation=other.collation,
                                         name=other.name)
                    derived = WhereTerm(ast.Binary(op, self_col, rhs), deps | {cursor},
                                        parent=_base_term(t))
                    out.append(_Constraint(c.column, op, rhs, derived))
                    if op == "=":
                        frontier.append(_Constraint(c.column, op, rhs, t))
        return out

    def _is_equivalence(self, term: Any) -> bool:
        """termIsEquivalence: ``=`` between two columns of matching
        affinity (or both numeric) and compatible collation, outside the
        ON clause of an outer join."""
        from pyrite.compile.expr import compare_collation, expr_affinity
        e = term.expr
        if not isinstance(e, ast.Binary) or e.op.upper() not in ("=", "==") or \
                term.left_join_on >= 0:
            return False
        a1, a2 = expr_affinity(e.left), expr_affinity(e.right)
        if a1 != a2 and not (a1 >= values.AFF_NUMERIC and a2 >= values.AFF_NUMERIC):
            return False
        coll = compare_collation(self.parse, e.left, e.right)
        if coll is None or coll.name.upper() == "BINARY":
            return True
        return _coll_of(e.left) == _coll_of(e.right)

    def rhs_cursors(self, c: Any) -> frozenset[int]:
        from pyrite.compile.where import expr_cursors
        rhs = c.rhs
        if c.op == "IN" and isinstance(rhs, ast.In) and rhs.values is not None:
            # col IN (list): the list's tables (the rhs is the whole IN term)
            found: frozenset[int] = frozenset()
            for v in rhs.values:
                found |= expr_cursors(v)
            return found
        return expr_cursors(rhs)

    def add_index_loops(self, item: SrcItem, probe: _Probe, cons: list[Any],
                        seek: "_Seek", n_in_mul: int) -> None:
        """whereLoopAddBtreeIndex: extend ``seek`` by one term on the next
        index column, record the loop, and recurse for the next column."""
        where = self.where
        parse = self.parse
        n_eq = len(seek.eq)
        columns = probe.columns
        if not probe.is_ipk and not probe.unique \
                and not getattr(item.table, "without_rowid", False):
            # the rowid follows the key: b = ? AND rowid > ? seeks (b, rowid)
            columns = columns + [-1]
        if n_eq >= len(columns):
            return
        if seek.eq and seek.eq[0].op == "IN":
            return    # an IN seek keys the first column only (our loop code)
        table = item.table
        pos = n_eq
        tcol = columns[pos]
        r_size = probe.row_est[0]
        r_log = est_log(r_size)
        sz_tab = where._table_row_size(table)
        if probe.is_ipk or tcol == -1:
            key = -1
            col_aff = values.AFF_INTEGER
            coll = "BINARY"
            desc = False
        else:
            from pyrite.compile import gencol
            key = gencol.plan_column_key(probe.index, pos, tcol)
            col_aff = where._index_col_affinity(parse, item, probe.index, pos)
            coll = (index_collations(probe.index)[pos] or "BINARY").upper()
            from pyrite.compile.context import index_desc
            desc = index_desc(probe.index)[pos]
        for c in cons:
            if c.column != key:
                continue
            op = c.op
            if seek.lower is not None and op not in ("<", "<="):
                continue
            if op == "IN":
                if pos != 0 or (probe.is_ipk and
                                where.expr_affinity(c.rhs.expr) < values.AFF_NUMERIC):
                    continue
                if not probe.is_ipk and not where._in_usable(
                        parse, c, index_collations(probe.index)[pos], col_aff):
                    continue
            else:
                if not probe.is_ipk and tcol != -1:
                    t = c.term.expr
                    if where._coll_name(where.compare_collation(parse, t.left, t.right)) \
                            != coll:
                        continue
                if not where._affinity_ok(parse, c, col_aff, c.rhs):
                    continue
                if op != "=" and (desc or getattr(probe.index, "unordered", False)):
                    continue
            new = seek.copy()
            new.terms.append(c.term)
            new.prereq = seek.prereq | (self.mask_of(self.rhs_cursors(c)) & ~seek.mask_self)
            n_in = 0
            if op == "IN":
                n_in = log_est(len(c.rhs.values))
                if probe.has_stat1 and r_log >= 10 and n_in_mul >= 2:
                    # scanning the M rows and testing each against the list
                    # beats K seeks when M*log(K) < K*log(N) (a seek-scan
                    # otherwise, which runs as the indexed IN)
                    m = probe.row_est[n_eq]
                    if m + est_log(n_in) + 10 - (n_in + r_log) < 0:
                        continue
                new.flags |= WHERE_COLUMN_IN
                new.eq.append(c)
            elif op == "=":
                new.flags |= WHERE_COLUMN_EQ
                new.eq.append(c)
                if tcol == -1 or (n_in_mul == 0 and pos == len(probe.columns) - 1):
                    if tcol == -1 or probe.uniq_not_null or \
                            (len(probe.columns) == 1 and probe.unique and not c.is_is):
                        new.flags |= WHERE_ONEROW
            elif op in (">", ">="):
                new.flags |= WHERE_COLUMN_RANGE | WHERE_BTM_LIMIT
                new.lower = c
                new.upper = None
            else:
                new.flags |= WHERE_COLUMN_RANGE | WHERE_TOP_LIMIT
                new.upper = c
            if new.flags & WHERE_COLUMN_RANGE:
                new.n_out = _range_scan_est(new.lower, new.upper, seek.n_out)
            else:
                est = probe.row_est
                new.n_out = seek.n_out + (est[n_eq + 1] if n_eq + 1 < len(est) else 0) \
                    - est[n_eq]
                if _is_null_test(c):
                    new.n_out += 10     # IS NULL: twice the rows of an equality
            if probe.is_ipk:
                cost_idx = new.n_out + 16
            else:
                cost_idx = new.n_out + 1 + (15 * probe.sz_idx) // sz_tab
            r_run = log_est_add(r_log, cost_idx)
            if not probe.is_ipk and not probe.covering:
                r_run = log_est_add(r_run, new.n_out + 16)
            n_out_unadjusted = new.n_out
            loop = self._seek_loop(probe, new)
            loop.r_run = r_run + n_in_mul + n_in
            loop.n_out = new.n_out + n_in_mul + n_in
            self.output_adjust(loop, r_size)
            self.insert(loop)
            new.n_out = seek.n_out if new.flags & WHERE_COLUMN_RANGE else n_out_unadjusted
            if not new.flags & WHERE_TOP_LIMIT:
                self.add_index_loops(item, probe, cons, new, n_in_mul + n_in)

    def _seek_loop(self, probe: _Probe, seek: "_Seek") -> WhereLoop:
        i = seek.mask_self.bit_length() - 1
        if probe.is_ipk:
            if seek.eq and seek.eq[0].op == "IN":
                plan = "rowid_in"
            elif seek.eq:
                plan = "rowid_eq"
            else:
                plan = "rowid_range"
            flags = seek.flags | WHERE_IPK
            covering = False
        else:
            plan = "index"
            flags = seek.flags | WHERE_INDEXED | (WHERE_IDX_ONLY if probe.covering else 0)
            covering = probe.covering
        return WhereLoop(i, 1 << i, seek.prereq, flags, plan, probe.index, list(seek.eq),
                         seek.lower, seek.upper, list(seek.terms), covering=covering)

    def _add_virtual(self, i: int, level: Any, prereq: int, others: frozenset[int]) -> None:
        """A table-valued function: the module chooses among every usable
        constraint; the loop waits for the tables its chosen ones name."""
        from pyrite.compile import vtab
        where = self.where
        cons = where._constraints_for(self.parse, level.item, self.terms, others)
        trial = where.WhereLevel(level.item)
        vtab.choose_plan(self.parse, trial, cons)
        loop = WhereLoop(i, 1 << i, prereq, WHERE_VIRTUALTABLE, "vtab", vtab=trial.vtab)
        for c in trial.vtab.args:
            loop.prereq |= self.mask_of(self.rhs_cursors(c)) & ~(1 << i)
            loop.terms.append(c.term)
        loop.r_run = 0 if trial.vtab.args else 200
        loop.n_out = 46
        self.insert(loop)

    # -- estimates ------------------------------------------------------------

    def output_adjust(self, loop: WhereLoop, n_row: int) -> None:
        """whereLoopOutputAdjust: each WHERE term on this table (and tables
        already available) that the loop does not use cuts its output; an
        equality at least to nRow/1024 (to nRow/2 against -1..1)."""
        not_allowed = ~(loop.prereq | loop.mask_self)
        used = {id(_base_term(t)) for t in loop.terms}
        reduce = 0
        seen: set[int] = set()
        for t in self.terms:
            base = _base_term(t)
            if id(base) in seen:
                continue
            seen.add(id(base))
            m = _group_mask(self, t)
            if m & not_allowed or not m & loop.mask_self:
                continue
            if id(base) in used:
                continue
            if m == loop.mask_self and (
                    _is_comparison(t) or
                    not self.levels[loop.tab].item.jointype & JT_LEFT):
                loop.flags |= WHERE_SELFCULL
            loop.n_out -= 1
            if _is_equality(t):
                right = t.expr.right if isinstance(t.expr, ast.Binary) else None
                k = 10 if _small_integer(right) else 20
                reduce = max(reduce, k)
        if loop.n_out > n_row - reduce:
            loop.n_out = n_row - reduce

    # -- the loop set -----------------------------------------------------------

    def insert(self, template: WhereLoop) -> None:
        """whereLoopInsert: adjust for cheaper subsets, then drop the new
        loop if an existing one is as good, or let it replace those it beats."""
        self._adjust_cost(template)
        loops = self.loops
        k = _find_lesser(loops, 0, template)
        if k is None:
            return
        if k < len(loops):
            j = k + 1
            while j < len(loops):
                j2 = _find_lesser(loops, j, template)
                if j2 is None or j2 >= len(loops):
                    break
                del loops[j2]
                j = j2
            loops[k] = template
        else:
            loops.append(template)

    def _adjust_cost(self, template: WhereLoop) -> None:
        if not template.flags & WHERE_INDEXED:
            return
        for p in self.loops:
            if p.tab != template.tab or not p.flags & WHERE_INDEXED:
                continue
            if _cheaper_proper_subset(p, template):
                template.r_run = min(p.r_run, template.r_run)
                template.n_out = min(p.n_out, template.n_out) - 1
            elif _cheaper_proper_subset(template, p):
                template.r_run = max(p.r_run, template.r_run)
                template.n_out = max(p.n_out, template.n_out) + 1


@dataclass(eq=False)
class _Seek:
    """The seek being extended by add_index_loops (saved_* state)."""

    prereq: int
    mask_self: int
    eq: list[Any] = field(default_factory=list)
    lower: Any = None
    upper: Any = None
    flags: int = 0
    n_out: int = 0
    terms: list[Any] = field(default_factory=list)

    def copy(self) -> "_Seek":
        return replace(self, eq=list(self.eq), terms=list(self.terms))


def _range_scan_est(lower: Any, upper: Any, n_out: int) -> int:
    """whereRangeScanEst without STAT4: each bound keeps a quarter of the
    rows, both bounds a further quarter (at least LogEst 10)."""
    new = n_out
    if lower is not None:
        new -= 20
    if upper is not None:
        new -= 20
    if lower is not None and upper is not None:
        new -= 20
    n_out -= (lower is not None) + (upper is not None)
    new = max(new, 10)
    return min(new, n_out)


def _find_lesser(loops: list[WhereLoop], start: int, t: WhereLoop) -> int | None:
    """whereLoopFindLesser: None when an existing loop is at least as good
    as ``t``; else the position ``t`` replaces (or len(loops): append)."""
    for k in range(start, len(loops)):
        p = loops[k]
        if p.tab != t.tab:
            continue
        if p.flags & WHERE_AUTO_INDEX and t.flags & WHERE_INDEXED and \
                t.flags & WHERE_COLUMN_EQ and (p.prereq & t.prereq) == t.prereq:
            return k
        if (p.prereq & t.prereq) == p.prereq and p.r_setup <= t.r_setup and \
                p.r_run <= t.r_run and p.n_out <= t.n_out:
            return None
        if (p.prereq & t.prereq) == t.prereq and p.r_run >= t.r_run and \
                p.n_out >= t.n_out:
            return k
    return len(loops)


def _cheaper_proper_subset(x: WhereLoop, y: WhereLoop) -> bool:
    if len(x.terms) >= len(y.terms):
        return False
    if x.r_run >= y.r_run:
        if x.r_run > y.r_run or x.n_out > y.n_out:
            return False
    for t in x.terms:
        if not any(t is u for u in y.terms):
            return False
    if x.flags & WHERE_IDX_ONLY and not y.flags & WHERE_IDX_ONLY:
        return False
    return True


def _is_null_test(c: Any) -> bool:
    """A ``col IS NULL`` constraint (WO_ISNULL: it cannot key an automatic index)."""
    return c.is_is and isinstance(c.rhs, ast.Literal) and c.rhs.value is None


def _base_term(t: Any) -> Any:
    """The WHERE-clause term ``t`` came from (a BETWEEN for its halves)."""
    return t.parent if t.parent is not None else t


def _group_mask(b: LoopBuilder, t: Any) -> int:
    base = t.parent
    if base is None:
        return b.term_mask(t)
    m = 0
    for u in b.terms:
        if u.parent is base:
            m |= b.term_mask(u)
    return m


def _is_comparison(t: Any) -> bool:
    """An indexable comparison (eOperator in WO_IN|WO_EQ|WO_LT..WO_GE)."""
    e = t.expr
    if t.parent is not None:
        return True
    if isinstance(e, ast.In):
        return e.select is None and _is_column(e.expr)
    if not isinstance(e, ast.Binary) or \
            e.op.upper() not in ("=", "==", "<", "<=", ">", ">="):
        return False
    return any(_is_column(s) for s in (e.left, e.right))


def mark_bloom_filters(path: list[WhereLoop], levels: list[Any]) -> None:
    """whereCheckIfBloomFilterIsUseful (3.40): an equality seek into an
    analysed table, run more often than the table has rows, where the
    table's own terms may reject what the seek finds, first checks a Bloom
    filter of the keys present."""
    if len(path) < 2:
        return
    n_search = path[0].n_out
    for loop in path[1:]:
        if loop.flags & (WHERE_SELFCULL | WHERE_COLUMN_EQ) == \
                (WHERE_SELFCULL | WHERE_COLUMN_EQ) and \
                loop.flags & (WHERE_IPK | WHERE_INDEXED):
            table = levels[loop.tab].item.table
            if getattr(table, "has_stat1", False) and n_search > table_row_est(table):
                loop.flags |= WHERE_BLOOMFILTER
                loop.flags &= ~WHERE_IDX_ONLY
                loop.covering = False
        n_search += loop.n_out


def _is_equality(t: Any) -> bool:
    """An indexable ``=``/``IS`` term (eOperator WO_EQ|WO_IS): one side a column."""
    e = t.expr
    if t.parent is not None or not isinstance(e, ast.Binary):
        return False
    if e.op.upper() not in ("=", "==", "IS"):
        return False
    return any(_is_column(s) for s in (e.left, e.right))


def _is_column(e: Any) -> bool:
    while isinstance(e, ast.Collate):
        e = e.expr
    return isinstance(e, ColumnRef) and e.depth == 0


def _column_of(e: Any) -> Any:
    """The column ``e`` names (through COLLATE), or None."""
    while isinstance(e, ast.Collate):
        e = e.expr
    if isinstance(e, ColumnRef) and e.depth == 0 and e.column >= 0:
        return e
    return None


def _coll_of(e: Any) -> str:
    coll = None
    while isinstance(e, ast.Collate):
        coll = coll or e.collation
        e = e.expr
    if coll is None and isinstance(e, ColumnRef):
        coll = e.collation
    return (coll or "BINARY").upper()


_COMMUTED_OPS = {"=": "=", "==": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def _term_on_column(t: Any, cursor: int, column: int) -> tuple[str, Any] | None:
    """(op, other side) when term ``t`` compares column ``cursor.column``
    with an expression by =, <, <=, > or >=, the column written first."""
    e = t.expr
    if not isinstance(e, ast.Binary):
        return None
    op = e.op.upper()
    if op not in _COMMUTED_OPS:
        return None
    for side, other, o in ((e.left, e.right, op), (e.right, e.left, _COMMUTED_OPS[op])):
        col = _column_of(side)
        if col is not None and col.cursor == cursor and col.column == column:
            return ("=" if o == "==" else o), other
    return None


def _is_commuted(c: Any, cursor: int) -> bool:
    """Whether the constraint uses the right side of a column=column term."""
    e = c.term.expr
    if not isinstance(e, ast.Binary):
        return False
    left = e.left
    while isinstance(left, ast.Collate):
        left = left.expr
    if isinstance(left, ColumnRef) and left.depth == 0 and left.cursor == cursor:
        return False
    return _is_column(left)


def _small_integer(e: Any) -> bool:
    """sqlite3ExprIsInteger with a value in -1..1."""
    neg = False
    while isinstance(e, ast.Unary) and e.op in ("-", "+"):
        if e.op == "-":
            neg = not neg
        e = e.operand
    if isinstance(e, ast.Literal) and isinstance(e.value, int) and \
            not isinstance(e.value, bool) and e.keyword is None:
        v = -e.value if neg else e.value
        return -1 <= v <= 1
    return False


def index_list_order(table: Any) -> list[Any]:
    """SQLite's pIndex list order: newest first, REPLACE indexes last."""
    return sorted(reversed(list(getattr(table, "indexes", None) or ())),
                  key=lambda ix: getattr(ix, "on_conflict", 0) == 5)


# ---------------------------------------------------------------------------
# The path solver
# ---------------------------------------------------------------------------

@dataclass(eq=False)
class _Path:
    mask: int = 0
    n_row: int = 0
    r_cost: int = 0
    r_unsorted: int = 0
    loops: tuple[WhereLoop, ...] = ()


def solve(loops: list[WhereLoop], n_levels: int, n_query_loop: int = 0) -> list[WhereLoop]:
    """wherePathSolver (without ORDER BY costs): keep the best N partial
    join orders at each step (N = 1, 5 or 10 by the number of tables)."""
    mx_choice = 1 if n_levels <= 1 else (5 if n_levels == 2 else 10)
    frontier = [_Path(n_row=min(n_query_loop, 48))]
    for _ in range(n_levels):
        to: list[_Path] = []
        mx_cost = mx_unsorted = 0
        mx_i = 0
        for p in frontier:
            for loop in loops:
                if loop.prereq & ~p.mask or loop.mask_self & p.mask:
                    continue
                if loop.flags & WHERE_AUTO_INDEX and p.n_row < 3:
                    continue
                unsorted = log_est_add(loop.r_setup, loop.r_run + p.n_row)
                unsorted = log_est_add(unsorted, p.r_unsorted)
                n_out = p.n_row + loop.n_out
                mask = p.mask | loop.mask_self
                cost = unsorted
                unsorted -= 2
                jj = next((k for k, q in enumerate(to) if q.mask == mask), -1)
                if jj < 0:
                    if len(to) >= mx_choice and (
                            cost > mx_cost or (cost == mx_cost and unsorted >= mx_unsorted)):
                        continue
                    if len(to) < mx_choice:
                        to.append(_Path())
                        jj = len(to) - 1
                    else:
                        jj = mx_i
                else:
                    q = to[jj]
                    if q.r_cost < cost or (q.r_cost == cost and (
                            q.n_row < n_out or (q.n_row == n_out and q.r_unsorted <= unsorted))):
                        continue
                to[jj] = _Path(mask, n_out, cost, unsorted, p.loops + (loop,))
                if len(to) >= mx_choice:
                    mx_i = 0
                    mx_cost = to[0].r_cost
                    mx_unsorted = to[0].n_row
                    for k in range(1, len(to)):
                        q = to[k]
                        if q.r_cost > mx_cost or (q.r_cost == mx_cost
                                                  and q.r_unsorted > mx_unsorted):
                            mx_cost, mx_unsorted, mx_i = q.r_cost, q.r_unsorted, k
        frontier = to
        if not frontier:
            return []
    best = frontier[0]
    for p in frontier[1:]:
        if best.r_cost > p.r_cost:
            best = p
    return list(best.loops)
