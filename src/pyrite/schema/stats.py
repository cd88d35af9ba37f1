"""Schema layer: planner statistics (SQLite's ``sqlite3AnalysisLoad`` and
``sqlite3DefaultRowEst`` in ``analyze.c``/``build.c``).

Tables and indexes carry row estimates in LogEst units (about 10*log2 of
the count): ``row_log_est`` on a table (None: the default 1,048,576 rows),
and on an index its aiRowLogEst list -- entries in the index, then the
average number of rows sharing each key prefix.  :func:`apply_stat1` loads
them from the rows of ``sqlite_stat1`` when the schema is read and after
ANALYZE (the LoadAnalysis opcode).
"""

from __future__ import annotations
from pyrite.values import fold_name

from typing import Any, Iterable

DEFAULT_ROW_LOG_EST = 200       # 1,048,576 rows: a table without statistics
_DEFAULT_INDEX_STEPS = (33, 32, 30, 28, 26)   # 10, 9, 8, 7, 6 rows per key


def log_est(x: int) -> int:
    """sqlite3LogEst: about 10*log2(x)."""
    if x < 2:
        return 0
    y = 40
    if x < 8:
        while x < 8:
            y -= 10
            x <<= 1
    else:
        while x > 255:
            y += 40
            x >>= 4
        while x > 15:
            y += 10
            x >>= 1
    return (0, 2, 3, 5, 6, 7, 8, 9)[x & 7] + y - 10


def _n_key(index: Any) -> int:
    n = getattr(index, "n_key_col", None)
    return len(index.columns) if n is None else n


def default_index_row_est(index: Any, table_est: int) -> list[int]:
    """sqlite3DefaultRowEst: aiRowLogEst of an index without statistics
    (10, 9, 8, 7, 6 then 5 rows per key prefix; one for a unique key)."""
    n_key = _n_key(index)
    x = table_est - (10 if getattr(index, "where", None) is not None else 0)
    est = [x] + list(_DEFAULT_INDEX_STEPS[:n_key])
    est += [23] * (n_key + 1 - len(est))
    if getattr(index, "unique", False):
        est[n_key] = 0
    return est


def table_row_est(table: Any) -> int:
    """nRowLogEst of a table (or of a FROM subquery: the default)."""
    return getattr(table, "row_log_est", None) or DEFAULT_ROW_LOG_EST


def index_row_est(table: Any, index: Any) -> list[int]:
    est = getattr(index, "row_log_est", None)
    if est is not None:
        return est
    return default_index_row_est(index, table_row_est(table))


def apply_stat1(tables: Iterable[Any], rows: Iterable[tuple[Any, Any, Any]]) -> None:
    """Load ``sqlite_stat1`` rows (tbl, idx, stat) into the schema objects
    (analysisLoader).  A table's count comes from its idx-NULL row or a
    non-partial index's first number; an index's numbers become its
    aiRowLogEst ('unordered' among the options disables range use).  Once
    any statistics exist, an index without a row gets the defaults and its
    table is taken to hold at least 1000 rows (as SQLite does)."""
    tables = list(tables)
    by_name = {fold_name(t.name): t for t in tables}
    for t in tables:
        t.row_log_est = None
        t.has_stat1 = False
        for ix in getattr(t, "indexes", ()):
            ix.row_log_est = None
            ix.has_stat1 = False
            ix.unordered = False
    for tbl, idx, stat in rows:
        if isinstance(tbl, bytes):
            tbl = tbl.decode("utf-8", "replace")
        if isinstance(idx, bytes):
            idx = idx.decode("utf-8", "replace")
        if isinstance(stat, bytes):
            stat = stat.decode("utf-8", "replace")
        if not isinstance(tbl, str) or not isinstance(stat, str):
            continue
        table = by_name.get(fold_name(tbl))
        if table is None:
            continue
        nums, opts = _decode_stat(stat)
        if not nums:
            continue
        if idx is None:
            table.row_log_est = log_est(nums[0])
            table.has_stat1 = True
            continue
        index = next((ix for ix in getattr(table, "indexes", ())
                      if isinstance(idx, str) and fold_name(ix.name) == fold_name(idx)), None)
        if index is None:
            continue
        n = _n_key(index) + 1
        est = [log_est(v) for v in nums[:n]]
        est += default_index_row_est(index, est[0])[len(est):]
        index.row_log_est = est
        index.has_stat1 = True
        index.unordered = "unordered" in opts
        if getattr(index, "where", None) is None:
            table.row_log_est = est[0]
            table.has_stat1 = True
    for t in tables:
        for ix in getattr(t, "indexes", ()):
            if not ix.has_stat1 and t.row_log_est is not None:
                t.row_log_est = max(t.row_log_est, 99)


def _decode_stat(stat: str) -> tuple[list[int], list[str]]:
    """The leading integers of a stat1 text and the words after them."""
    nums: list[int] = []
    opts: list[str] = []
    for word in stat.split():
        if word.isdigit() and not opts:
            nums.append(int(word))
        else:
            opts.append(word)
    return nums, opts
