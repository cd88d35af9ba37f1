"""python -m bench --size N [--no-speedtest] [--no-micro] [--sqlite3-only]"""

from __future__ import annotations

import argparse
import sys

from . import harness


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    ap.add_argument("--size", type=int, default=2, help="speedtest1 size (rows = 500*size)")
    ap.add_argument("--repeat", type=int, default=3, help="repetitions of each microbenchmark")
    ap.add_argument("--no-speedtest", action="store_true")
    ap.add_argument("--no-micro", action="store_true")
    ap.add_argument("--sqlite3-only", action="store_true")
    args = ap.parse_args(argv)
    pyrite = None if args.sqlite3_only else harness.pyrite_connect()
    rows = harness.run_all(
        args.size, pyrite=pyrite, speedtest=not args.no_speedtest,
        micros=not args.no_micro, repeat=args.repeat,
    )
    print(harness.report(rows))
    return 1 if any(r.sqlite3_error for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
