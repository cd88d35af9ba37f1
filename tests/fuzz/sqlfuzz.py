"""Differential SQL fuzzer: seeded random schemas, data and statements run on
Pyrite and on the standard library's sqlite3; every outcome must agree.

    python -m tests.fuzz.sqlfuzz [--seconds S] [--seed N] [--statements K]
        [--features a,b,...] [--stop]

An outcome is the rows a statement returns (values with their Python types,
compared as a multiset unless the statement's ORDER BY fixes the order) or
the error it raises (class and message).  After each write the whole
database is compared.  A mismatch prints the shortest script that still
reproduces it (statements are dropped one at a time while it stays
reproducible); such scripts are added to ``regressions.sql`` beside this
file, which ``test_fuzz.py`` replays on every run.

Generated SQL stays clear of what legitimately differs between two correct
engines: no bare columns in aggregates, no LIMIT without a total order, no
floating-point sums whose rounding depends on row order (reals are small
binary fractions), no random()/changes().
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pyrite

# Features the generator may use.  New language features join this set once
# Pyrite implements them, so the fuzzer covers them from then on.
ALL_FEATURES = frozenset({
    "join", "left_join", "subquery", "compound", "aggregate", "group_by", "distinct",
    "functions", "index", "write", "case", "cast", "like", "between", "in_list",
    "collate", "limit", "from_subquery", "view", "cte", "window", "upsert",
    "returning", "right_join", "trigger",
})
# Not yet in the default run: features Pyrite lacks or the generator does not make (upsert,
# triggers) and RETURNING, whose values still differ from SQLite's in
# type in cases the fuzzer finds (docs/known-differences.md).
DEFAULT_FEATURES = frozenset(ALL_FEATURES - {
    "upsert", "trigger", "returning",
})

TYPES = ["INTEGER", "TEXT", "REAL", "BLOB", "NUMERIC", "", "INT", "VARCHAR(10)"]
TEXTS = ["a", "b", "B", "abc", "Abc", "", " x", "10", "2.5", "1e2", "zz", "a%", "-3"]
REALS = [0.5, 1.5, -2.25, 3.0, 100.0, 0.125, -0.5]
SCALAR_FUNCS = [
    ("abs", 1), ("length", 1), ("upper", 1), ("lower", 1), ("typeof", 1), ("hex", 1),
    ("quote", 1), ("coalesce", 2), ("ifnull", 2), ("nullif", 2), ("max", 2), ("min", 2),
    ("substr", 2), ("substr", 3), ("instr", 2), ("replace", 3), ("trim", 1), ("round", 1),
    ("sign", 1), ("unicode", 1), ("zeroblob", 1), ("iif", 3), ("likely", 1),
]
AGG_FUNCS = ["count", "sum", "total", "min", "max", "avg"]


@dataclass
class Table:
    name: str
    columns: list[str]
    types: list[str]
    ipk: bool = False  # first column is INTEGER PRIMARY KEY


@dataclass
class Gen:
    rnd: random.Random
    features: frozenset[str]
    tables: list[Table] = field(default_factory=list)
    views: list[Table] = field(default_factory=list)
    n_index: int = 0
    grouped: list[str] = field(default_factory=list)  # GROUP BY columns in scope
    with_clause: str = ""                               # WITH of the SELECT being made

    def has(self, feature: str) -> bool:
        return feature in self.features

    # -- schema and data -------------------------------------------------
    def schema(self) -> list[str]:
        out = []
        for t in range(self.rnd.randint(2, 3)):
            n = self.rnd.randint(2, 4)
            cols = [f"c{i}" for i in range(n)]
            types = [self.rnd.choice(TYPES) for _ in cols]
            table = Table(f"t{t}", cols, types, ipk=self.rnd.random() < 0.4)
            defs = []
            for i, (c, ty) in enumerate(zip(cols, types)):
                d = f"{c} {ty}".strip()
                if i == 0 and table.ipk:
                    d = f"{c} INTEGER PRIMARY KEY"
                    table.types[0] = "INTEGER"
                elif self.has("collate") and self.rnd.random() < 0.15:
                    d += " COLLATE " + self.rnd.choice(["NOCASE", "RTRIM", "BINARY"])
                defs.append(d)
            out.append(f"CREATE TABLE {table.name}({', '.join(defs)})")
            self.tables.append(table)
            if self.has("index"):
                for _ in range(self.rnd.randint(0, 2)):
                    k = self.rnd.sample(cols, self.rnd.randint(1, min(2, n)))
                    uniq = "UNIQUE " if self.rnd.random() < 0.2 else ""
                    desc = [c + (" DESC" if self.rnd.random() < 0.2 else "") for c in k]
                    out.append(f"CREATE {uniq}INDEX i{self.n_index} ON {table.name}"
                               f"({', '.join(desc)})")
                    self.n_index += 1
        for table in self.tables:
            for _ in range(self.rnd.randint(0, 12)):
                vals = [self.value() for _ in table.columns]
                out.append(f"INSERT INTO {table.name} VALUES({', '.join(vals)})")
        if self.has("view") and self.rnd.random() < 0.5:
            src = self.rnd.choice(self.tables)
            cols = src.columns[: self.rnd.randint(1, len(src.columns))]
            where = self.expr([src], 1)
            out.append(f"CREATE VIEW v0 AS SELECT {', '.join(cols)} FROM {src.name} "
                       f"WHERE {where}")
            self.views.append(Table("v0", list(cols), [""] * len(cols)))
        return out

    def value(self) -> str:
        r = self.rnd.random()
        if r < 0.15:
            return "NULL"
        if r < 0.55:
            return str(self.rnd.randint(-5, 12))
        if r < 0.7:
            return repr(self.rnd.choice(REALS))
        if r < 0.95:
            return "'" + self.rnd.choice(TEXTS).replace("'", "''") + "'"
        return "x'" + self.rnd.choice(["", "00", "41", "ff01"]) + "'"

    def literal(self) -> str:
        return self.value()

    # -- expressions -----------------------------------------------------
    def column(self, scope: list[Table]) -> str:
        t = self.rnd.choice(scope)
        c = self.rnd.choice(t.columns)
        return f"{t.name}.{c}" if len(scope) > 1 else c

    def expr(self, scope: list[Table], depth: int = 0, *, agg: bool = False) -> str:
        rnd = self.rnd
        if depth > 2 or rnd.random() < 0.3:
            if agg:
                # outside aggregate arguments only grouped columns: the row
                # a bare column comes from is SQLite's choice, not a rule
                grouped = self.grouped
                return rnd.choice(grouped) if grouped and rnd.random() < 0.65 \
                    else self.literal()
            return self.column(scope) if scope and rnd.random() < 0.65 else self.literal()
        d = depth + 1
        choice = rnd.random()
        if agg and choice < 0.25:
            f = rnd.choice(AGG_FUNCS)
            if f == "count" and rnd.random() < 0.3:
                return "count(*)"
            distinct = "DISTINCT " if rnd.random() < 0.15 else ""
            return f"{f}({distinct}{self.expr(scope, d)})"
        if choice < 0.45:
            op = rnd.choice(["+", "-", "*", "/", "%", "||", "=", "==", "<", "<=", ">", ">=",
                             "<>", "!=", "AND", "OR", "IS", "IS NOT", "&", "|", "<<", ">>"])
            return f"({self.expr(scope, d, agg=agg)} {op} {self.expr(scope, d, agg=agg)})"
        if choice < 0.52:
            return f"{rnd.choice(['-', '+', 'NOT ', '~'])}{self.expr(scope, d, agg=agg)}"
        if choice < 0.6 and self.has("functions"):
            name, n = rnd.choice(SCALAR_FUNCS)
            args = ", ".join(self.expr(scope, d, agg=agg) for _ in range(n))
            if name == "zeroblob":
                args = str(rnd.randint(0, 3))
            return f"{name}({args})"
        if choice < 0.66 and self.has("case"):
            whens = " ".join(f"WHEN {self.expr(scope, d, agg=agg)} THEN "
                             f"{self.expr(scope, d, agg=agg)}" for _ in range(rnd.randint(1, 2)))
            base = self.expr(scope, d, agg=agg) + " " if rnd.random() < 0.3 else ""
            other = f" ELSE {self.expr(scope, d, agg=agg)}" if rnd.random() < 0.5 else ""
            return f"CASE {base}{whens}{other} END"
        if choice < 0.7 and self.has("cast"):
            ty = rnd.choice(["INTEGER", "TEXT", "REAL", "NUMERIC", "BLOB"])
            return f"CAST({self.expr(scope, d, agg=agg)} AS {ty})"
        if choice < 0.75 and self.has("like"):
            op = rnd.choice(["LIKE", "NOT LIKE", "GLOB"])
            pat = rnd.choice(["'a%'", "'%b%'", "'_'", "'A*'", "'1%'", "'%'"])
            return f"({self.expr(scope, d, agg=agg)} {op} {pat})"
        if choice < 0.8 and self.has("between"):
            neg = "NOT " if rnd.random() < 0.3 else ""
            return (f"({self.expr(scope, d, agg=agg)} {neg}BETWEEN "
                    f"{self.expr(scope, d, agg=agg)} AND {self.expr(scope, d, agg=agg)})")
        if choice < 0.85 and self.has("in_list"):
            items = ", ".join(self.literal() for _ in range(rnd.randint(1, 4)))
            neg = "NOT " if rnd.random() < 0.3 else ""
            return f"({self.expr(scope, d, agg=agg)} {neg}IN ({items}))"
        if choice < 0.9 and self.has("collate"):
            coll = rnd.choice(["NOCASE", "RTRIM", "BINARY"])
            return f"({self.expr(scope, d, agg=agg)} COLLATE {coll} = " \
                   f"{self.expr(scope, d, agg=agg)})"
        if choice < 0.97 and self.has("subquery") and depth < 2 and not agg:
            return self.subquery_expr(scope, d)
        return f"({self.expr(scope, d, agg=agg)} IS NULL)"

    def subquery_expr(self, scope: list[Table], depth: int) -> str:
        rnd = self.rnd
        inner = rnd.choice(self.tables)
        alias = f"s{depth}"
        inner_scope = [Table(alias, inner.columns, inner.types)]
        # a correlated reference to the outer scope now and then
        corr = ""
        if scope and rnd.random() < 0.5:
            corr = f" AND {alias}.{rnd.choice(inner.columns)} = {self.column(scope)}"
            if len(scope) == 1:
                t = scope[0]
                corr = f" AND {alias}.{rnd.choice(inner.columns)} = " \
                       f"{t.name}.{rnd.choice(t.columns)}"
        where = f"WHERE ({self.expr(inner_scope, depth + 1)}){corr}"
        col = f"{alias}.{rnd.choice(inner.columns)}"
        kind = rnd.random()
        if kind < 0.35:
            f = rnd.choice(["max", "min", "count", "sum"])
            return f"(SELECT {f}({col}) FROM {inner.name} AS {alias} {where})"
        if kind < 0.65:
            neg = "NOT " if rnd.random() < 0.3 else ""
            return f"({self.expr(scope, depth)} {neg}IN (SELECT {col} FROM {inner.name} " \
                   f"AS {alias} {where}))"
        neg = "NOT " if rnd.random() < 0.3 else ""
        return f"({neg}EXISTS (SELECT 1 FROM {inner.name} AS {alias} {where}))"

    # -- statements ------------------------------------------------------
    def from_clause(self) -> tuple[str, list[Table]]:
        rnd = self.rnd
        pool = self.tables + self.views
        first = rnd.choice(pool)
        scope = [first]
        text = first.name
        if self.has("from_subquery") and rnd.random() < 0.1:
            cols = first.columns[: rnd.randint(1, len(first.columns))]
            where = self.expr([first], 1)
            sub = Table("sq", list(cols), [""] * len(cols))
            text = f"(SELECT {', '.join(cols)} FROM {first.name} WHERE {where}) AS sq"
            scope = [sub]
        elif self.has("cte") and rnd.random() < 0.12:
            # a common table expression in place of the first table
            cols = first.columns[: rnd.randint(1, len(first.columns))]
            names = [f"x{i}" for i in range(len(cols))]
            if rnd.random() < 0.3:
                # a recursive one: a counter joined to nothing else
                limit = rnd.randint(0, 6)
                union = rnd.choice(["UNION ALL", "UNION"])
                self.with_clause = (f"WITH RECURSIVE cq(x0) AS (SELECT {self.literal()} "
                                    f"{union} SELECT x0 + 1 FROM cq WHERE x0 < {limit}) ")
                names = ["x0"]
            else:
                mat = rnd.choice(["", "", "MATERIALIZED ", "NOT MATERIALIZED "])
                self.with_clause = (
                    f"WITH cq({', '.join(names)}) AS {mat}(SELECT {', '.join(cols)} "
                    f"FROM {first.name} WHERE {self.expr([first], 1)}) ")
            text = "cq"
            scope = [Table("cq", names, [""] * len(names))]
        chance = 0.45
        while self.has("join") and rnd.random() < chance:
            chance = 0.3     # a chain of joins: several outer joins at once
            used = {t.name for t in scope}
            others = [t for t in pool if t.name not in used]
            if not others:
                return text, scope
            other = rnd.choice(others)
            kinds = ["JOIN", "CROSS JOIN", ","]
            if self.has("left_join"):
                kinds += ["LEFT JOIN", "LEFT OUTER JOIN"]
            if self.has("right_join"):
                kinds += ["RIGHT JOIN", "FULL JOIN"]
            kind = rnd.choice(kinds)
            scope2 = scope + [other]
            if kind == ",":
                text += f", {other.name}"
            elif kind == "CROSS JOIN":
                text += f" CROSS JOIN {other.name}"
            else:
                text += f" {kind} {other.name} ON {self.expr(scope2, 1)}"
            scope = scope2
        return text, scope

    def select(self) -> tuple[str, bool]:
        """A SELECT and whether its ORDER BY fixes the row order."""
        rnd = self.rnd
        if self.has("compound") and rnd.random() < 0.12:
            return self.compound()
        self.with_clause = ""
        from_text, scope = self.from_clause()
        with_ = self.with_clause
        where = f" WHERE {self.expr(scope)}" if rnd.random() < 0.7 else ""
        if self.has("aggregate") and rnd.random() < 0.35:
            group_cols = []
            group = ""
            if self.has("group_by") and rnd.random() < 0.6:
                group_cols = [self.column(scope) for _ in range(rnd.randint(1, 2))]
                group = " GROUP BY " + ", ".join(group_cols)
            self.grouped = group_cols
            items = group_cols + [self.expr(scope, 1, agg=True) if rnd.random() < 0.3 else
                                  self.agg(scope) for _ in range(rnd.randint(1, 3))]
            self.grouped = []
            having = ""
            if group and rnd.random() < 0.3:
                having = f" HAVING {self.agg(scope)} {rnd.choice(['>', '<', '='])} " \
                         f"{rnd.randint(0, 5)}"
            sql = f"{with_}SELECT {', '.join(items)} FROM {from_text}{where}{group}{having}"
            return self.order_and_limit(sql, len(items))
        n = rnd.randint(1, 3)
        items = [self.expr(scope) for _ in range(n)]
        if self.has("window") and rnd.random() < 0.25:
            items[rnd.randrange(n)] = self.window_call(scope)
        distinct = "DISTINCT " if self.has("distinct") and rnd.random() < 0.15 else ""
        sql = f"{with_}SELECT {distinct}{', '.join(items)} FROM {from_text}{where}"
        return self.order_and_limit(sql, n)

    def window_call(self, scope: list[Table]) -> str:
        """A window function whose value does not depend on how rows that
        tie on the window's ORDER BY are ordered (peers share a frame under
        RANGE and GROUPS)."""
        rnd = self.rnd
        part = f"PARTITION BY {self.expr(scope, 2)} " if rnd.random() < 0.5 else ""
        order = f"ORDER BY {self.expr(scope, 2)}{rnd.choice(['', ' DESC'])}" \
            if rnd.random() < 0.8 else ""
        frame = ""
        if order and rnd.random() < 0.4:
            frame = rnd.choice([
                " GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW",
                " GROUPS BETWEEN CURRENT ROW AND 1 FOLLOWING",
                " RANGE BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING",
                " GROUPS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW EXCLUDE GROUP",
                " RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING EXCLUDE TIES",
            ])
        if order and rnd.random() < 0.4:
            f = rnd.choice(["rank()", "dense_rank()", "percent_rank()", "cume_dist()"])
            return f"{f} OVER ({part}{order})"
        f = rnd.choice(["sum", "count", "min", "max", "total", "avg"])
        arg = self.expr(scope, 2)
        filt = f" FILTER (WHERE {self.expr(scope, 2)})" if rnd.random() < 0.15 else ""
        return f"{f}({arg}){filt} OVER ({part}{order}{frame})"

    def agg(self, scope: list[Table]) -> str:
        f = self.rnd.choice(AGG_FUNCS)
        if f == "count" and self.rnd.random() < 0.3:
            return "count(*)"
        distinct = "DISTINCT " if self.rnd.random() < 0.15 else ""
        return f"{f}({distinct}{self.expr(scope, 2)})"

    def order_and_limit(self, sql: str, n: int) -> tuple[str, bool]:
        rnd = self.rnd
        if rnd.random() < 0.5:
            # ORDER BY every result column: a total order over distinct rows
            terms = [f"{i + 1}{rnd.choice(['', ' DESC', ' ASC'])}" for i in range(n)]
            sql += " ORDER BY " + ", ".join(terms)
            if self.has("limit") and rnd.random() < 0.4:
                sql += f" LIMIT {rnd.randint(0, 6)}"
                if rnd.random() < 0.4:
                    sql += f" OFFSET {rnd.randint(0, 3)}"
            return sql, True
        return sql, False

    def compound(self) -> tuple[str, bool]:
        rnd = self.rnd
        n = rnd.randint(1, 2)
        parts = []
        for _ in range(rnd.randint(2, 3)):
            t = rnd.choice(self.tables)
            cols = ", ".join(self.expr([t], 2) for _ in range(n))
            parts.append(f"SELECT {cols} FROM {t.name} WHERE {self.expr([t], 1)}")
        ops = ["UNION", "UNION ALL", "INTERSECT", "EXCEPT"]
        sql = parts[0]
        for p in parts[1:]:
            sql += f" {rnd.choice(ops)} {p}"
        if rnd.random() < 0.5:
            sql += " ORDER BY " + ", ".join(str(i + 1) for i in range(n))
            if rnd.random() < 0.3:
                sql += f" LIMIT {rnd.randint(0, 5)}"
            return sql, True
        return sql, False

    def write(self) -> str:
        sql = self._write()
        if self.has("returning") and self.rnd.random() < 0.25:
            t = next(t for t in self.tables if f" {t.name} " in f" {sql} ".replace("(", " "))
            items = ", ".join(self.expr([t], 2) for _ in range(self.rnd.randint(1, 2)))
            sql += f" RETURNING {items}"
        return sql

    def _write(self) -> str:
        rnd = self.rnd
        t = rnd.choice(self.tables)
        kind = rnd.random()
        if kind < 0.4:
            conflict = rnd.choice(["", "", "OR REPLACE ", "OR IGNORE "])
            vals = ", ".join(self.value() for _ in t.columns)
            return f"INSERT {conflict}INTO {t.name} VALUES({vals})"
        if kind < 0.5:
            src = rnd.choice(self.tables)
            cols = ", ".join(self.expr([src], 2) for _ in t.columns)
            return f"INSERT INTO {t.name} SELECT {cols} FROM {src.name} WHERE {self.expr([src], 1)}"
        if kind < 0.8:
            c = rnd.choice(t.columns)
            conflict = rnd.choice(["", "", "OR REPLACE ", "OR IGNORE "])
            return f"UPDATE {conflict}{t.name} SET {c} = {self.expr([t], 1)} " \
                   f"WHERE {self.expr([t], 1)}"
        return f"DELETE FROM {t.name} WHERE {self.expr([t], 1)}"


# -- running --------------------------------------------------------------

def outcome(con: Any, sql: str, ordered: bool) -> tuple[Any, ...]:
    try:
        rows = con.execute(sql).fetchall()
    except Exception as e:  # noqa: BLE001 - the error is the outcome
        if not isinstance(e, (sqlite3.Error, pyrite.Error)):
            return ("crash", type(e).__name__, str(e))
        return ("error", type(e).__name__, str(e))
    typed = [tuple((type(v).__name__, v) for v in r) for r in rows]
    if not ordered:
        typed.sort(key=repr)
        return ("rows", typed)
    # ORDER BY every column orders distinct rows totally, except that an
    # integer and a real of equal value (3 and 3.0) tie: the order is
    # compared with numbers as reals, the typed rows as a multiset.
    order = [tuple(float(v) if type(v) in (int, float) else v for v in r) for r in rows]
    return ("rows", sorted(typed, key=repr), order)


def snapshot(con: Any, tables: Iterable[str]) -> tuple[Any, ...]:
    return tuple(outcome(con, f"SELECT * FROM {t}", False) for t in tables)


@dataclass
class Mismatch:
    script: list[tuple[str, bool]]
    index: int
    pyrite: Any
    sqlite: Any

    def text(self) -> str:
        lines = [sql + ";" for sql, _ in self.script]
        return "\n".join(lines)


def run_script(script: list[tuple[str, bool]], tables: list[str]) -> Mismatch | None:
    """Run each (sql, ordered) on both engines; the first disagreement."""
    mine = pyrite.connect(":memory:")
    theirs = sqlite3.connect(":memory:")
    try:
        for i, (sql, ordered) in enumerate(script):
            a = outcome(mine, sql, ordered)
            b = outcome(theirs, sql, ordered)
            if a != b:
                return Mismatch(script[: i + 1], i, a, b)
            if not sql.lstrip().upper().startswith("SELECT"):
                sa = snapshot(mine, tables)
                sb = snapshot(theirs, tables)
                if sa != sb:
                    return Mismatch(script[: i + 1], i, sa, sb)
    finally:
        mine.close()
        theirs.close()
    return None


def generate(seed: int, n_statements: int, features: frozenset[str]) -> tuple[
        list[tuple[str, bool]], list[str]]:
    g = Gen(random.Random(seed), features)
    script: list[tuple[str, bool]] = [(s, True) for s in g.schema()]
    for _ in range(n_statements):
        if g.has("write") and g.rnd.random() < 0.2:
            script.append((g.write(), True))
        else:
            script.append(g.select())
    return script, [t.name for t in g.tables]


def minimise(m: Mismatch, tables: list[str]) -> Mismatch:
    """Drop statements one at a time while the script still mismatches."""
    script = list(m.script)
    i = len(script) - 2
    while i >= 0:
        trial = script[:i] + script[i + 1:]
        r = run_script(trial, tables)
        if r is not None:
            script = list(r.script)
            i = min(i, len(script) - 2)
        i -= 1
    return run_script(script, tables) or m


def fuzz_seed(seed: int, n_statements: int,
              features: frozenset[str] = DEFAULT_FEATURES) -> Mismatch | None:
    script, tables = generate(seed, n_statements, features)
    m = run_script(script, tables)
    return minimise(m, tables) if m is not None else None


def load_regressions(path: Any) -> list[tuple[str, list[str]]]:
    """regressions.sql: cases separated by lines ``-- case: <name>``;
    statements end with ``;`` at the end of a line."""
    cases: list[tuple[str, list[str]]] = []
    name = None
    buf: list[str] = []
    stmts: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("-- case:"):
            if name is not None:
                cases.append((name, stmts))
            name, stmts, buf = line.split(":", 1)[1].strip(), [], []
            continue
        if line.startswith("--") or not line.strip():
            continue
        buf.append(line)
        if line.rstrip().endswith(";"):
            stmts.append("\n".join(buf).rstrip().rstrip(";"))
            buf = []
    if name is not None:
        cases.append((name, stmts))
    return cases


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=None, help="first seed (default: time)")
    ap.add_argument("--statements", type=int, default=40)
    ap.add_argument("--features", default=",".join(sorted(DEFAULT_FEATURES)))
    ap.add_argument("--stop", action="store_true", help="stop at the first mismatch")
    args = ap.parse_args(argv)
    features = frozenset(f for f in args.features.split(",") if f)
    unknown = features - ALL_FEATURES
    if unknown:
        ap.error(f"unknown features: {', '.join(sorted(unknown))}")
    seed = args.seed if args.seed is not None else int(time.time())
    deadline = time.monotonic() + args.seconds
    runs = found = 0
    while time.monotonic() < deadline:
        m = fuzz_seed(seed, args.statements, features)
        runs += 1
        if m is not None:
            found += 1
            print(f"-- case: seed {seed}\n{m.text()}\n-- pyrite: {m.pyrite!r}\n"
                  f"-- sqlite3: {m.sqlite!r}\n", flush=True)
            if args.stop:
                break
        seed += 1
    print(f"{runs} scripts, {found} mismatches", file=sys.stderr)
    return 1 if found else 0


ReportFn = Callable[[Mismatch], None]

if __name__ == "__main__":
    sys.exit(main())
