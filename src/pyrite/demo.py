"""Build the demo database: ``python -m pyrite.demo DB_PATH SQL_PATH``.

Top layer, a user of :mod:`pyrite.dbapi` like any application: it removes
DB_PATH (and a leftover rollback journal) if present, runs the script
SQL_PATH through ``Connection.executescript`` and prints what it built.
``make demo`` runs it on ``demo/demo.sql`` and then opens the shell.
"""

from __future__ import annotations

import os
import sys
import time

import pyrite


def build(db_path: str, sql_path: str) -> dict[str, int]:
    """(Re)create ``db_path`` from the script ``sql_path``; rows per table."""
    for stale in (db_path, db_path + "-journal"):
        if os.path.exists(stale):
            os.remove(stale)
    with open(sql_path, encoding="utf-8") as f:
        script = f.read()
    con = pyrite.connect(db_path)
    try:
        con.executescript(script)
        con.commit()
        names = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")]
        counts = {}
        for name in names:
            quoted = name.replace('"', '""')
            counts[name] = con.execute(f'SELECT count(*) FROM "{quoted}"').fetchone()[0]
    finally:
        con.close()
    return counts


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m pyrite.demo DB_PATH SQL_PATH", file=sys.stderr)
        return 2
    db_path, sql_path = args
    started = time.perf_counter()
    try:
        counts = build(db_path, sql_path)
    except pyrite.Error as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 1
    elapsed = time.perf_counter() - started
    summary = ", ".join(f"{name} {n}" for name, n in counts.items())
    print(f"Built {db_path} in {elapsed:.1f}s with Pyrite: {summary} rows.")
    print(f"Opening it in the pyrite shell; try .tables, .schema, and the queries "
          f"at the top of {sql_path}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
