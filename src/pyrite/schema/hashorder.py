"""The iteration order of SQLite's schema hash tables.

SQLite keeps a schema's tables in a ``Hash`` (hash.c) and several things
users see walk that hash in its own order: ``PRAGMA table_list`` lists
tables in it, for one.  The order is deterministic: every element sits on
one doubly linked list; a new key goes in front of the first element of its
bucket, or at the head of the list when its bucket is empty (always, while
the table has no buckets); once the count reaches 10 and exceeds twice the
bucket count, the table grows to ``2 * count`` buckets (at most 64) and
every element is re-inserted in list order.  Buckets come from a case-folding multiplicative
string hash.  This module replays those rules on names alone.
"""

from __future__ import annotations
from pyrite.values import fold_name

_GOLDEN = 0x9E3779B1
# Bucket arrays never exceed SQLITE_MALLOC_SOFT_LIMIT (1024 bytes) of
# 16-byte buckets.
_MAX_BUCKETS = 64


def _str_hash(key: str) -> int:
    """strHash: fold ASCII upper case, add, multiply, modulo 2**32."""
    h = 0
    for byte in key.encode("utf-8"):
        if 65 <= byte <= 90:
            byte += 32
        h = ((h + byte) * _GOLDEN) & 0xFFFFFFFF
    return h


class HashOrder:
    """The element list of one SQLite ``Hash`` keyed by names (compared
    without regard to ASCII case, as SQLite's schema hashes are)."""

    def __init__(self, keys: list[str] | None = None) -> None:
        self.order: list[str] = []       # the linked list, first element first
        self.buckets: list[list[str]] = []   # each bucket's chain, head first
        for key in keys or []:
            self.insert(key)

    def _bucket(self, key: str) -> list[str] | None:
        if not self.buckets:
            return None
        return self.buckets[_str_hash(key) % len(self.buckets)]

    def _link(self, key: str) -> None:
        """insertElement: before the bucket's head, else at the list head."""
        bucket = self._bucket(key)
        if bucket:
            self.order.insert(self.order.index(bucket[0]), key)
        else:
            self.order.insert(0, key)
        if bucket is not None:
            bucket.insert(0, key)

    def insert(self, key: str) -> None:
        low = fold_name(key)
        if low in self.order:
            return                      # a replacement keeps its place
        count = len(self.order) + 1
        size = min(count * 2, _MAX_BUCKETS)
        if count >= 10 and count > 2 * len(self.buckets) and size != len(self.buckets):
            old = self.order
            self.order = []
            self.buckets = [[] for _ in range(size)]
            for k in old:
                self._link(k)
        self._link(low)

    def remove(self, key: str) -> None:
        low = fold_name(key)
        if low not in self.order:
            return
        self.order.remove(low)
        bucket = self._bucket(low)
        if bucket is not None:
            bucket.remove(low)
        if not self.order:
            self.buckets = []            # an emptied hash starts over

    def updated(self, keys: list[str]) -> HashOrder:
        """This hash after removing the keys not in ``keys`` and inserting
        the new ones in their order: the same hash a schema that only
        dropped and added those objects would have."""
        wanted = {fold_name(k) for k in keys}
        for key in [k for k in self.order if k not in wanted]:
            self.remove(key)
        for key in keys:
            self.insert(key)
        return self

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(list(self.order))
