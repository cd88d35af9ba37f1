"""Peak memory of a full scan of a database several times larger than the
page cache (issue 4: the scan must keep the process near the cache size).

The database is built with stdlib sqlite3; the scan runs in a fresh child
process per engine, which reports its peak resident set size (ru_maxrss)
before and after the scan.  The growth during the scan is what the cache
and the engine's per-row work cost; the file size and the cache size are
reported next to it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import subprocess
import sys

CACHE_PAGES = 200          # PRAGMA cache_size for the scan (pages)
PAGE_SIZE = 4096

_CHILD = r"""
import json, resource, sys
engine, path, cache = sys.argv[1], sys.argv[2], int(sys.argv[3])
if engine == "pyrite":
    import pyrite as mod
else:
    import sqlite3 as mod
conn = mod.connect(path)
conn.execute(f"PRAGMA cache_size={cache}")
conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
n = 0
total = 0
for row in conn.execute("SELECT a, b, c FROM big"):
    n += 1
    total += len(row[2])
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"rows": n, "before_kib": before, "after_kib": after}))
"""


@dataclasses.dataclass
class MemoryResult:
    engine: str
    rows: int = 0
    db_bytes: int = 0
    cache_bytes: int = 0
    growth_kib: int | None = None
    peak_kib: int | None = None
    error: str | None = None


def build(path: str, cache_multiple: int, cache_pages: int = CACHE_PAGES) -> int:
    """A table about ``cache_multiple`` times the page cache; returns its size."""
    rows = cache_pages * PAGE_SIZE * cache_multiple // 120
    if os.path.exists(path):
        os.remove(path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA page_size={PAGE_SIZE}")
    conn.execute("CREATE TABLE big(a INTEGER, b REAL, c TEXT)")
    conn.executemany("INSERT INTO big VALUES(?,?,?)",
                     ((i, i * 0.25, f"row {i:08d} " + "x" * 80) for i in range(rows)))
    conn.commit()
    conn.close()
    return os.path.getsize(path)


def scan(engine: str, path: str, src: str | None, cache_pages: int = CACHE_PAGES) -> MemoryResult:
    res = MemoryResult(engine, db_bytes=os.path.getsize(path), cache_bytes=cache_pages * PAGE_SIZE)
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    try:
        out = subprocess.run([sys.executable, "-c", _CHILD, engine, path, str(cache_pages)],
                             capture_output=True, text=True, env=env, timeout=600, check=True)
        data = json.loads(out.stdout.strip().splitlines()[-1])
    except (subprocess.SubprocessError, ValueError, IndexError) as exc:
        err = getattr(exc, "stderr", "") or str(exc)
        res.error = err.strip().splitlines()[-1][:200] if err.strip() else type(exc).__name__
        return res
    res.rows = data["rows"]
    res.growth_kib = data["after_kib"] - data["before_kib"]
    res.peak_kib = data["after_kib"]
    return res


def run(tmp: str, cache_multiple: int = 4, src: str | None = None,
        cache_pages: int = CACHE_PAGES) -> list[MemoryResult]:
    """Build the database in ``tmp`` and scan it with each engine; ``src``
    is put on the children's PYTHONPATH so that they import this pyrite."""
    path = os.path.join(tmp, "memory.db")
    build(path, cache_multiple, cache_pages)
    return [scan(engine, path, src, cache_pages) for engine in ("sqlite3", "pyrite")]


def report(results: list[MemoryResult]) -> str:
    lines = []
    for r in results:
        if r.error:
            lines.append(f"memory {r.engine}: full scan failed: {r.error}")
            continue
        lines.append(
            f"memory {r.engine}: full scan of {r.rows} rows, database {r.db_bytes // 1024} KiB, "
            f"page cache {r.cache_bytes // 1024} KiB: peak RSS grew {r.growth_kib} KiB "
            f"(to {r.peak_kib} KiB)")
    return "\n".join(lines)
