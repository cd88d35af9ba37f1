"""Small local harness for the query compiler tests.

Until the real ProgramBuilder and engine run, queries are compiled with a
recording builder against schema objects built from CREATE statements, and
the emitted opcode names are compared with stdlib sqlite3's EXPLAIN.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from pyrite import values
from pyrite.compile.context import Parse, SelectDest, SRT_OUTPUT
from pyrite.compile.select import compile_select
from pyrite.schema.schema import Column, Index, Table
from pyrite.sql import ast
from pyrite.sql.parser import parse as parse_sql


class RecordingBuilder:
    """Implements the ProgramBuilder calls the compiler makes, recording them."""

    def __init__(self) -> None:
        self.ops: list[list[Any]] = []
        self.labels: dict[int, int | None] = {}
        self.n_reg = 0
        self.n_cur = 0

    def label(self) -> int:
        lab = -(len(self.labels) + 1)
        self.labels[lab] = None
        return lab

    def resolve(self, label: int) -> None:
        self.labels[label] = len(self.ops)

    def emit(self, opname, p1=0, p2=0, p3=0, p4=None, p5=0, comment=None) -> int:
        self.ops.append([opname, p1, p2, p3, p4, p5])
        return len(self.ops) - 1

    def alloc_register(self, n: int = 1) -> int:
        first = self.n_reg + 1
        self.n_reg += n
        return first

    def alloc_cursor(self) -> int:
        self.n_cur += 1
        return self.n_cur - 1

    def current_addr(self) -> int:
        return len(self.ops)

    def change_p2(self, addr: int, value: int) -> None:
        self.ops[addr][2] = value

    def change_p4(self, addr: int, value: Any) -> None:
        self.ops[addr][4] = value

    def finish(self) -> list[list[Any]]:
        for op in self.ops:
            if isinstance(op[2], int) and op[2] < 0:
                op[2] = self.labels[op[2]]
        return self.ops


class FakeDb:
    """Compile-time view of a connection built from CREATE statements."""

    def __init__(self, ddl: str) -> None:
        self.tables: dict[str, Table] = {}
        root = 2
        for stmt in parse_sql(ddl):
            if isinstance(stmt, ast.CreateTable):
                cols = []
                ipk = -1
                for i, cd in enumerate(stmt.columns):
                    coll = None
                    pk = False
                    for c in cd.constraints:
                        if isinstance(c, ast.CollateConstraint):
                            coll = c.collation
                        if isinstance(c, ast.PrimaryKeyConstraint):
                            pk = True
                    if pk and cd.type_name and cd.type_name.upper() == "INTEGER":
                        ipk = i
                    cols.append(Column(cd.name, cd.type_name,
                                       values.affinity_of_type(cd.type_name), coll,
                                       primary_key=pk))
                t = Table(stmt.name, cols, root, ipk)
                root += 1
                self.tables[stmt.name.lower()] = t
            elif isinstance(stmt, ast.CreateIndex):
                t = self.tables[stmt.table.lower()]
                idx_cols = [t.column_index(ic.expr.name) for ic in stmt.columns]
                colls = [ic.collation or t.columns[c].collation or "BINARY"
                         for ic, c in zip(stmt.columns, idx_cols)]
                ix = Index(stmt.name, t, idx_cols + [-1], colls + ["BINARY"],
                           [ic.desc for ic in stmt.columns] + [False], len(idx_cols),
                           unique=stmt.unique, root=root)
                root += 1
                t.indexes.append(ix)

    def find_table(self, name: str, schema: str | None = None) -> Table | None:
        return self.tables.get(name.lower())

    def db_name(self, db_index: int) -> str:
        return "main" if db_index == 0 else "temp"


def compile_query(ddl: str, sql: str, explain: int = 0) -> list[list[Any]]:
    builder = RecordingBuilder()
    parse = Parse(builder, FakeDb(ddl))
    parse.is_explain = explain
    parse.begin_coding()
    (stmt,) = parse_sql(sql)
    assert isinstance(stmt, ast.SelectStatement)
    compile_select(parse, stmt.select, SelectDest(SRT_OUTPUT))
    parse.finish_coding()
    return builder.finish()


def sqlite_explain(ddl: str, sql: str) -> list[tuple]:
    con = sqlite3.connect(":memory:")
    con.executescript(ddl)
    return [tuple(r[1:6]) for r in con.execute("EXPLAIN " + sql)]


def run_query(ddl: str, data_sql: str, sql: str, params: tuple = ()) -> list[tuple]:
    """Run ``sql`` on Pyrite over the rows that ``data_sql`` inserts."""
    import pyrite
    con = pyrite.connect(":memory:")
    con.executescript(ddl + ";" + data_sql)
    return con.execute(sql, params).fetchall()


def sqlite_rows(ddl: str, data_sql: str, sql: str, params: tuple = ()) -> list[tuple]:
    con = sqlite3.connect(":memory:")
    con.executescript(ddl + ";" + data_sql)
    return con.execute(sql, params).fetchall()
