"""The json_each() and json_tree() table-valued functions.

Layer: vdbe (built-in functions).  SQLite's counterpart is the json_each
virtual table of ``json.c`` as of 3.40.  Columns: key, value, type, atom,
id, parent, fullkey, path, and the hidden arguments json and root.

Row ids follow SQLite 3.40's parse-node numbering: a document is laid out
in preorder, each value one node and each object member's label one more,
so ``id`` of ``{"a":[1]}``'s ``1`` is 3 (object 0, label 1, array 2).
``fullkey``/``path`` of json_tree are built from the parse tree as SQLite
3.40 builds them, including its quirk that arrays above the scan's root
print as ``[0]``.

The cursor protocol is the one VOpen/VFilter expect (vdbe/ops/vtab.py).
"""

from __future__ import annotations

from typing import Any

from pyrite import values as V
from pyrite.vdbe.functions.json import (
    _TYPE_NAMES,
    ARR,
    OBJ,
    Node,
    _doc,
    _lookup,
    _parse_path,
    _sql_of_node,
    unescape,
)

# Column numbers.
KEY, VALUE, TYPE, ATOM, ID, PARENT, FULLKEY, PATH, JSON, ROOT = range(10)
COLUMNS = ("key", "value", "type", "atom", "id", "parent", "fullkey", "path", "json", "root")
N_VISIBLE = 8


class _Flat:
    """A document laid out as SQLite 3.40's parse-node array."""

    __slots__ = ("nodes", "up", "label", "index", "ids")

    def __init__(self, root: Node) -> None:
        self.nodes: list[Node | None] = []   # None for a label slot
        self.up: list[int] = []
        self.label: list[str | None] = []    # raw key of the member a value belongs to
        self.index: list[int] = []           # position inside its parent array
        self.ids: dict[int, int] = {}
        stack: list[tuple[Node, int, str | None, int]] = [(root, 0, None, 0)]
        while stack:
            node, up, label, idx = stack.pop()
            if label is not None:
                self.nodes.append(None)
                self.up.append(up)
                self.label.append(label)
                self.index.append(0)
            i = len(self.nodes)
            self.ids[id(node)] = i
            self.nodes.append(node)
            self.up.append(up if i else 0)
            self.label.append(label)
            self.index.append(idx)
            if node.kind == ARR:
                for k in range(len(node.value) - 1, -1, -1):
                    stack.append((node.value[k], i, None, k))
            elif node.kind == OBJ:
                for k in range(len(node.value) - 1, -1, -1):
                    key, child = node.value[k]
                    stack.append((child, i, key, 0))


def _object_path_element(raw_key: str) -> str:
    """``.key``, or ``."key"`` when the key is not an identifier (as SQLite 3.40)."""
    if raw_key and raw_key[0].isascii() and raw_key[0].isalpha() and \
            all(ch.isascii() and ch.isalnum() for ch in raw_key):
        return "." + raw_key
    return '."' + raw_key + '"'


class JsonEachModule:
    """json_each (``recursive`` False) or json_tree (True)."""

    def __init__(self, recursive: bool) -> None:
        self.recursive = recursive
        self.name = "json_tree" if recursive else "json_each"
        self.columns = [(c, i >= N_VISIBLE) for i, c in enumerate(COLUMNS)]

    def best_index(self, constraints: list[tuple[int, str]]) -> tuple[int, str | None,
                                                                      list[tuple[int, bool]]]:
        """Use ``json = ?`` and ``root = ?``: idxNum 0 (no json: empty),
        1 (json), 3 (json and root).  Returns (idx_num, idx_str, [(constraint
        position, omit)] in argument order)."""
        json_at = root_at = -1
        for pos, (col, op) in enumerate(constraints):
            if op != "=":
                continue
            if col == JSON and json_at < 0:
                json_at = pos
            elif col == ROOT and root_at < 0:
                root_at = pos
        if json_at < 0:
            return 0, None, []
        if root_at < 0:
            return 1, None, [(json_at, True)]
        return 3, None, [(json_at, True), (root_at, True)]

    def __str__(self) -> str:
        return f"vtab:{self.name}"   # VOpen's P4 in EXPLAIN

    def open(self) -> JsonEachCursor:
        return JsonEachCursor(self.recursive)


