"""Pyrite benchmarks: speedtest1's `main` testset and microbenchmarks, each
run in one process on pyrite and on the standard library's sqlite3 (file
databases, alternating engines), reporting times, ratios and their geometric
mean.  `python -m bench --size N`; see bench/harness.py."""
