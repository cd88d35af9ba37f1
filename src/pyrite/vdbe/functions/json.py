"""JSON functions: json, json_array, json_object, json_extract, -> and ->>,
json_type, json_valid, json_quote, json_array_length, json_insert,
json_replace, json_set, json_remove, json_patch, json_group_array,
json_group_object.

Layer: vdbe (built-in functions).  SQLite's counterpart is ``json.c`` as of
3.40 (the json1 functions built in; no JSON5, no JSONB).  A document is
parsed into nodes that keep each number's and each string's source text, so
json() minifies without rewriting them, as SQLite does.

JSON subtype.  SQLite marks values produced by JSON functions with a
subtype so that json_array(json('[1]')) nests the array instead of quoting
it.  Plain Python values have no subtype, so this module remembers the
string objects it returned most recently (by identity, in a small ring):
an argument that *is* one of them came straight from a JSON function.  A
value that went through a table or a sorter is a new object and loses the
mark, as it loses the subtype in SQLite.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from pyrite import values as V
from pyrite.errors import SQLITE_ERROR, raise_error
from pyrite.vdbe.functions.base import (
    AGGREGATE, DETERMINISTIC, WINDOW, FuncDef,
)

JSON_MAX_DEPTH = 2000

# Node kinds.
NULL, TRUE, FALSE, INT, REAL, STR, ARR, OBJ = range(8)
_TYPE_NAMES = ("null", "true", "false", "integer", "real", "text", "array", "object")


class Node:
    """One JSON value: ``kind`` and ``value`` (source text for numbers, the
    raw string body with its escapes for strings, a list of Nodes for
    arrays, a list of [raw_key, Node] pairs for objects)."""

    __slots__ = ("kind", "value")

    def __init__(self, kind: int, value: Any = None) -> None:
        self.kind = kind
        self.value = value


class _Malformed(Exception):
    pass


# ---------------------------------------------------------------------------
# The JSON subtype (see the module docstring)
# ---------------------------------------------------------------------------

_RECENT: deque[str] = deque(maxlen=256)


def _mark(s: str) -> str:
    """Return a fresh string object equal to ``s``, remembered as JSON."""
    if len(s) < 2:
        return s  # one-character strings are shared objects: cannot mark
    fresh = "".join([s[:1], s[1:]])
    _RECENT.append(fresh)
    return fresh


def _is_json(v: object) -> bool:
    if type(v) is not str:
        return False
    for r in _RECENT:
        if r is v:
            return True
    return False


# ---------------------------------------------------------------------------
# Parsing and rendering
# ---------------------------------------------------------------------------

_WS = " \t\n\r"
_HEX = "0123456789abcdefABCDEF"


def _parse_string(z: str, i: int) -> tuple[str, int]:
    # z[i] is the opening quote; returns (raw body, index after the quote).
    j = i + 1
    n = len(z)
    while True:
        if j >= n:
            raise _Malformed
        c = z[j]
        if c == '"':
            return z[i + 1:j], j + 1
        if c == "\\":
            j += 1
            if j >= n:
                raise _Malformed
            c = z[j]
            if c == "u":
                h = z[j + 1:j + 5]
                if len(h) != 4 or any(ch not in _HEX for ch in h):
                    raise _Malformed
                j += 5
                continue
            if c not in '"\\/bfnrt':
                raise _Malformed
            j += 1
            continue
        if c < " ":
            raise _Malformed
        j += 1


def _parse_number(z: str, i: int) -> tuple[Node, int]:
    n = len(z)
    j = i
    if z[j] == "-":
        j += 1
    if j >= n or not ("0" <= z[j] <= "9"):
        raise _Malformed
    if z[j] == "0":
        j += 1
        if j < n and "0" <= z[j] <= "9":
            raise _Malformed
    else:
        while j < n and "0" <= z[j] <= "9":
            j += 1
    kind = INT
    if j < n and z[j] == ".":
        j += 1
        if j >= n or not ("0" <= z[j] <= "9"):
            raise _Malformed
        while j < n and "0" <= z[j] <= "9":
            j += 1
        kind = REAL
    if j < n and z[j] in "eE":
        j += 1
        if j < n and z[j] in "+-":
            j += 1
        if j >= n or not ("0" <= z[j] <= "9"):
            raise _Malformed
        while j < n and "0" <= z[j] <= "9":
            j += 1
        kind = REAL
    return Node(kind, z[i:j]), j


def parse(z: str) -> Node:
    """Parse a JSON document; raises 'malformed JSON'."""
    try:
        return _parse(z)
    except (_Malformed, IndexError):
        raise_error(SQLITE_ERROR, "malformed JSON")


def _parse(z: str) -> Node:
    # Iterative, so that deep nesting cannot exhaust Python's stack.
    n = len(z)
    i = 0
    stack: list[tuple[Node, str | None]] = []  # containers, pending key
    root: Node | None = None
    while True:
        while i < n and z[i] in _WS:
            i += 1
        if i >= n:
            raise _Malformed
        c = z[i]
        # Inside an object: expect a key (or '}' right after '{').
        if stack and stack[-1][0].kind == OBJ and stack[-1][1] is None:
            obj = stack[-1][0]
            if c == "}" and not obj.value:
                i += 1
                node = stack.pop()[0]
                value: Node | None = node
            else:
                if c != '"':
                    raise _Malformed
                key, i = _parse_string(z, i)
                while i < n and z[i] in _WS:
                    i += 1
                if i >= n or z[i] != ":":
                    raise _Malformed
                i += 1
                stack[-1] = (obj, key)
                continue
        elif c == "]" and stack and stack[-1][0].kind == ARR and not stack[-1][0].value:
            i += 1
            value = stack.pop()[0]
        elif c == "{" or c == "[":
            if len(stack) >= JSON_MAX_DEPTH:
                raise _Malformed
            stack.append((Node(OBJ if c == "{" else ARR, []), None))
            i += 1
            continue
        elif c == '"':
            raw, i = _parse_string(z, i)
            value = Node(STR, raw)
        elif c == "-" or "0" <= c <= "9":
            value, i = _parse_number(z, i)
        else:
            for word, kind in (("true", TRUE), ("false", FALSE), ("null", NULL)):
                if z.startswith(word, i):
                    end = i + len(word)
                    if end < n and z[end].isascii() and z[end].isalnum():
                        raise _Malformed
                    value = Node(kind)
                    i = end
                    break
            else:
                raise _Malformed
        # Attach the finished value and close containers as far as possible.
        while True:
            if not stack:
                root = value
                while i < n and z[i] in _WS:
                    i += 1
                if i != n:
                    raise _Malformed
                return root  # type: ignore[return-value]
            container, key = stack[-1]
            if container.kind == OBJ:
                container.value.append([key, value])
                stack[-1] = (container, None)
                close = "}"
            else:
                container.value.append(value)
                close = "]"
            while i < n and z[i] in _WS:
                i += 1
            if i >= n:
                raise _Malformed
            if z[i] == ",":
                i += 1
                break
            if z[i] == close:
                i += 1
                value = stack.pop()[0]
                continue
            raise _Malformed


def render(node: Node) -> str:
    out: list[str] = []
    _render(node, out)
    return "".join(out)


def _render(node: Node, out: list[str]) -> None:
    # Iterative over a work stack of nodes and literal strings.
    work: list[Any] = [node]
    while work:
        item = work.pop()
        if type(item) is str:
            out.append(item)
            continue
        k = item.kind
        if k == STR:
            out.append('"' + item.value + '"')
        elif k == INT or k == REAL:
            out.append(item.value)
        elif k == NULL:
            out.append("null")
        elif k == TRUE:
            out.append("true")
        elif k == FALSE:
            out.append("false")
        elif k == ARR:
            out.append("[")
            work.append("]")
            for idx in range(len(item.value) - 1, -1, -1):
                work.append(item.value[idx])
                if idx:
                    work.append(",")
        else:
            out.append("{")
            work.append("}")
            for idx in range(len(item.value) - 1, -1, -1):
                key, val = item.value[idx]
                work.append(val)
                work.append('"' + key + '":')
                if idx:
                    work.append(",")


_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n",
            "r": "\r", "t": "\t"}


def unescape(raw: str) -> str:
    """The text a JSON string body stands for (\\u0000 ends it, as in C)."""
    if "\\" not in raw:
        return raw
    out: list[str] = []
    i = 0
    n = len(raw)
    while i < n:
        c = raw[i]
        if c != "\\":
            j = raw.find("\\", i)
            if j < 0:
                j = n
            out.append(raw[i:j])
            i = j
            continue
        c = raw[i + 1]
        if c == "u":
            v = int(raw[i + 2:i + 6], 16)
            i += 6
            if v == 0:
                break
            if 0xD800 <= v <= 0xDBFF and raw[i:i + 2] == "\\u":
                lo = int(raw[i + 2:i + 6], 16)
                if 0xDC00 <= lo <= 0xDFFF:
                    v = ((v & 0x3FF) << 10) + (lo & 0x3FF) + 0x10000
                    i += 6
            if 0xD800 <= v <= 0xDFFF:
                v = 0xFFFD  # a lone surrogate is not valid UTF-8
            out.append(chr(v))
        else:
            out.append(_ESCAPES[c])
            i += 2
    return "".join(out)


def quote_string(s: str) -> str:
    """A JSON string for the text ``s`` (jsonAppendString)."""
    out = ['"']
    for c in s:
        if c == '"' or c == "\\":
            out.append("\\" + c)
        elif c < " ":
            esc = {"\b": "b", "\f": "f", "\n": "n", "\r": "r", "\t": "t"}.get(c)
            out.append("\\" + esc if esc else "\\u%04x" % ord(c))
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def _node_of_sql(v: object) -> Node:
    """The JSON node for an SQL value (jsonAppendValue)."""
    t = type(v)
    if v is None:
        return Node(NULL)
    if t is int:
        return Node(INT, str(v))
    if t is float:
        return Node(REAL, V.real_to_text(v))  # type: ignore[arg-type]
    if t is str:
        if _is_json(v):
            return parse(v)  # type: ignore[arg-type]
        return Node(STR, quote_string(v)[1:-1])  # type: ignore[arg-type]
    raise_error(SQLITE_ERROR, "JSON cannot hold BLOB values")


def _sql_of_node(node: Node) -> object:
    """The SQL value of a node (jsonReturn): numbers, text, 1/0 for
    true/false, NULL for null; arrays and objects as JSON text."""
    k = node.kind
    if k == INT:
        text = node.value
        i = int(text)
        if V.SMALLEST_INT64 <= i <= V.LARGEST_INT64:
            return i
        return float(text)
    if k == REAL:
        # strtod's value, correctly rounded (as Python's float()), not
        # sqlite3AtoF's, which SQL text gets
        return float(node.value)
    if k == STR:
        return unescape(node.value)
    if k == NULL:
        return None
    if k == TRUE:
        return 1
    if k == FALSE:
        return 0
    return _mark(render(node))


def _doc(v: object) -> Node | None:
    if v is None:
        return None
    if type(v) is bytes:
        v = V.to_text(v)
    return parse(v if type(v) is str else V.to_text(v))  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# Paths
# ---------------------------------------------------------------------------

def _path_error(rest: str) -> None:
    raise_error(SQLITE_ERROR, f"JSON path error near '{rest}'")


def _parse_path(path: str) -> list[tuple[str, Any]]:
    """'$.a[2]."b c"[#-1]' -> [('key', 'a'), ('idx', 2), ('key', 'b c'),
    ('end', 1)]; ('end', 0) is '[#]'."""
    if not path or path[0] != "$":
        _path_error(path)
    steps: list[tuple[str, Any]] = []
    i = 1
    n = len(path)
    while i < n:
        c = path[i]
        if c == ".":
            j = i + 1
            if j < n and path[j] == '"':
                k = path.find('"', j + 1)
                if k < 0:
                    _path_error(path[i:])
                key = path[j + 1:k]
                i = k + 1
            else:
                k = j
                while k < n and path[k] != "." and path[k] != "[":
                    k += 1
                key = path[j:k]
                if not key:
                    _path_error(path[i + 1:])
                i = k
            steps.append(("key", key))
        elif c == "[":
            j = i + 1
            if j < n and path[j] == "#":
                k = j + 1
                sub = 0
                if k < n and path[k] == "-":
                    m = k + 1
                    while m < n and path[m].isdigit():
                        m += 1
                    if m == k + 1:
                        _path_error(path[i:])
                    sub = int(path[k + 1:m])
                    k = m
                if k >= n or path[k] != "]":
                    _path_error(path[i:])
                steps.append(("end", sub))
                i = k + 1
            else:
                k = j
                while k < n and path[k].isdigit():
                    k += 1
                if k == j or k >= n or path[k] != "]":
                    _path_error(path[i:])
                steps.append(("idx", int(path[j:k])))
                i = k + 1
        else:
            _path_error(path[i:])
    return steps


def _lookup(root: Node, steps: list[tuple[str, Any]], create: bool = False
            ) -> tuple[Node | None, Node | None, Any]:
    """Follow ``steps``; (node, parent, slot) where node is None when
    missing.  With ``create``, missing object members and array elements
    just past the end are created as NULL nodes (json_set/json_insert);
    the created node is then returned with slot = ('new', ...)."""
    node = root
    parent: Node | None = None
    slot: Any = None
    for si, (kind, arg) in enumerate(steps):
        if kind == "key":
            if node.kind != OBJ:
                return None, None, None
            for pair in node.value:
                if pair[0] == arg:
                    parent, slot, node = node, pair, pair[1]
                    break
            else:
                if not create:
                    return None, None, None
                return _create(node, ("key", arg), steps[si + 1:])
        else:
            if node.kind != ARR:
                return None, None, None
            items = node.value
            idx = arg if kind == "idx" else len(items) - arg
            if 0 <= idx < len(items):
                parent, slot, node = node, idx, items[idx]
            elif create and idx == len(items):
                return _create(node, ("idx", idx), steps[si + 1:])
            else:
                return None, None, None
    return node, parent, slot


def _create(container: Node, at: tuple[str, Any], rest: list[tuple[str, Any]]
            ) -> tuple[Node | None, Node | None, Any]:
    # Build the missing tail: objects for keys, arrays only for [0].
    leaf = Node(NULL)
    node = leaf
    for kind, arg in reversed(rest):
        if kind == "key":
            node = Node(OBJ, [[arg, node]])
        elif kind == "idx" and arg == 0:
            node = Node(ARR, [node])
        else:
            return None, None, None
    if at[0] == "key":
        container.value.append([at[1], node])
    else:
        container.value.append(node)
    return leaf, None, ("new",)


def _abbrev_path(p: object) -> str | None:
    """The path an -> / ->> right operand stands for (None: no match)."""
    if type(p) is int:
        return f"$[{p}]" if p >= 0 else None  # type: ignore[operator]
    t = V.to_text(p) if p is not None else None
    if t is None:
        return None
    if t.startswith("$"):
        return t
    if type(p) is float or (type(p) is str and V.text_to_numeric(t) is not None
                             and type(V.text_to_numeric(t)) is int):
        return f"$[{t}]"
    if t.startswith("["):
        return "$" + t
    return "$." + t


# ---------------------------------------------------------------------------
# The SQL functions
# ---------------------------------------------------------------------------

def json_(x: object) -> str | None:
    root = _doc(x)
    return None if root is None else _mark(render(root))


def subtype(x: object) -> int:
    """subtype(X): 74 ('J') for a value straight from a JSON function, else
    0 (the only subtype SQLite's built-in functions set)."""
    return 74 if _is_json(x) else 0


def json_valid(x: object) -> int:
    if x is None:
        return 0
    try:
        _parse(x if type(x) is str else V.to_text(x))  # type: ignore[arg-type]
    except (_Malformed, IndexError):
        return 0
    return 1


def json_array(*args: object) -> str:
    return _mark(render(Node(ARR, [_node_of_sql(a) for a in args])))


def json_object(*args: object) -> str:
    if len(args) % 2:
        raise_error(SQLITE_ERROR, "json_object() requires an even number of arguments")
    pairs = []
    for i in range(0, len(args), 2):
        k = args[i]
        if type(k) is not str:
            raise_error(SQLITE_ERROR, "json_object() labels must be TEXT")
        pairs.append([quote_string(k)[1:-1], _node_of_sql(args[i + 1])])  # type: ignore[arg-type]
    return _mark(render(Node(OBJ, pairs)))


def json_quote(x: object) -> str:
    if _is_json(x):
        return x  # type: ignore[return-value]
    return _mark(render(_node_of_sql(x)))


def json_extract(*args: object) -> object:
    if len(args) < 2:
        return None
    x = args[0]
    paths = args[1:]
    root = _doc(x)
    if root is None:
        return None
    if len(paths) == 1:
        if paths[0] is None:
            return None
        node = _lookup(root, _parse_path(V.to_text(paths[0])))[0]  # type: ignore[arg-type]
        return None if node is None else _sql_of_node(node)
    out = []
    for p in paths:
        if p is None:
            return None
        node = _lookup(root, _parse_path(V.to_text(p)))[0]  # type: ignore[arg-type]
        out.append(node if node is not None else Node(NULL))
    return _mark(render(Node(ARR, out)))


def _arrow(x: object, p: object) -> Node | None:
    root = _doc(x)
    if root is None or p is None:
        return None
    path = _abbrev_path(p)
    if path is None:
        return None
    return _lookup(root, _parse_path(path))[0]


def json_arrow(x: object, p: object) -> str | None:
    """x -> p: the JSON text of the element."""
    node = _arrow(x, p)
    return None if node is None else _mark(render(node))


def json_arrow2(x: object, p: object) -> object:
    """x ->> p: the SQL value of the element (arrays and objects as JSON
    text without the JSON subtype, as SQLite returns them)."""
    node = _arrow(x, p)
    if node is None:
        return None
    if node.kind in (ARR, OBJ):
        return render(node)
    return _sql_of_node(node)


def json_type(x: object, p: object = "$") -> str | None:
    root = _doc(x)
    if root is None or p is None:
        return None
    node = _lookup(root, _parse_path(V.to_text(p)))[0]  # type: ignore[arg-type]
    return None if node is None else _TYPE_NAMES[node.kind]


def json_array_length(x: object, p: object = "$") -> int | None:
    root = _doc(x)
    if root is None or p is None:
        return None
    node = _lookup(root, _parse_path(V.to_text(p)))[0]  # type: ignore[arg-type]
    if node is None:
        return None
    return len(node.value) if node.kind == ARR else 0


def _edit(name: str, mode: str, args: tuple[object, ...]) -> object:
    if not args:
        return None
    if len(args) % 2 == 0:
        raise_error(SQLITE_ERROR, f"{name}() needs an odd number of arguments")
    root = _doc(args[0])
    if root is None:
        return None
    root_value: tuple[object] | None = None
    for i in range(1, len(args), 2):
        if args[i] is None:
            continue
        steps = _parse_path(V.to_text(args[i]))  # type: ignore[arg-type]
        value = _node_of_sql(args[i + 1])
        node, parent, slot = _lookup(root, steps, create=mode != "replace")
        if node is None:
            continue
        created = slot == ("new",)
        if created or mode != "insert":
            if not steps:
                # SQLite answers the replacing SQL value itself.
                root = value
                root_value = (args[i + 1],)
            else:
                node.kind = value.kind
                node.value = value.value
    if root_value is not None:
        return root_value[0]  # type: ignore[return-value]
    return _mark(render(root))


def json_insert(*args: object) -> object:
    return _edit("json_insert", "insert", args)


def json_replace(*args: object) -> object:
    return _edit("json_replace", "replace", args)


def json_set(*args: object) -> object:
    return _edit("json_set", "set", args)


def json_remove(*args: object) -> str | None:
    if not args:
        return None
    root = _doc(args[0])
    if root is None:
        return None
    for p in args[1:]:
        if p is None:
            return None
        steps = _parse_path(V.to_text(p))  # type: ignore[arg-type]
        if not steps:
            return None
        node, parent, slot = _lookup(root, steps)
        if node is None or parent is None:
            continue
        if parent.kind == ARR:
            del parent.value[slot]
        else:
            parent.value.remove(slot)
    return _mark(render(root))


def _merge_patch(target: Node | None, patch: Node) -> Node:
    if patch.kind != OBJ:
        return patch
    if target is None or target.kind != OBJ:
        target = Node(OBJ, [])
    for key, pval in patch.value:
        for idx, pair in enumerate(target.value):
            if pair[0] == key:
                if pval.kind == NULL:
                    del target.value[idx]
                else:
                    pair[1] = _merge_patch(pair[1], pval)
                break
        else:
            if pval.kind != NULL:
                target.value.append([key, _merge_patch(None, pval)])
    return target


def json_patch(x: object, p: object) -> str | None:
    root = _doc(x)
    patch = _doc(p)
    if root is None or patch is None:
        return None
    return _mark(render(_merge_patch(root, patch)))


class JsonGroupArray:
    """json_group_array(x): the values as a JSON array."""

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: deque[str] = deque()

    def step(self, x: object) -> None:
        self.items.append(render(_node_of_sql(x)))

    def inverse(self, x: object) -> None:
        if self.items:
            self.items.popleft()

    def value(self) -> str:
        return _mark("[" + ",".join(self.items) + "]")

    finalize = value


class JsonGroupObject:
    """json_group_object(k, v): the pairs as a JSON object."""

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: deque[str] = deque()

    def step(self, k: object, v: object) -> None:
        if k is None:
            return
        key = k if type(k) is str else V.to_text(k)
        self.items.append(quote_string(key) + ":" + render(_node_of_sql(v)))  # type: ignore[arg-type]

    def inverse(self, k: object, v: object) -> None:
        if k is not None and self.items:
            self.items.popleft()

    def value(self) -> str:
        return _mark("{" + ",".join(self.items) + "}")

    finalize = value


_D = DETERMINISTIC
_AW = DETERMINISTIC | AGGREGATE | WINDOW

FUNCTIONS: list[FuncDef] = [
    FuncDef("json", 1, json_, _D),
    FuncDef("json_array", -1, json_array, _D),
    FuncDef("json_array_length", 1, json_array_length, _D),
    FuncDef("json_array_length", 2, json_array_length, _D),
    FuncDef("json_extract", -1, json_extract, _D),
    FuncDef("->", 2, json_arrow, _D),
    FuncDef("->>", 2, json_arrow2, _D),
    FuncDef("json_insert", -1, json_insert, _D),
    FuncDef("json_object", -1, json_object, _D),
    FuncDef("json_patch", 2, json_patch, _D),
    FuncDef("json_quote", 1, json_quote, _D),
    FuncDef("json_remove", -1, json_remove, _D),
    FuncDef("json_replace", -1, json_replace, _D),
    FuncDef("json_set", -1, json_set, _D),
    FuncDef("json_type", 1, json_type, _D),
    FuncDef("json_type", 2, json_type, _D),
    FuncDef("json_valid", 1, json_valid, _D),
    FuncDef("subtype", 1, subtype, _D),
    FuncDef("json_group_array", 1, JsonGroupArray, _AW),
    FuncDef("json_group_object", 2, JsonGroupObject, _AW),
]