class JsonEachCursor:
    """Rows of one json_each/json_tree scan, computed at VFilter."""

    def __init__(self, recursive: bool) -> None:
        self.recursive = recursive
        self.rows: list[tuple[Any, ...]] = []
        self.pos = 0

    def filter(self, idx_num: int, idx_str: str | None, args: list[Any]) -> None:
        self.rows = []
        self.pos = 0
        if idx_num == 0 or not args:
            return
        text = args[0]
        root_doc = _doc(text)
        if root_doc is None:
            return
        zroot: str | None = None
        target = root_doc
        if len(args) > 1:
            if args[1] is None:
                return
            zroot = V.to_text(args[1])
            assert zroot is not None
            found = _lookup(root_doc, _parse_path(zroot))[0]
            if found is None:
                return
            target = found
        flat = _Flat(root_doc)
        json_text = V.to_text(text)
        root_text = zroot if zroot is not None else "$"
        if self.recursive:
            self._tree(flat, flat.ids[id(target)], json_text, root_text)
        else:
            self._each(flat, flat.ids[id(target)], json_text, root_text)

    # -- json_each -------------------------------------------------------------

    def _each(self, flat: _Flat, t: int, json_text: Any, root: str) -> None:
        node = flat.nodes[t]
        assert node is not None
        rows = self.rows
        if node.kind not in (ARR, OBJ):
            rows.append((None,) + _value_cols(node) + (t, None, root, root, json_text, root))
            return
        if node.kind == ARR:
            for k, child in enumerate(node.value):
                rows.append((k,) + _value_cols(child) +
                            (flat.ids[id(child)], None, f"{root}[{k}]", root, json_text, root))
        else:
            for key, child in node.value:
                rows.append((unescape(key),) + _value_cols(child) +
                            (flat.ids[id(child)], None, root + _object_path_element(key),
                             root, json_text, root))

    # -- json_tree -------------------------------------------------------------

    def _tree(self, flat: _Flat, t: int, json_text: Any, root: str) -> None:
        # Index counters of the arrays being walked (SQLite's JsonNode.u.iKey):
        # arrays outside the walked subtree keep 0.
        cur_index: dict[int, int] = {}

        def path_of(i: int) -> str:
            parts: list[str] = []
            while i != 0:
                up = flat.up[i]
                up_node = flat.nodes[up]
                assert up_node is not None
                if up_node.kind == ARR:
                    parts.append(f"[{cur_index.get(up, 0)}]")
                else:
                    parts.append(_object_path_element(flat.label[i] or ""))
                i = up
            return "$" + "".join(reversed(parts))

        rows = self.rows
        start = flat.nodes[t]
        assert start is not None
        up_t = flat.up[t]
        up_node = flat.nodes[up_t]
        key: Any = None
        if t and up_node is not None and up_node.kind == OBJ and start.kind in (ARR, OBJ):
            key = unescape(flat.label[t] or "")
        rows.append((key,) + _value_cols(start) +
                    (t, None, path_of(t), path_of(up_t), json_text, root))

        def walk(i: int) -> None:
            node = flat.nodes[i]
            assert node is not None
            if node.kind == ARR:
                for k, child in enumerate(node.value):
                    cur_index[i] = k
                    c = flat.ids[id(child)]
                    rows.append((k,) + _value_cols(child) +
                                (c, i, path_of(c), path_of(i), json_text, root))
                    walk(c)
            elif node.kind == OBJ:
                for rkey, child in node.value:
                    c = flat.ids[id(child)]
                    rows.append((unescape(rkey),) + _value_cols(child) +
                                (c, i, path_of(c), path_of(i), json_text, root))
                    walk(c)

        walk(t)

    # -- the cursor protocol ---------------------------------------------------

    def eof(self) -> bool:
        return self.pos >= len(self.rows)

    def next(self) -> None:
        self.pos += 1

    def column(self, i: int) -> Any:
        return self.rows[self.pos][i]

    def rowid(self) -> int:
        return self.pos


def _value_cols(node: Node) -> tuple[Any, Any, Any]:
    """value, type, atom of a node."""
    value = _sql_of_node(node)
    if node.kind in (ARR, OBJ):
        return value, _TYPE_NAMES[node.kind], None
    return value, _TYPE_NAMES[node.kind], value
