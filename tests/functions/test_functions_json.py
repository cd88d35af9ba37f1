"""JSON functions against sqlite3 (3.40's json1), with bound arguments."""

from __future__ import annotations

import sqlite3

from hypothesis import given, settings, strategies as st

from pyrite.errors import Error
from pyrite.vdbe.functions import lookup

from functions_oracle import same

_CONN = sqlite3.connect(":memory:")


def ours(name: str, *args: object) -> object:
    d = lookup(name, len(args))
    assert d is not None, name
    try:
        return d.func(*args)
    except Error as e:
        return ("error", str(e))


def theirs(name: str, *args: object) -> object:
    if name in ("->", "->>"):
        sql = f"SELECT ? {name} ?"
    else:
        sql = f"SELECT {name}({', '.join('?' * len(args))})"
    try:
        return _CONN.execute(sql, args).fetchone()[0]
    except sqlite3.Error as e:
        return ("error", str(e))


DOC = '{"a":{"b":2},"a.b":3,"x y":[1,"s\\u00e9\\n",2.50,-0,1e400],"e\\u0041":5,"t":true,"f":false,"n":null}'
PATHS = ["$", "$.a", "$.a.b", '$."a.b"', "$.x y", '$."x y"[1]', '$."x y"[4]', "$.eA",
         "$.e\\u0041", "$.", "$.a.", "$x", "$[", "$.a[", "$[0]", '$.""', "$.a b", "$.t", "$.f",
         "$.n", "$.missing", '$."x y"[#-1]', '$."x y"[#-9]', '$."x y"[#]', '$."x y"[2]', "a",
         "$.a[0]", '$."x y"[1].z']
TEXTS = ['"\\u00e9"', '"a\\u0000b"', '"\\ud83d\\ude00"', '"\\u0001"', '[1,]', "01", "-0", "1.",
         ".5", "1e", "true1", "nullx", "[true ,null]", ' {"a" : 1 } ', '"\\/"', '"\\x"',
         '{"a":1,}', "{1:2}", '"\t"', "[1]x", "[[[]]]", "", " ", "1e5", "1.5E+3", "-", "[-]",
         '{"a":1,"a":2}', "9223372036854775808", "-9223372036854775809", "123456789012345678901",
         '["a","b"]', "{}", "[]", '{"":1}', "null", "true", "false", '"x"', "[1 2]", "0", "-1.0",
         "[" * 50 + "]" * 50, "[" * 2100 + "]" * 2100]


def test_json_and_valid() -> None:
    for t in TEXTS:
        for name in ("json", "json_valid", "json_type", "json_array_length", "json_quote"):
            assert same(ours(name, t), theirs(name, t)), (name, t)
        assert same(ours("json_extract", t, "$"), theirs("json_extract", t, "$")), t


def test_extract_paths() -> None:
    for p in PATHS:
        for name in ("json_extract", "json_type", "json_array_length", "->", "->>"):
            assert same(ours(name, DOC, p), theirs(name, DOC, p)), (name, p)
    assert same(ours("json_extract", DOC, "$.a", "$.t", "$.zz"),
                theirs("json_extract", DOC, "$.a", "$.t", "$.zz"))


def test_arrow_operands() -> None:
    arr = "[1,2,[3],{\"k\":4}]"
    for p in [1, -1, 0, 5, "[2]", "[#-1]", 2.0, "2", "k", "[3].k", "$[3].k", None, "$"]:
        for op in ("->", "->>"):
            assert same(ours(op, arr, p), theirs(op, arr, p)), (op, p)
    for p in ["a", "a.b", '"a.b"', "[1]", "x y", "t", "n"]:
        for op in ("->", "->>"):
            assert same(ours(op, DOC, p), theirs(op, DOC, p)), (op, p)


def test_constructors() -> None:
    vals = [1, -5, 1.5, 1e20, -0.0, 0.1, "a\"b\\c\n\x01é", None, "", "[1]"]
    assert ours("json_array", *vals) == theirs("json_array", *vals)
    assert ours("json_array") == theirs("json_array")
    assert ours("json_array", b"x") == theirs("json_array", b"x")
    args = []
    for i, v in enumerate(vals):
        args += [f"k{i}", v]
    assert ours("json_object", *args) == theirs("json_object", *args)
    assert ours("json_object", "a") == theirs("json_object", "a")
    assert ours("json_object", 1, 2) == theirs("json_object", 1, 2)
    for v in vals + [b"\x00", 2**63 - 1]:
        assert same(ours("json_quote", v), theirs("json_quote", v)), v


