"""SQL front end: SQLite's keyword table and the keyword classes the parser uses.

SQLite's counterpart is ``mkkeywordhash.c`` (the keyword list) and the
``%fallback ID`` / ``%token_class`` declarations of ``parse.y`` (which keywords
may stand for an identifier when the grammar cannot use them as keywords).
TRUE, FALSE, ROWID and STRICT are not keywords in SQLite; WINDOW, OVER and
FILTER are keywords only in context (the parser decides, as SQLite's
tokenizer does in ``analyzeWindowKeyword`` and friends).
"""

from __future__ import annotations

KEYWORDS: frozenset[str] = frozenset("""
ABORT ACTION ADD AFTER ALL ALTER ALWAYS ANALYZE AND AS ASC ATTACH AUTOINCREMENT
BEFORE BEGIN BETWEEN BY CASCADE CASE CAST CHECK COLLATE COLUMN COMMIT CONFLICT
CONSTRAINT CREATE CROSS CURRENT CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP
DATABASE DEFAULT DEFERRABLE DEFERRED DELETE DESC DETACH DISTINCT DO DROP EACH
ELSE END ESCAPE EXCEPT EXCLUDE EXCLUSIVE EXISTS EXPLAIN FAIL FILTER FIRST
FOLLOWING FOR FOREIGN FROM FULL GENERATED GLOB GROUP GROUPS HAVING IF IGNORE
IMMEDIATE IN INDEX INDEXED INITIALLY INNER INSERT INSTEAD INTERSECT INTO IS
ISNULL JOIN KEY LAST LEFT LIKE LIMIT MATCH MATERIALIZED NATURAL NO NOT NOTHING
NOTNULL NULL NULLS OF OFFSET ON OR ORDER OTHERS OUTER OVER PARTITION PLAN
PRAGMA PRECEDING PRIMARY QUERY RAISE RANGE RECURSIVE REFERENCES REGEXP REINDEX
RELEASE RENAME REPLACE RESTRICT RETURNING RIGHT ROLLBACK ROW ROWS SAVEPOINT
SELECT SET TABLE TEMP TEMPORARY THEN TIES TO TRANSACTION TRIGGER UNBOUNDED
UNION UNIQUE UPDATE USING VACUUM VALUES VIEW VIRTUAL WHEN WHERE WINDOW WITH
WITHOUT
""".split())

#: Keywords that fall back to an identifier where the grammar cannot shift
#: them as keywords (parse.y ``%fallback ID``), plus the context keywords
#: WINDOW, OVER and FILTER which the tokenizer turns into identifiers.
FALLBACK_ID: frozenset[str] = frozenset("""
ABORT ACTION AFTER ANALYZE ASC ATTACH BEFORE BEGIN BY CASCADE CAST COLUMN
CONFLICT DATABASE DEFERRED DESC DETACH DO EACH END EXCLUSIVE EXPLAIN FAIL FOR
IGNORE IMMEDIATE INITIALLY INSTEAD LIKE GLOB REGEXP MATCH NO PLAN QUERY KEY OF
OFFSET PRAGMA RAISE RECURSIVE RELEASE REPLACE RESTRICT ROW ROWS ROLLBACK
SAVEPOINT TEMP TRIGGER VACUUM VIEW VIRTUAL WITH WITHOUT NULLS FIRST LAST
CURRENT FOLLOWING PARTITION PRECEDING RANGE UNBOUNDED EXCLUDE GROUPS OTHERS
TIES GENERATED ALWAYS MATERIALIZED REINDEX RENAME CURRENT_DATE CURRENT_TIME
CURRENT_TIMESTAMP IF WINDOW OVER FILTER
""".split())

#: JOIN_KW: usable as a name (``nm``) but not as an expression identifier.
JOIN_KEYWORDS: frozenset[str] = frozenset(
    "CROSS FULL INNER LEFT NATURAL OUTER RIGHT".split())

#: Token kinds usable as an identifier in expressions (``id`` in parse.y).
ID_KINDS: frozenset[str] = FALLBACK_ID | {"ID", "INDEXED"}

#: Token kinds usable as a name (``nm``: id, STRING or JOIN_KW).
NAME_KINDS: frozenset[str] = ID_KINDS | {"STRING"} | JOIN_KEYWORDS

#: Token kinds usable in a type name or an alias without AS (``ids``).
IDS_KINDS: frozenset[str] = FALLBACK_ID | {"ID", "STRING"}

#: The LIKE_KW class plus MATCH: infix operators of the equality level.
LIKE_OPS: frozenset[str] = frozenset(("LIKE", "GLOB", "REGEXP", "MATCH"))

CONFLICT_ACTIONS: frozenset[str] = frozenset(
    ("ROLLBACK", "ABORT", "FAIL", "IGNORE", "REPLACE"))


def is_keyword(word: str) -> bool:
    """True if *word* is an SQLite keyword (sqlite3_keyword_check)."""
    return word.upper() in KEYWORDS
