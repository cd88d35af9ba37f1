"""python -m bench --size N [--runs N] [--no-speedtest] [--no-micro] [--no-opcodes] [--no-memory] [--sqlite3-only] [--no-sqlglot]

With sqlglot installed (pip install '.[bench]'), the read-only workloads also
run on sqlglot's executor, a pure-Python SQL engine: columns "sqlglot s" and
"glot/pyr" (issue 4's goal: pyrite at least 10 times faster)."""

from __future__ import annotations

import argparse
import sys

from . import glot, harness


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    ap.add_argument("--size", type=int, default=2, help="speedtest1 size (rows = 500*size)")
    ap.add_argument("--repeat", type=int, default=3, help="repetitions of each microbenchmark")
    ap.add_argument("--runs", type=int, default=1,
                    help="whole speedtest1 runs; each test reports its best (a steadier ratio "
                         "on a busy machine)")
    ap.add_argument("--no-speedtest", action="store_true")
    ap.add_argument("--no-micro", action="store_true")
    ap.add_argument("--no-opcodes", action="store_true",
                    help="skip the (untimed) per-opcode instruction counts")
    ap.add_argument("--no-memory", action="store_true",
                    help="skip the peak-memory scan of a database larger than the cache")
    ap.add_argument("--sqlite3-only", action="store_true")
    ap.add_argument("--no-sqlglot", action="store_true",
                    help="skip sqlglot's executor even when it is installed")
    args = ap.parse_args(argv)
    pyrite = None if args.sqlite3_only else harness.pyrite_connect()
    use_glot = not args.no_sqlglot and glot.available()
    glot_note = None if use_glot else (
        "skipped (--no-sqlglot)" if args.no_sqlglot
        else "not installed: pip install '.[bench]' (make bench does) for its column")
    extras: dict[str, object] = {}
    if not args.no_opcodes and not args.no_speedtest and pyrite is not None:
        extras["opcodes"] = None
    if not args.no_memory and pyrite is not None:
        extras["memory"] = None
    rows = harness.run_all(
        args.size, pyrite=pyrite, speedtest=not args.no_speedtest,
        micros=not args.no_micro, repeat=args.repeat, extras=extras, glot=use_glot,
        runs=args.runs,
    )
    if use_glot:
        print(f"sqlglot {glot.version()} executor on the read-only workloads")
    print(harness.report(rows, glot=glot_note))
    if extras.get("memory"):
        from . import memory
        print(memory.report(extras["memory"]))  # type: ignore[arg-type]
    if "opcodes" in extras:
        print(harness.opcode_report(extras["opcodes"] or {}))  # type: ignore[arg-type]
    return 1 if any(r.sqlite3_error for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