def test_subtype_nesting() -> None:
    # A JSON function's result nests as JSON; the same text from elsewhere
    # is a string.
    inner = ours("json_array", 1, 2)
    assert ours("json_array", inner, "[1,2]") == '[[1,2],"[1,2]"]'
    assert ours("json_object", "a", ours("json", ' {"b" : 1} ')) == '{"a":{"b":1}}'
    assert _CONN.execute("SELECT json_array(json_array(1,2), '[1,2]')").fetchone()[0] \
        == '[[1,2],"[1,2]"]'
    assert ours("json_set", "{}", "$.a", ours("json", "[3]")) == '{"a":[3]}'
    assert ours("json_quote", ours("json", "[1]")) == "[1]"


def test_edits() -> None:
    cases = [
        ("json_set", '{"a":1}', "$.b", 2), ("json_set", "{}", "$.a.b", 1),
        ("json_set", '{"a":{}}', "$.a.b", 1), ("json_set", "[1]", "$[5]", 1),
        ("json_set", "[1]", "$[1]", 7), ("json_set", "[1]", "$[#]", 7),
        ("json_insert", "[1]", "$[#]", 2), ("json_insert", '{"a":1}', "$.a", 2, "$.b", 3),
        ("json_replace", '{"a":1}', "$.a", "x"), ("json_replace", '{"a":1}', "$.b", "x"),
        ("json_set", '{"a":1}', "$", 5), ("json_replace", "[1]", "$", "r"),
        ("json_insert", "[1]", "$"), ("json_set", "{}", "$.a"),
        ("json_set", '{"a":[1,2]}', "$.a[1]", None), ("json_set", "{}", "$.a[0]", 1),
        ("json_set", "{}", "$.a[1]", 1), ("json_set", "{}", "$.a[#]", 1),
        ("json_set", "{}", "x", 1), ("json_set", "{}", None, 1), ("json_set", None, "$.a", 1),
        ("json_remove", "[1,2,3]", "$[1]"), ("json_remove", "[1]", "$"),
        ("json_remove", '{"a":1,"b":2}', "$.a", "$.c"), ("json_remove", "[1,2,3]", "$[#-1]", "$[0]"),
        ("json_remove", "[1]", None), ("json_remove", "[1]"),
        ("json_patch", '{"a":1,"b":2}', '{"b":null,"c":3}'), ("json_patch", "[1]", '{"a":1}'),
        ("json_patch", '{"a":{"b":1}}', '{"a":{"c":2}}'), ("json_patch", '{"a":1}', "[2]"),
        ("json_patch", '{"a":{"b":1}}', '{"a":{"b":null}}'), ("json_patch", "{}", '{"a":{"b":null}}'),
    ]
    for name, *args in cases:
        assert same(ours(name, *args), theirs(name, *args)), (name, args)


def test_group_functions() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t(k, v)")
    rows = [("a", 1), ("b", "x"), ("c", None), ("d", 2.5), (None, 3)]
    conn.executemany("INSERT INTO t VALUES (?, ?)", rows)
    agg = lookup("json_group_array", 1).func()
    obj = lookup("json_group_object", 2).func()
    for k, v in rows:
        agg.step(v)
        obj.step(k, v)
    assert agg.finalize() == conn.execute("SELECT json_group_array(v) FROM t").fetchone()[0]
    want = conn.execute("SELECT json_group_object(k, v) FROM t WHERE k IS NOT NULL").fetchone()[0]
    assert obj.finalize() == want


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
              st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=5)),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.text(max_size=3), children, max_size=4)),
    max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(json_values, st.sampled_from(["$", "$[0]", "$.a", "$[1][0]", '$.""', "$[#-1]"]))
def test_json_hypothesis(value: object, path: str) -> None:
    import json as pyjson
    text = pyjson.dumps(value, ensure_ascii=bool(hash(path) & 1))
    for name, args in [("json", (text,)), ("json_extract", (text, path)), ("->", (text, path)),
                       ("->>", (text, path)), ("json_type", (text, path)),
                       ("json_set", (text, path, 99)), ("json_remove", (text, path))]:
        assert same(ours(name, *args), theirs(name, *args)), (name, args)


def test_argument_counts() -> None:
    for name, args in [("json_extract", ("[1]",)), ("json_set", ("[1]",)), ("json_insert", ()),
                       ("json_remove", ()), ("json_replace", ("[1]", "$")),
                       ("json_array_length", ("[1]", "$", 1))]:
        d = lookup(name, len(args))
        if d is None:
            assert isinstance(theirs(name, *args), tuple)  # wrong number of arguments
        else:
            assert same(ours(name, *args), theirs(name, *args)), (name, args)
