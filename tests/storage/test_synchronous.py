"""PRAGMA synchronous: what a commit syncs at each level (seen through a
FaultyBackend whose sync hook only records), and the values the pragma
reads back, compared with sqlite3."""

from __future__ import annotations

import os
import sqlite3

import pytest

import pyrite
from pyrite.io.osfile import OSBackend
from pyrite.io.testing import FaultyBackend
from pyrite.storage.pager import Pager


def _commit_with(tmp_path, level):
    path = str(tmp_path / "s.db")
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t(x)")
    con.execute("INSERT INTO t VALUES(1)")
    con.commit()
    con.close()
    backend = FaultyBackend(OSBackend())
    synced = []
    backend.fail_sync = lambda p, off, size: synced.append(os.path.basename(p)) and False
    pager = Pager.open(backend, path)
    pager.sync_level = level
    pager.begin_write()
    page = pager.get_page(2)
    pager.make_writable(page)
    page.data[-1] ^= 1
    pager.commit()
    pager.close()
    dirs = [os.path.basename(p) for p in backend.synced_directories]
    return synced, dirs


def test_full_syncs_journal_its_directory_entry_then_database(tmp_path):
    synced, dirs = _commit_with(tmp_path, 2)
    assert synced == ["s.db-journal", "s.db"]
    assert dirs == ["s.db-journal"]


def test_normal_syncs_as_full_does(tmp_path):
    assert _commit_with(tmp_path, 1) == (["s.db-journal", "s.db"], ["s.db-journal"])


def test_off_syncs_nothing(tmp_path):
    assert _commit_with(tmp_path, 0) == ([], [])


def test_extra_also_syncs_the_directory_after_the_journal_is_gone(tmp_path):
    synced, dirs = _commit_with(tmp_path, 3)
    assert synced == ["s.db-journal", "s.db"]
    assert dirs == ["s.db-journal", "s.db-journal"]


def test_the_pragma_sets_the_pager_of_the_database_it_names(tmp_path):
    con = pyrite.connect(str(tmp_path / "a.db"))
    con.execute(f"ATTACH '{tmp_path / 'b.db'}' AS aux")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA aux.synchronous=EXTRA")
    pagers = {slot.name: slot.pager for slot in con._db.dbs if slot.pager is not None}
    assert pagers["main"].sync_level == 0 and pagers["aux"].sync_level == 3
    con.execute("CREATE TABLE t(x)")        # commits with no sync at all
    con.execute("INSERT INTO t VALUES(1)")
    con.commit()
    con.close()
    check = sqlite3.connect(tmp_path / "a.db")
    assert check.execute("SELECT * FROM t").fetchall() == [(1,)]
    assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.mark.parametrize("value", ["OFF", "normal", "FULL", "extra", "0", "1", "2", "3", "4",
                                   "5", "7", "8", "100", "-1", "on", "yes", "false", "'abc'",
                                   "'3x'", "2.5", "''"])
def test_values_read_back_as_sqlite3_reads_them(value):
    got = []
    for mod in (sqlite3, pyrite):
        con = mod.connect(":memory:")
        con.execute("ATTACH ':memory:' AS aux")
        con.execute(f"PRAGMA aux.synchronous={value}")
        got.append([con.execute(f"PRAGMA {s}synchronous").fetchone()[0]
                    for s in ("", "main.", "aux.", "temp.")]
                   + [con.execute("SELECT * FROM pragma_synchronous").fetchall()])
        con.close()
    assert got[1] == got[0]
