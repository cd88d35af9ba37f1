"""The `pyrite` shell against /usr/bin/sqlite3, and the demo database build."""

from __future__ import annotations

import os
import pathlib
import shutil
import sqlite3
import subprocess
import sys

import pytest

from pyrite import demo

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
SQLITE3 = shutil.which("sqlite3") or "/usr/bin/sqlite3"
needs_cli = pytest.mark.skipif(not os.path.exists(SQLITE3), reason="no sqlite3 CLI")


def run(cmd, stdin: str, cwd) -> tuple[int, bytes, bytes]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    p = subprocess.run(cmd, input=stdin.encode(), capture_output=True, cwd=cwd, env=env,
                       timeout=120)
    return p.returncode, p.stdout, p.stderr


SCRIPT = """\
create table t(a integer primary key, b, c text);
insert into t values(1, 2.5, 'one');
insert into t values(2, x'41004243', 'two|pipe');
insert into t values(3, NULL, 'x,"y"');
insert into t values(4, 1e300*1e300, ' lead');
select * from t;
select 1,
  2;
selec 1;
select * from nosuch;
insert into t values(1, 1, 1);
select abs(-9223372036854775808);
.headers on
select a, b as bee from t where a < 3;
.mode csv
select * from t;
.headers off
select 'q''uote', 0.1, -0.0;
.mode list
.tables
.schema
.bogus
-- a comment line
/* block */

/* open
*/ select nosuch;
select 'after errors';
"""


@needs_cli
@pytest.mark.parametrize("db_name", [None, "shell.db"])
def test_shell_matches_sqlite3_cli(tmp_path, db_name):
    results = []
    for i, cmd in enumerate(([SQLITE3], [sys.executable, "-m", "pyrite"])):
        args = list(cmd)
        if db_name:
            args.append(str(tmp_path / f"{i}-{db_name}"))
        results.append(run(args, SCRIPT, tmp_path))
    (rc_std, out_std, err_std), (rc_pyr, out_pyr, err_pyr) = results
    assert out_pyr == out_std
    assert rc_pyr == rc_std == 1
    # SQLite also prints a caret line under syntax errors; Pyrite's parser
    # reports no error offset, so compare the error lines themselves.
    std_lines = [ln for ln in err_std.decode().splitlines()
                 if not ln.startswith("  ")]
    assert err_pyr.decode().splitlines() == std_lines


@needs_cli
def test_shell_sql_argument(tmp_path):
    for sql in ("select 1, 'a'; select 2", "select 1; selec 2", "select * from nosuch",
                "select abs(-9223372036854775808)"):
        std = run([SQLITE3, ":memory:", sql], "", tmp_path)
        pyr = run([sys.executable, "-m", "pyrite", ":memory:", sql], "", tmp_path)
        assert pyr[0] == std[0]
        assert pyr[1] == std[1]
        assert pyr[2].decode().splitlines()[:1] == std[2].decode().splitlines()[:1]


def test_shell_quit_stops_reading(tmp_path):
    rc, out, err = run([sys.executable, "-m", "pyrite"], "select 1;\n.quit\nselect 2;\n",
                       tmp_path)
    assert (rc, out, err) == (0, b"1\n", b"")


def test_demo_builds_same_database_as_sqlite(tmp_path):
    sql_path = ROOT / "demo" / "demo.sql"
    db_path = tmp_path / "demo.db"
    db_path.write_bytes(b"stale file that must be replaced")
    counts = demo.build(str(db_path), str(sql_path))
    assert counts == {"authors": 20, "books": 300, "loans": 1000, "members": 50}
    ref = sqlite3.connect(":memory:")
    ref.executescript(sql_path.read_text())
    con = sqlite3.connect(str(db_path))
    assert con.execute("pragma integrity_check").fetchall() == [("ok",)]
    for table in counts:
        q = f"select * from {table} order by id"
        assert con.execute(q).fetchall() == ref.execute(q).fetchall()
    q = "select type, name, tbl_name, sql from sqlite_schema order by name"
    assert con.execute(q).fetchall() == ref.execute(q).fetchall()
    con.close()


def test_demo_main_reports(tmp_path, capsys):
    rc = demo.main([str(tmp_path / "d.db"), str(ROOT / "demo" / "demo.sql")])
    assert rc == 0
    assert "books 300" in capsys.readouterr().out
    assert demo.main([]) == 2
