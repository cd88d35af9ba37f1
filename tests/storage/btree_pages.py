"""Helpers shared by the B-tree write-path tests: a pager in a write
transaction on a new file, and every page of a tree."""

from __future__ import annotations

from pathlib import Path

from pyrite.storage.btree import BTree, page_info
from pyrite.storage.pager import Pager


def write_pager(tmp_path: Path, page_size: int, name: str) -> Pager:
    """A pager on the new file ``name`` in ``tmp_path``, in a write
    transaction, with pages of ``page_size`` bytes."""
    p = Pager.open(None, str(tmp_path / f"{name}{page_size}.db"))
    p.begin_read()
    p.begin_write()
    if page_size != p.page_size:
        p.page_size = p.usable_size = page_size
    return p


def tree_pages(bt: BTree, root: int) -> list:
    """Every page of the tree rooted at ``root``."""
    out, stack = [], [root]
    while stack:
        page = bt.pager.get_page_sync(stack.pop())
        info = page_info(page)
        out.append(page)
        if not info.leaf:
            stack.extend(int.from_bytes(page.data[p:p + 4], "big") for p in info.ptrs)
            stack.append(info.right)
    return out
