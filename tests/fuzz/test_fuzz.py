"""The differential fuzzer in ``make test``: every regression case, then a
short fixed run of seeded scripts (``make fuzz`` runs the long one)."""

from pathlib import Path

import pytest

from tests.fuzz import sqlfuzz

REGRESSIONS = sqlfuzz.load_regressions(Path(__file__).with_name("regressions.sql"))

# The fixed budget: these seeds, each a fresh schema with data and
# FIXED_STATEMENTS statements over every feature Pyrite implements.
FIXED_SEEDS = range(1, 301)
FIXED_STATEMENTS = 30


def _script(statements):
    return [(s, "ORDER BY" in s.upper()) for s in statements]


def _tables(statements):
    names = []
    for s in statements:
        words = s.split()
        if len(words) > 2 and words[0].upper() == "CREATE" and words[1].upper() == "TABLE":
            names.append(words[2].split("(")[0])
    return names


def test_regressions_were_loaded():
    assert len(REGRESSIONS) >= 10
    assert all(stmts for _, stmts in REGRESSIONS)


@pytest.mark.parametrize("name,statements", REGRESSIONS, ids=[n for n, _ in REGRESSIONS])
def test_regression_case(name, statements):
    mismatch = sqlfuzz.run_script(_script(statements), _tables(statements))
    assert mismatch is None, (
        f"{name}: statement {mismatch.index + 1} differs\n{mismatch.text()}\n"
        f"pyrite:  {mismatch.pyrite!r}\nsqlite3: {mismatch.sqlite!r}")


def test_fixed_seeds():
    failures = []
    for seed in FIXED_SEEDS:
        m = sqlfuzz.fuzz_seed(seed, FIXED_STATEMENTS)
        if m is not None:
            failures.append(f"-- case: seed {seed}\n{m.text()}\n-- pyrite: {m.pyrite!r}\n"
                            f"-- sqlite3: {m.sqlite!r}")
    assert not failures, "\n\n".join(failures)
