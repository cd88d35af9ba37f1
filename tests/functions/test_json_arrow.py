"""The JSON operators -> and ->> (calls of the functions "->" and "->>"),
differential against stdlib sqlite3."""

from __future__ import annotations

import sqlite3

import pytest

import pyrite

QUERIES = [
    "SELECT '{\"a\":[1,{\"b\":2}]}' -> 'a', '{\"a\":1}' ->> '$.a'",
    "SELECT '[1,2]' -> 1, '[1,2]' ->> -1, '[1,2]' -> '$[#-1]'",
    "SELECT '{\"a\":\"x\"}' ->> 'a' || 'y', typeof('{\"a\":1.5}' ->> 'a')",
    "SELECT '{\"a\":[1,2]}' -> 'a' -> 0",
    "SELECT json_array('{\"a\":[1]}' -> 'a'), json_array('{\"a\":[1]}' ->> 'a')",
    "SELECT NULL -> 'a', '{}' -> NULL, '{}' ->> 'missing'",
    "SELECT 'x' -> 'a'",
    "SELECT 1 -> 2 ->> 3",
    "SELECT '[1]' -> '$[0]' = 1, '[1]' ->> '$[0]' = 1",
    "SELECT j -> '$.k', j ->> 'k' FROM (SELECT '{\"k\":\"v\"}' AS j)",
]


def outcome(con, sql: str):
    try:
        rows = con.execute(sql).fetchall()
    except Exception as e:  # noqa: BLE001 - the error is the outcome
        return ("error", type(e).__name__, str(e))
    return ("rows", [tuple((type(v).__name__, v) for v in r) for r in rows])


@pytest.mark.parametrize("sql", QUERIES)
def test_json_arrow_matches_sqlite3(sql: str) -> None:
    assert outcome(pyrite.connect(":memory:"), sql) == outcome(sqlite3.connect(":memory:"), sql)
