"""SQL front end: the recursive-descent parser (SQLite's ``parse.y``).

Parses one statement at a time into the AST of :mod:`pyrite.sql.ast`.
Binary operators are parsed by precedence climbing in a loop, so long chains
(``1+1+1+...``) do not recurse; nesting depth is limited to SQLite's maximum
expression depth of 1000 and reported with SQLite's message.

Errors are worded as SQLite's parser words them: ``near "X": syntax error``
(X being the offending token) or ``incomplete input`` at the end of the text.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from pyrite.errors import SQLITE_ERROR, raise_error
from pyrite.sql import ast
from pyrite.sql.lexer import Token, tokenize

MAX_EXPR_DEPTH = 1000

# Parsing 1000 nested levels takes a few Python frames per level.
if sys.getrecursionlimit() < 20000:
    sys.setrecursionlimit(20000)

# Keywords that may stand for an identifier (parse.y's %fallback ID, plus the
# join keywords and LIKE_KW/CTIME_KW groups that nm/id rules accept).
FALLBACK = frozenset("""
ABORT ACTION AFTER ANALYZE ASC ATTACH BEFORE BEGIN BY CASCADE CAST COLUMN
CONFLICT DATABASE DEFERRED DESC DETACH DO EACH END EXCLUSIVE EXPLAIN FAIL FOR
IGNORE IMMEDIATE INITIALLY INSTEAD LIKE GLOB REGEXP MATCH NO PLAN QUERY KEY OF
OFFSET PRAGMA RAISE RECURSIVE RELEASE REPLACE RESTRICT ROW ROWS SAVEPOINT TEMP
TEMPORARY TRIGGER VACUUM VIEW VIRTUAL WITH WITHOUT NULLS FIRST LAST CURRENT
FOLLOWING PARTITION PRECEDING RANGE UNBOUNDED EXCLUDE GROUPS OTHERS TIES
GENERATED ALWAYS MATERIALIZED REINDEX RENAME IF CURRENT_DATE CURRENT_TIME
CURRENT_TIMESTAMP
""".split())
JOIN_KW = frozenset("LEFT RIGHT FULL INNER CROSS NATURAL OUTER".split())

CONFLICT_ACTIONS = ("ROLLBACK", "ABORT", "FAIL", "IGNORE", "REPLACE")

# Binary operator precedence (higher binds tighter).
_PREC_OR, _PREC_AND, _PREC_NOT, _PREC_EQ, _PREC_CMP = 1, 2, 3, 4, 5
_PREC_BIT, _PREC_ADD, _PREC_MUL, _PREC_CONCAT = 7, 8, 9, 10
_BINOPS = {
    "OR": (_PREC_OR, "OR"), "AND": (_PREC_AND, "AND"),
    "=": (_PREC_EQ, "="), "==": (_PREC_EQ, "="), "!=": (_PREC_EQ, "!="), "<>": (_PREC_EQ, "!="),
    "<": (_PREC_CMP, "<"), "<=": (_PREC_CMP, "<="), ">": (_PREC_CMP, ">"), ">=": (_PREC_CMP, ">="),
    "&": (_PREC_BIT, "&"), "|": (_PREC_BIT, "|"), "<<": (_PREC_BIT, "<<"), ">>": (_PREC_BIT, ">>"),
    "+": (_PREC_ADD, "+"), "-": (_PREC_ADD, "-"),
    "*": (_PREC_MUL, "*"), "/": (_PREC_MUL, "/"), "%": (_PREC_MUL, "%"),
    "||": (_PREC_CONCAT, "||"), "->": (_PREC_CONCAT, "->"), "->>": (_PREC_CONCAT, "->>"),
}


@dataclass(frozen=True, slots=True)
class ParsedStatement:
    """A statement and where it lies in the SQL text."""

    statement: ast.Statement
    start: int
    end: int
    tail: int


class Parser:
    """Parses statements from one SQL string."""

    def __init__(self, sql: str, offset: int = 0) -> None:
        self.sql = sql
        self.tokens = tokenize(sql, offset)
        self.pos = 0
        self.depth = 0
        self.in_trigger = False

    # -- token helpers ------------------------------------------------------

    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def peek(self, k: int = 1) -> Token:
        i = self.pos + k
        return self.tokens[i] if i < len(self.tokens) else self.tokens[-1]

    def advance(self) -> Token:
        t = self.tokens[self.pos]
        if t.kind != "EOF":
            self.pos += 1
        return t

    def error(self, tok: Token | None = None) -> None:
        t = tok or self.tok
        if t.kind == "EOF":
            raise_error(SQLITE_ERROR, "incomplete input")
        raise_error(SQLITE_ERROR, f'near "{self.sql[t.start:t.end]}": syntax error')

    def at_kw(self, *words: str) -> bool:
        t = self.tokens[self.pos]
        return t.kind == "KEYWORD" and t.value in words

    def at_op(self, *ops: str) -> bool:
        t = self.tokens[self.pos]
        return t.kind == "OP" and t.value in ops

    def accept_kw(self, *words: str) -> str | None:
        t = self.tokens[self.pos]
        if t.kind == "KEYWORD" and t.value in words:
            self.pos += 1
            return t.value
        return None

    def accept_op(self, op: str) -> bool:
        t = self.tokens[self.pos]
        if t.kind == "OP" and t.value == op:
            self.pos += 1
            return True
        return False

    def expect_kw(self, word: str) -> None:
        if not self.accept_kw(word):
            self.error()

    def expect_op(self, op: str) -> None:
        if not self.accept_op(op):
            self.error()

    def at_name(self) -> bool:
        t = self.tok
        return t.kind == "ID" or (t.kind == "KEYWORD" and (t.value in FALLBACK or t.value in JOIN_KW))

    def name(self, allow_string: bool = True) -> str:
        """An identifier (nm): ID, a fallback keyword, a join keyword, or a string."""
        t = self.tok
        if t.kind == "ID" or (t.kind == "KEYWORD" and (t.value in FALLBACK or t.value in JOIN_KW)):
            self.pos += 1
            return t.value if t.kind == "ID" else self.sql[t.start:t.end]
        if allow_string and t.kind == "STRING":
            self.pos += 1
            return t.value
        self.error()
        raise AssertionError

    def qualified_name(self) -> tuple[str | None, str]:
        first = self.name()
        if self.accept_op("."):
            return first, self.name()
        return None, first

    def text(self, start: int, end_pos: int) -> str:
        """Source text from token index ``start`` up to token index ``end_pos`` (exclusive)."""
        if end_pos <= start:
            return ""
        return self.sql[self.tokens[start].start:self.tokens[end_pos - 1].end]

    # -- statements -----------------------------------------------------------

    def parse_statement(self) -> ast.Statement:
        if self.at_kw("EXPLAIN"):
            self.advance()
            qp = False
            if self.accept_kw("QUERY"):
                self.expect_kw("PLAN")
                qp = True
            return ast.Explain(self.parse_statement_body(), qp)
        return self.parse_statement_body()

    def parse_statement_body(self) -> ast.Statement:
        t = self.tok
        if t.kind != "KEYWORD":
            self.error()
        v = t.value
        if v in ("SELECT", "VALUES"):
            return ast.SelectStatement(self.parse_select())
        if v == "WITH":
            with_ = self.parse_with()
            if self.at_kw("SELECT", "VALUES"):
                return ast.SelectStatement(self.parse_select(with_))
            if self.at_kw("INSERT", "REPLACE"):
                return self.parse_insert(with_)
            if self.at_kw("UPDATE"):
                return self.parse_update(with_)
            if self.at_kw("DELETE"):
                return self.parse_delete(with_)
            self.error()
        if v in ("INSERT", "REPLACE"):
            return self.parse_insert(None)
        if v == "UPDATE":
            return self.parse_update(None)
        if v == "DELETE":
            return self.parse_delete(None)
        if v == "CREATE":
            return self.parse_create()
        if v == "DROP":
            return self.parse_drop()
        if v == "BEGIN":
            self.advance()
            mode = self.accept_kw("DEFERRED", "IMMEDIATE", "EXCLUSIVE")
            self.accept_kw("TRANSACTION")
            return ast.Begin(mode)
        if v in ("COMMIT", "END"):
            self.advance()
            self.accept_kw("TRANSACTION")
            return ast.Commit()
        if v == "ROLLBACK":
            self.advance()
            self.accept_kw("TRANSACTION")
            sp = None
            if self.accept_kw("TO"):
                self.accept_kw("SAVEPOINT")
                sp = self.name()
            return ast.Rollback(sp)
        if v == "SAVEPOINT":
            self.advance()
            return ast.Savepoint(self.name())
        if v == "RELEASE":
            self.advance()
            self.accept_kw("SAVEPOINT")
            return ast.Release(self.name())
        if v == "PRAGMA":
            return self.parse_pragma()
        if v == "ALTER":
            return self.parse_alter()
        if v == "ATTACH":
            self.advance()
            self.accept_kw("DATABASE")
            e = self.parse_expr()
            self.expect_kw("AS")
            alias = self.parse_expr()
            key = None
            if self.accept_kw("KEY"):
                key = self.parse_expr()
            return ast.Attach(e, alias, key)
        if v == "DETACH":
            self.advance()
            self.accept_kw("DATABASE")
            return ast.Detach(self.parse_expr())
        if v == "VACUUM":
            self.advance()
            schema = None
            if self.at_name() and not self.at_kw("INTO"):
                schema = self.name()
            into = None
            if self.accept_kw("INTO"):
                into = self.parse_expr()
            return ast.Vacuum(schema, into)
        if v == "ANALYZE":
            self.advance()
            if self.at_name():
                s, n = self.qualified_name()
                return ast.Analyze(n, s)
            return ast.Analyze()
        if v == "REINDEX":
            self.advance()
            if self.at_name():
                s, n = self.qualified_name()
                return ast.Reindex(n, s)
            return ast.Reindex()
        self.error()
        raise AssertionError

    # -- SELECT -------------------------------------------------------------

    def parse_with(self) -> ast.With:
        self.expect_kw("WITH")
        recursive = bool(self.accept_kw("RECURSIVE"))
        ctes = []
        while True:
            name = self.name()
            cols = None
            if self.accept_op("("):
                cols = self.name_list()
                self.expect_op(")")
            self.expect_kw("AS")
            mat = None
            if self.accept_kw("NOT"):
                self.expect_kw("MATERIALIZED")
                mat = False
            elif self.accept_kw("MATERIALIZED"):
                mat = True
            self.expect_op("(")
            sel = self.parse_select()
            self.expect_op(")")
            ctes.append(ast.CommonTableExpr(name, sel, cols, mat))
            if not self.accept_op(","):
                break
        return ast.With(tuple(ctes), recursive)

    def name_list(self) -> tuple[str, ...]:
        names = [self.name()]
        while self.accept_op(","):
            names.append(self.name())
        return tuple(names)

    def parse_select(self, with_: ast.With | None = None) -> ast.Select:
        if with_ is None and self.at_kw("WITH"):
            with_ = self.parse_with()
        self.depth += 1
        if self.depth > MAX_EXPR_DEPTH:
            raise_error(SQLITE_ERROR, f"Expression tree is too large (maximum depth {MAX_EXPR_DEPTH})")
        core = self.parse_select_core()
        compounds = []
        while True:
            if self.accept_kw("UNION"):
                op = "UNION ALL" if self.accept_kw("ALL") else "UNION"
            elif self.accept_kw("INTERSECT"):
                op = "INTERSECT"
            elif self.accept_kw("EXCEPT"):
                op = "EXCEPT"
            else:
                break
            if isinstance(core, ast.SelectCore) and False:
                pass
            compounds.append((op, self.parse_select_core()))
        order_by: tuple[ast.OrderingTerm, ...] = ()
        limit = offset = None
        if self.accept_kw("ORDER"):
            self.expect_kw("BY")
            order_by = self.ordering_terms()
        if self.accept_kw("LIMIT"):
            limit = self.parse_expr()
            if self.accept_kw("OFFSET"):
                offset = self.parse_expr()
            elif self.accept_op(","):
                offset, limit = limit, self.parse_expr()
        if compounds and (self.at_kw("UNION", "INTERSECT", "EXCEPT")):
            word = "ORDER BY" if order_by and limit is None else "LIMIT"
            raise_error(SQLITE_ERROR, f"{word} clause should come after {self.tok.value} not before")
        self.depth -= 1
        return ast.Select(core, tuple(compounds), order_by, limit, offset, with_)

    def ordering_terms(self) -> tuple[ast.OrderingTerm, ...]:
        terms = []
        while True:
            e = self.parse_expr()
            desc = False
            if self.accept_kw("DESC"):
                desc = True
            else:
                self.accept_kw("ASC")
            nulls = None
            if self.accept_kw("NULLS"):
                nulls = self.accept_kw("FIRST", "LAST")
                if nulls is None:
                    self.error()
            terms.append(ast.OrderingTerm(e, desc, nulls))
            if not self.accept_op(","):
                return tuple(terms)

    def parse_select_core(self) -> ast.SelectCore | ast.Values:
        if self.accept_kw("VALUES"):
            rows = []
            while True:
                self.expect_op("(")
                rows.append(self.expr_list())
                self.expect_op(")")
                if not self.accept_op(","):
                    break
            n = len(rows[0])
            for r in rows:
                if len(r) != n:
                    raise_error(SQLITE_ERROR, "all VALUES must have the same number of terms")
            return ast.Values(tuple(rows))
        self.expect_kw("SELECT")
        distinct = False
        if self.accept_kw("DISTINCT"):
            distinct = True
        else:
            self.accept_kw("ALL")
        columns = [self.result_column()]
        while self.accept_op(","):
            columns.append(self.result_column())
        from_ = None
        if self.accept_kw("FROM"):
            from_ = self.parse_from()
        where = self.parse_expr() if self.accept_kw("WHERE") else None
        group_by: tuple[ast.Expr, ...] = ()
        having = None
        if self.accept_kw("GROUP"):
            self.expect_kw("BY")
            group_by = self.expr_list()
            if self.accept_kw("HAVING"):
                having = self.parse_expr()
        elif self.accept_kw("HAVING"):
            having = self.parse_expr()
        windows = []
        if self.accept_kw("WINDOW"):
            while True:
                wname = self.name()
                self.expect_kw("AS")
                windows.append(ast.NamedWindow(wname, self.window_spec()))
                if not self.accept_op(","):
                    break
        return ast.SelectCore(tuple(columns), distinct, from_, where, group_by, having, tuple(windows))

    def result_column(self) -> ast.ResultColumn:
        if self.accept_op("*"):
            return ast.ResultColumn(None, star=True, text="*")
        t = self.tok
        if self.at_name() and self.peek().kind == "OP" and self.peek().value == "." \
                and self.peek(2).kind == "OP" and self.peek(2).value == "*":
            table = self.name()
            self.advance()
            self.advance()
            return ast.ResultColumn(None, star=True, table=table, text=f"{table}.*")
        start = self.pos
        e = self.parse_expr()
        text = self.text(start, self.pos)
        alias = None
        if self.accept_kw("AS"):
            alias = self.name()
        elif self.tok.kind == "ID" or (self.tok.kind == "STRING") or (
                self.tok.kind == "KEYWORD" and self.tok.value in FALLBACK):
            alias = self.name()
        del t
        return ast.ResultColumn(e, alias, text=text)

    def parse_from(self) -> ast.FromItem:
        left = self.table_or_subquery()
        while True:
            if self.accept_op(","):
                right = self.table_or_subquery()
                left = ast.Join(left, right, ",")
                continue
            natural = False
            op = None
            start = self.pos
            if self.accept_kw("NATURAL"):
                natural = True
            if self.accept_kw("LEFT"):
                self.accept_kw("OUTER")
                op = "LEFT"
            elif self.accept_kw("RIGHT"):
                self.accept_kw("OUTER")
                op = "RIGHT"
            elif self.accept_kw("FULL"):
                self.accept_kw("OUTER")
                op = "FULL"
            elif self.accept_kw("INNER"):
                op = "INNER"
            elif self.accept_kw("CROSS"):
                op = "CROSS"
            elif self.at_kw("OUTER"):
                raise_error(SQLITE_ERROR, "unknown join type: OUTER")
            if self.accept_kw("JOIN"):
                op = op or "INNER"
            elif op is not None or natural:
                self.pos = start
                self.error(self.tokens[start])
            else:
                return left
            right = self.table_or_subquery()
            on = None
            using = None
            if self.accept_kw("ON"):
                on = self.parse_expr()
            elif self.accept_kw("USING"):
                self.expect_op("(")
                using = self.name_list()
                self.expect_op(")")
            left = ast.Join(left, right, op, natural, on, using)

    def table_or_subquery(self) -> ast.FromItem:
        if self.accept_op("("):
            if self.at_kw("SELECT", "VALUES", "WITH"):
                sel = self.parse_select()
                self.expect_op(")")
                alias = self.opt_alias()
                return ast.SubqueryRef(sel, alias)
            inner = self.parse_from()
            self.expect_op(")")
            alias = self.opt_alias()
            if alias is not None and isinstance(inner, (ast.TableRef,)):
                inner = ast.TableRef(inner.name, inner.schema, alias, inner.indexed_by, inner.not_indexed)
            return inner
        schema, name = self.qualified_name()
        if self.accept_op("("):
            args = () if self.at_op(")") else self.expr_list()
            self.expect_op(")")
            alias = self.opt_alias()
            return ast.TableFunctionRef(name, args, schema, alias)
        alias = self.opt_alias()
        indexed_by = None
        not_indexed = False
        if self.accept_kw("INDEXED"):
            self.expect_kw("BY")
            indexed_by = self.name()
        elif self.at_kw("NOT") and self.peek().kind == "KEYWORD" and self.peek().value == "INDEXED":
            self.advance()
            self.advance()
            not_indexed = True
        return ast.TableRef(name, schema, alias, indexed_by, not_indexed)

    def opt_alias(self) -> str | None:
        if self.accept_kw("AS"):
            return self.name()
        t = self.tok
        if t.kind == "ID" or t.kind == "STRING" or (t.kind == "KEYWORD" and t.value in FALLBACK):
            return self.name()
        return None

    def window_spec(self) -> ast.WindowSpec:
        self.expect_op("(")
        base = None
        if self.at_name() and not self.at_kw("PARTITION", "ROWS", "RANGE", "GROUPS"):
            base = self.name()
        partition: tuple[ast.Expr, ...] = ()
        order: tuple[ast.OrderingTerm, ...] = ()
        if self.accept_kw("PARTITION"):
            self.expect_kw("BY")
            partition = self.expr_list()
        if self.accept_kw("ORDER"):
            self.expect_kw("BY")
            order = self.ordering_terms()
        frame = None
        units = self.accept_kw("ROWS", "RANGE", "GROUPS")
        if units:
            if self.accept_kw("BETWEEN"):
                start = self.frame_bound()
                self.expect_kw("AND")
                end = self.frame_bound()
            else:
                start = self.frame_bound()
                end = None
            exclude = None
            if self.accept_kw("EXCLUDE"):
                if self.accept_kw("NO"):
                    self.expect_kw("OTHERS")
                    exclude = "NO OTHERS"
                elif self.accept_kw("CURRENT"):
                    self.expect_kw("ROW")
                    exclude = "CURRENT ROW"
                elif self.accept_kw("GROUP"):
                    exclude = "GROUP"
                elif self.accept_kw("TIES"):
                    exclude = "TIES"
                else:
                    self.error()
            frame = ast.Frame(units, start, end, exclude)
        self.expect_op(")")
        return ast.WindowSpec(base, partition, order, frame)

    def frame_bound(self) -> ast.FrameBound:
        if self.accept_kw("UNBOUNDED"):
            k = self.accept_kw("PRECEDING", "FOLLOWING")
            if not k:
                self.error()
            return ast.FrameBound(f"UNBOUNDED {k}")
        if self.accept_kw("CURRENT"):
            self.expect_kw("ROW")
            return ast.FrameBound("CURRENT ROW")
        e = self.parse_expr()
        k = self.accept_kw("PRECEDING", "FOLLOWING")
        if not k:
            self.error()
        return ast.FrameBound(k, e)

    # -- DML ----------------------------------------------------------------

    def conflict_clause(self) -> str | None:
        if self.accept_kw("OR"):
            v = self.accept_kw(*CONFLICT_ACTIONS)
            if not v:
                self.error()
            return v
        return None

    def parse_insert(self, with_: ast.With | None) -> ast.Insert:
        if self.accept_kw("REPLACE"):
            or_ = "REPLACE"
        else:
            self.expect_kw("INSERT")
            or_ = self.conflict_clause()
        self.expect_kw("INTO")
        schema, name = self.qualified_name()
        alias = None
        if self.accept_kw("AS"):
            alias = self.name()
        columns = None
        if self.accept_op("("):
            columns = self.name_list()
            self.expect_op(")")
        select = None
        default_values = False
        if self.accept_kw("DEFAULT"):
            self.expect_kw("VALUES")
            default_values = True
        elif self.at_kw("SELECT", "VALUES", "WITH"):
            select = self.parse_select()
        else:
            self.error()
        upserts = []
        while self.at_kw("ON") and select is not None or (self.at_kw("ON") and default_values):
            if default_values:
                self.error()
            self.advance()
            self.expect_kw("CONFLICT")
            target = None
            twhere = None
            if self.accept_op("("):
                target = self.indexed_columns()
                self.expect_op(")")
                if self.accept_kw("WHERE"):
                    twhere = self.parse_expr()
            self.expect_kw("DO")
            if self.accept_kw("NOTHING"):
                upserts.append(ast.Upsert(target, twhere, "NOTHING"))
            else:
                self.expect_kw("UPDATE")
                self.expect_kw("SET")
                sets = self.set_clauses()
                where = self.parse_expr() if self.accept_kw("WHERE") else None
                upserts.append(ast.Upsert(target, twhere, "UPDATE", sets, where))
        returning = self.returning()
        return ast.Insert(ast.QualifiedName(name, schema), columns, select, default_values, or_,
                          alias, tuple(upserts), returning, with_)

    def returning(self) -> tuple[ast.ResultColumn, ...]:
        if not self.accept_kw("RETURNING"):
            return ()
        cols = [self.result_column()]
        while self.accept_op(","):
            cols.append(self.result_column())
        return tuple(cols)

    def set_clauses(self) -> tuple[ast.SetClause, ...]:
        sets = []
        while True:
            if self.accept_op("("):
                cols = self.name_list()
                self.expect_op(")")
            else:
                cols = (self.name(),)
            self.expect_op("=")
            sets.append(ast.SetClause(cols, self.parse_expr()))
            if not self.accept_op(","):
                return tuple(sets)

    def qualified_table(self) -> ast.TableRef:
        schema, name = self.qualified_name()
        alias = None
        if self.accept_kw("AS"):
            alias = self.name()
        elif self.tok.kind == "ID":
            alias = self.name()
        indexed_by = None
        not_indexed = False
        if self.accept_kw("INDEXED"):
            self.expect_kw("BY")
            indexed_by = self.name()
        elif self.at_kw("NOT"):
            self.advance()
            self.expect_kw("INDEXED")
            not_indexed = True
        return ast.TableRef(name, schema, alias, indexed_by, not_indexed)

    def tail_order_limit(self) -> tuple[tuple[ast.OrderingTerm, ...], ast.Expr | None, ast.Expr | None]:
        order: tuple[ast.OrderingTerm, ...] = ()
        limit = offset = None
        if self.accept_kw("ORDER"):
            self.expect_kw("BY")
            order = self.ordering_terms()
        if self.accept_kw("LIMIT"):
            limit = self.parse_expr()
            if self.accept_kw("OFFSET"):
                offset = self.parse_expr()
            elif self.accept_op(","):
                offset, limit = limit, self.parse_expr()
        return order, limit, offset

    def parse_update(self, with_: ast.With | None) -> ast.Update:
        self.expect_kw("UPDATE")
        or_ = self.conflict_clause()
        table = self.qualified_table()
        self.expect_kw("SET")
        sets = self.set_clauses()
        from_ = self.parse_from() if self.accept_kw("FROM") else None
        where = self.parse_expr() if self.accept_kw("WHERE") else None
        returning = self.returning()
        order, limit, offset = self.tail_order_limit()
        return ast.Update(table, sets, from_, where, or_, returning, order, limit, offset, with_)

    def parse_delete(self, with_: ast.With | None) -> ast.Delete:
        self.expect_kw("DELETE")
        self.expect_kw("FROM")
        table = self.qualified_table()
        where = self.parse_expr() if self.accept_kw("WHERE") else None
        returning = self.returning()
        order, limit, offset = self.tail_order_limit()
        return ast.Delete(table, where, returning, order, limit, offset, with_)

    # -- DDL ------------------------------------------------------------------

    def if_not_exists(self) -> bool:
        if self.accept_kw("IF"):
            self.expect_kw("NOT")
            self.expect_kw("EXISTS")
            return True
        return False

    def parse_create(self) -> ast.Statement:
        self.expect_kw("CREATE")
        temp = bool(self.accept_kw("TEMP", "TEMPORARY"))
        if self.accept_kw("TABLE"):
            return self.parse_create_table(temp)
        if self.accept_kw("VIEW"):
            ine = self.if_not_exists()
            schema, name = self.qualified_name()
            cols = None
            if self.accept_op("("):
                cols = self.name_list()
                self.expect_op(")")
            self.expect_kw("AS")
            return ast.CreateView(name, self.parse_select(), cols, schema, temp, ine)
        if self.accept_kw("TRIGGER"):
            return self.parse_create_trigger(temp)
        if temp:
            self.error()
        unique = bool(self.accept_kw("UNIQUE"))
        if self.accept_kw("INDEX"):
            ine = self.if_not_exists()
            schema, name = self.qualified_name()
            self.expect_kw("ON")
            table = self.name()
            self.expect_op("(")
            cols = self.indexed_columns()
            self.expect_op(")")
            where = self.parse_expr() if self.accept_kw("WHERE") else None
            return ast.CreateIndex(name, table, cols, schema, unique, ine, where)
        if unique:
            self.error()
        if self.accept_kw("VIRTUAL"):
            self.expect_kw("TABLE")
            ine = self.if_not_exists()
            schema, name = self.qualified_name()
            self.expect_kw("USING")
            module = self.name()
            args: list[str] = []
            if self.accept_op("("):
                depth = 0
                start = self.pos
                while True:
                    t = self.tok
                    if t.kind == "EOF":
                        self.error()
                    if t.kind == "OP" and t.value == "(":
                        depth += 1
                    elif t.kind == "OP" and t.value == ")":
                        if depth == 0:
                            if self.pos > start:
                                args.append(self.text(start, self.pos))
                            self.advance()
                            break
                        depth -= 1
                    elif t.kind == "OP" and t.value == "," and depth == 0:
                        args.append(self.text(start, self.pos))
                        self.advance()
                        start = self.pos
                        continue
                    self.advance()
            return ast.CreateVirtualTable(name, module, tuple(args), schema, ine)
        self.error()
        raise AssertionError

    def indexed_columns(self) -> tuple[ast.IndexedColumn, ...]:
        cols = []
        while True:
            e = self.parse_expr()
            coll = None
            if isinstance(e, ast.Collate):
                coll = e.collation
                e = e.expr
            desc = False
            if self.accept_kw("DESC"):
                desc = True
            else:
                self.accept_kw("ASC")
            cols.append(ast.IndexedColumn(e, coll, desc))
            if not self.accept_op(","):
                return tuple(cols)

    def parse_create_table(self, temp: bool) -> ast.CreateTable:
        ine = self.if_not_exists()
        schema, name = self.qualified_name()
        if self.accept_kw("AS"):
            return ast.CreateTable(name, schema=schema, temp=temp, if_not_exists=ine,
                                   as_select=self.parse_select())
        self.expect_op("(")
        columns = []
        constraints: list[ast.Constraint] = []
        while True:
            if self.at_kw("CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"):
                break
            columns.append(self.column_def())
            if not self.accept_op(","):
                break
        else:
            pass
        if not self.at_op(")"):
            while True:
                constraints.append(self.table_constraint())
                self.accept_op(",")
                if self.at_op(")"):
                    break
        self.expect_op(")")
        without_rowid = False
        strict = False
        while True:
            if self.accept_kw("WITHOUT"):
                t = self.advance()
                if t.kind != "ID" or t.value.lower() != "rowid":
                    raise_error(SQLITE_ERROR, f"unknown table option: {self.sql[t.start:t.end]}")
                without_rowid = True
            elif self.tok.kind == "ID" and self.tok.value.lower() == "strict":
                self.advance()
                strict = True
            elif self.tok.kind == "ID":
                t = self.tok
                raise_error(SQLITE_ERROR, f"unknown table option: {self.sql[t.start:t.end]}")
            if not self.accept_op(","):
                break
        return ast.CreateTable(name, tuple(columns), tuple(constraints), schema, temp, ine,
                               None, without_rowid, strict)

    def type_name(self) -> str | None:
        start = self.pos
        while self.tok.kind == "ID" or (self.tok.kind == "KEYWORD" and self.tok.value in FALLBACK
                                        and not self.at_kw("GENERATED")) \
                or (self.tok.kind == "STRING" and self.pos == start):
            self.advance()
        if self.pos == start:
            return None
        if self.accept_op("("):
            self.signed_number()
            if self.accept_op(","):
                self.signed_number()
            self.expect_op(")")
        return self.text(start, self.pos)

    def signed_number(self) -> None:
        if self.at_op("+", "-"):
            self.advance()
        if self.tok.kind not in ("INTEGER", "FLOAT"):
            if self.at_name():
                self.advance()
                return
            self.error()
        self.advance()

    def column_def(self) -> ast.ColumnDef:
        name = self.name()
        type_name = self.type_name()
        constraints = []
        while True:
            c = self.column_constraint()
            if c is None:
                break
            constraints.append(c)
        return ast.ColumnDef(name, type_name, tuple(constraints))

    def column_constraint(self) -> ast.Constraint | None:
        cname = None
        if self.accept_kw("CONSTRAINT"):
            cname = self.name()
        if self.accept_kw("PRIMARY"):
            self.expect_kw("KEY")
            desc = False
            if self.accept_kw("DESC"):
                desc = True
            else:
                self.accept_kw("ASC")
            conflict = self.on_conflict()
            auto = bool(self.accept_kw("AUTOINCREMENT"))
            return ast.PrimaryKeyConstraint(cname, (), desc, conflict, auto)
        if self.at_kw("NOT") and self.peek().kind == "KEYWORD" and self.peek().value == "NULL":
            self.advance()
            self.advance()
            return ast.NotNullConstraint(cname, self.on_conflict())
        if self.accept_kw("NULL"):
            self.on_conflict()
            return ast.NullConstraint(cname)
        if self.accept_kw("UNIQUE"):
            return ast.UniqueConstraint(cname, (), self.on_conflict())
        if self.accept_kw("CHECK"):
            self.expect_op("(")
            e = self.parse_expr()
            self.expect_op(")")
            return ast.CheckConstraint(cname, e)
        if self.accept_kw("DEFAULT"):
            start = self.pos
            if self.accept_op("("):
                e = self.parse_expr()
                self.expect_op(")")
            elif self.at_op("+", "-"):
                sign = self.advance().value
                t = self.tok
                if t.kind not in ("INTEGER", "FLOAT"):
                    self.error()
                e = self.primary()
                if sign == "-":
                    e = _negate_literal(e)
            else:
                t = self.tok
                if t.kind in ("INTEGER", "FLOAT", "STRING", "BLOB") or self.at_kw(
                        "NULL", "CURRENT_TIME", "CURRENT_DATE", "CURRENT_TIMESTAMP"):
                    e = self.primary()
                elif t.kind == "ID" or (t.kind == "KEYWORD" and t.value in FALLBACK):
                    self.advance()
                    e = ast.Literal(t.value)
                else:
                    self.error()
            return ast.DefaultConstraint(cname, e, self.text(start, self.pos))
        if self.accept_kw("COLLATE"):
            return ast.CollateConstraint(cname, self.name())
        if self.at_kw("REFERENCES"):
            return ast.ForeignKeyConstraint(cname, self.fk_clause())
        if self.at_kw("GENERATED") or self.at_kw("AS"):
            if self.accept_kw("GENERATED"):
                self.expect_kw("ALWAYS")
            self.expect_kw("AS")
            self.expect_op("(")
            e = self.parse_expr()
            self.expect_op(")")
            stored = False
            if self.tok.kind == "ID" and self.tok.value.upper() in ("STORED", "VIRTUAL"):
                stored = self.advance().value.upper() == "STORED"
            elif self.accept_kw("VIRTUAL"):
                stored = False
            return ast.GeneratedConstraint(cname, e, stored)
        if cname is not None:
            self.error()
        return None

    def on_conflict(self) -> str | None:
        if self.at_kw("ON") and self.peek().kind == "KEYWORD" and self.peek().value == "CONFLICT":
            self.advance()
            self.advance()
            v = self.accept_kw(*CONFLICT_ACTIONS)
            if not v:
                self.error()
            return v
        return None

    def fk_clause(self) -> ast.ForeignKeyClause:
        self.expect_kw("REFERENCES")
        table = self.name()
        cols: tuple[str, ...] = ()
        if self.accept_op("("):
            cols = self.name_list()
            self.expect_op(")")
        on_delete = on_update = match = None
        deferred = None
        while True:
            if self.accept_kw("ON"):
                which = self.accept_kw("DELETE", "UPDATE")
                if not which:
                    self.error()
                if self.accept_kw("SET"):
                    action = "SET " + (self.accept_kw("NULL", "DEFAULT") or "")
                    if action == "SET ":
                        self.error()
                elif self.accept_kw("CASCADE"):
                    action = "CASCADE"
                elif self.accept_kw("RESTRICT"):
                    action = "RESTRICT"
                elif self.accept_kw("NO"):
                    self.expect_kw("ACTION")
                    action = "NO ACTION"
                else:
                    self.error()
                if which == "DELETE":
                    on_delete = action
                else:
                    on_update = action
            elif self.accept_kw("MATCH"):
                match = self.name()
            elif self.at_kw("NOT") and self.peek().kind == "KEYWORD" and self.peek().value == "DEFERRABLE":
                self.advance()
                self.advance()
                if self.accept_kw("INITIALLY"):
                    self.accept_kw("DEFERRED", "IMMEDIATE")
                deferred = False
            elif self.accept_kw("DEFERRABLE"):
                deferred = False
                if self.accept_kw("INITIALLY"):
                    deferred = self.accept_kw("DEFERRED", "IMMEDIATE") == "DEFERRED"
            else:
                break
        return ast.ForeignKeyClause(table, cols, on_delete, on_update, match, deferred)

    def table_constraint(self) -> ast.Constraint:
        cname = None
        if self.accept_kw("CONSTRAINT"):
            cname = self.name()
        if self.accept_kw("PRIMARY"):
            self.expect_kw("KEY")
            self.expect_op("(")
            cols = self.indexed_columns()
            auto = bool(self.accept_kw("AUTOINCREMENT"))
            self.expect_op(")")
            return ast.PrimaryKeyConstraint(cname, cols, False, self.on_conflict(), auto)
        if self.accept_kw("UNIQUE"):
            self.expect_op("(")
            cols = self.indexed_columns()
            self.expect_op(")")
            return ast.UniqueConstraint(cname, cols, self.on_conflict())
        if self.accept_kw("CHECK"):
            self.expect_op("(")
            e = self.parse_expr()
            self.expect_op(")")
            self.on_conflict()
            return ast.CheckConstraint(cname, e)
        if self.accept_kw("FOREIGN"):
            self.expect_kw("KEY")
            self.expect_op("(")
            cols = self.name_list()
            self.expect_op(")")
            return ast.ForeignKeyConstraint(cname, self.fk_clause(), cols)
        self.error()
        raise AssertionError

    def parse_create_trigger(self, temp: bool) -> ast.CreateTrigger:
        ine = self.if_not_exists()
        schema, name = self.qualified_name()
        time = self.accept_kw("BEFORE", "AFTER")
        if time is None and self.accept_kw("INSTEAD"):
            self.expect_kw("OF")
            time = "INSTEAD OF"
        event = self.accept_kw("DELETE", "INSERT", "UPDATE")
        if event is None:
            self.error()
        cols = None
        if event == "UPDATE" and self.accept_kw("OF"):
            cols = self.name_list()
        self.expect_kw("ON")
        table = self.name()
        each_row = False
        if self.accept_kw("FOR"):
            self.expect_kw("EACH")
            self.expect_kw("ROW")
            each_row = True
        when = self.parse_expr() if self.accept_kw("WHEN") else None
        self.expect_kw("BEGIN")
        body: list[ast.Statement] = []
        self.in_trigger = True
        while not self.accept_kw("END"):
            if self.at_kw("WITH"):
                with_ = self.parse_with()
            else:
                with_ = None
            if self.at_kw("SELECT", "VALUES"):
                body.append(ast.SelectStatement(self.parse_select(with_)))
            elif self.at_kw("INSERT", "REPLACE"):
                body.append(self.parse_insert(with_))
            elif self.at_kw("UPDATE"):
                body.append(self.parse_update(with_))
            elif self.at_kw("DELETE"):
                body.append(self.parse_delete(with_))
            else:
                self.error()
            if not self.accept_op(";"):
                self.error()
        self.in_trigger = False
        return ast.CreateTrigger(name, table, event, tuple(body), time, cols, each_row, when,
                                 schema, temp, ine)

    def parse_drop(self) -> ast.Drop:
        self.expect_kw("DROP")
        kind = self.accept_kw("TABLE", "INDEX", "VIEW", "TRIGGER")
        if kind is None:
            self.error()
        if_exists = False
        if self.accept_kw("IF"):
            self.expect_kw("EXISTS")
            if_exists = True
        schema, name = self.qualified_name()
        return ast.Drop(kind, name, schema, if_exists)

    def parse_alter(self) -> ast.AlterTable:
        self.expect_kw("ALTER")
        self.expect_kw("TABLE")
        schema, table = self.qualified_name()
        if self.accept_kw("RENAME"):
            if self.accept_kw("TO"):
                return ast.AlterTable(table, ast.RenameTable(self.name()), schema)
            self.accept_kw("COLUMN")
            old = self.name()
            self.expect_kw("TO")
            return ast.AlterTable(table, ast.RenameColumn(old, self.name()), schema)
        if self.accept_kw("ADD"):
            self.accept_kw("COLUMN")
            return ast.AlterTable(table, ast.AddColumn(self.column_def()), schema)
        if self.accept_kw("DROP"):
            self.accept_kw("COLUMN")
            return ast.AlterTable(table, ast.DropColumn(self.name()), schema)
        self.error()
        raise AssertionError

    def parse_pragma(self) -> ast.Pragma:
        self.expect_kw("PRAGMA")
        schema, name = self.qualified_name()
        value = None
        if self.accept_op("="):
            value = self.pragma_value()
        elif self.accept_op("("):
            value = self.pragma_value()
            self.expect_op(")")
        return ast.Pragma(name, schema, value)

    def pragma_value(self) -> ast.Expr:
        if self.at_op("+", "-"):
            sign = self.advance().value
            e = self.primary()
            return _negate_literal(e) if sign == "-" else e
        t = self.tok
        if t.kind in ("INTEGER", "FLOAT", "STRING"):
            return self.primary()
        if t.kind == "ID" or t.kind == "KEYWORD":
            self.advance()
            return ast.Column(t.value if t.kind == "ID" else self.sql[t.start:t.end])
        self.error()
        raise AssertionError

    # -- expressions ------------------------------------------------------------

    def expr_list(self) -> tuple[ast.Expr, ...]:
        items = [self.parse_expr()]
        while self.accept_op(","):
            items.append(self.parse_expr())
        return tuple(items)

    def parse_expr(self) -> ast.Expr:
        self.depth += 1
        if self.depth > MAX_EXPR_DEPTH:
            raise_error(SQLITE_ERROR, f"Expression tree is too large (maximum depth {MAX_EXPR_DEPTH})")
        e = self.binary(_PREC_OR)
        self.depth -= 1
        return e

    def binary(self, min_prec: int) -> ast.Expr:
        if min_prec <= _PREC_NOT and self.at_kw("NOT"):
            self.advance()
            self.depth += 1
            if self.depth > MAX_EXPR_DEPTH:
                raise_error(SQLITE_ERROR, f"Expression tree is too large (maximum depth {MAX_EXPR_DEPTH})")
            operand = self.binary(_PREC_NOT)
            self.depth -= 1
            left: ast.Expr = ast.Unary("NOT", operand)
        else:
            left = self.unary()
        chain = 0
        while True:
            t = self.tok
            kind = t.kind
            if kind == "OP" or (kind == "KEYWORD" and t.value in ("OR", "AND")):
                spec = _BINOPS.get(t.value)
                if spec is None:
                    return left
                prec, op = spec
                if prec < min_prec:
                    return left
                self.pos += 1
                right = self.binary(prec + 1)
                left = ast.Binary(op, left, right)
            elif kind == "KEYWORD":
                if _PREC_EQ < min_prec:
                    return left
                new = self.postfix_equality(left)
                if new is None:
                    return left
                left = new
            else:
                return left
            chain += 1
            if chain + self.depth > MAX_EXPR_DEPTH:
                raise_error(SQLITE_ERROR, f"Expression tree is too large (maximum depth {MAX_EXPR_DEPTH})")

    def postfix_equality(self, left: ast.Expr) -> ast.Expr | None:
        v = self.tok.value
        negated = False
        if v == "NOT":
            nxt = self.peek()
            if nxt.kind != "KEYWORD":
                return None
            if nxt.value == "NULL":
                self.pos += 2
                return ast.IsNull(left, True)
            if nxt.value not in ("LIKE", "GLOB", "REGEXP", "MATCH", "BETWEEN", "IN"):
                return None
            self.pos += 1
            negated = True
            v = nxt.value
        if v == "ISNULL":
            self.pos += 1
            return ast.IsNull(left, False)
        if v == "NOTNULL":
            self.pos += 1
            return ast.IsNull(left, True)
        if v == "IS":
            self.pos += 1
            op = "IS"
            if self.accept_kw("NOT"):
                op = "IS NOT"
            if self.accept_kw("DISTINCT"):
                self.expect_kw("FROM")
                op = "IS NOT" if op == "IS" else "IS"
            right = self.binary(_PREC_EQ + 1)
            return ast.Binary(op, left, right)
        if v in ("LIKE", "GLOB", "REGEXP", "MATCH"):
            self.pos += 1
            right = self.binary(_PREC_EQ + 1)
            escape = None
            if self.accept_kw("ESCAPE"):
                escape = self.binary(_PREC_EQ + 1)
            return ast.Like(v, left, right, escape, negated)
        if v == "BETWEEN":
            self.pos += 1
            low = self.binary(_PREC_EQ + 1)
            self.expect_kw("AND")
            high = self.binary(_PREC_EQ + 1)
            return ast.Between(left, low, high, negated)
        if v == "IN":
            self.pos += 1
            if self.accept_op("("):
                if self.at_kw("SELECT", "VALUES", "WITH"):
                    sel = self.parse_select()
                    self.expect_op(")")
                    return ast.In(left, select=sel, negated=negated)
                values = () if self.at_op(")") else self.expr_list()
                self.expect_op(")")
                return ast.In(left, values=values, negated=negated)
            schema, name = self.qualified_name()
            args = None
            if self.accept_op("("):
                args = () if self.at_op(")") else self.expr_list()
                self.expect_op(")")
            return ast.In(left, table=ast.QualifiedName(name, schema), table_args=args,
                          negated=negated)
        if negated:
            self.pos -= 1
        return None

    def unary(self) -> ast.Expr:
        t = self.tok
        if t.kind == "OP" and t.value in ("-", "+", "~"):
            self.pos += 1
            self.depth += 1
            if self.depth > MAX_EXPR_DEPTH:
                raise_error(SQLITE_ERROR, f"Expression tree is too large (maximum depth {MAX_EXPR_DEPTH})")
            if t.value == "-" and self.tok.kind == "INTEGER" and self.tok.value == "9223372036854775808":
                self.pos += 1
                e: ast.Expr = ast.Literal(-9223372036854775808)
            else:
                e = ast.Unary(t.value, self.unary())
            self.depth -= 1
        else:
            e = self.primary()
        while self.at_kw("COLLATE"):
            self.pos += 1
            e = ast.Collate(e, self.name())
        return e

    def primary(self) -> ast.Expr:
        t = self.tok
        kind = t.kind
        if kind == "INTEGER":
            self.pos += 1
            return ast.Literal(_integer_literal(t.value))
        if kind == "STRING":
            self.pos += 1
            return ast.Literal(t.value)
        if kind == "FLOAT":
            self.pos += 1
            return ast.Literal(float(t.value))
        if kind == "BLOB":
            self.pos += 1
            return ast.Literal(bytes.fromhex(t.value))
        if kind == "VARIABLE":
            self.pos += 1
            return ast.Variable(t.value)
        if kind == "OP" and t.value == "(":
            self.pos += 1
            if self.at_kw("SELECT", "VALUES", "WITH"):
                sel = self.parse_select()
                self.expect_op(")")
                return ast.Subquery(sel)
            items = self.expr_list()
            self.expect_op(")")
            if len(items) == 1:
                return items[0]
            return ast.Vector(items)
        if kind == "KEYWORD":
            v = t.value
            if v == "NULL":
                self.pos += 1
                return ast.Literal(None)
            if v in ("CURRENT_TIME", "CURRENT_DATE", "CURRENT_TIMESTAMP"):
                self.pos += 1
                return ast.CurrentTime(v)
            if v == "CAST" and self.peek().kind == "OP" and self.peek().value == "(":
                self.pos += 2
                e = self.parse_expr()
                self.expect_kw("AS")
                tn = self.type_name()
                self.expect_op(")")
                return ast.Cast(e, tn or "")
            if v == "CASE":
                self.pos += 1
                base = None if self.at_kw("WHEN") else self.parse_expr()
                whens = []
                while self.accept_kw("WHEN"):
                    w = self.parse_expr()
                    self.expect_kw("THEN")
                    whens.append((w, self.parse_expr()))
                if not whens:
                    self.error()
                else_ = self.parse_expr() if self.accept_kw("ELSE") else None
                self.expect_kw("END")
                return ast.Case(base, tuple(whens), else_)
            if v == "EXISTS":
                self.pos += 1
                self.expect_op("(")
                sel = self.parse_select()
                self.expect_op(")")
                return ast.Exists(sel)
            if v == "RAISE" and self.peek().kind == "OP" and self.peek().value == "(":
                self.pos += 2
                action = self.accept_kw("IGNORE", "ROLLBACK", "ABORT", "FAIL")
                if action is None:
                    self.error()
                msg = None
                if action != "IGNORE":
                    self.expect_op(",")
                    msg = self.parse_expr()
                self.expect_op(")")
                return ast.Raise(action, msg)
            if v not in FALLBACK and v not in JOIN_KW and v != "INDEXED":
                self.error()
        elif kind != "ID":
            self.error()
        # Identifier: column reference or function call.
        self.pos += 1
        name = t.value if kind == "ID" else self.sql[t.start:t.end]
        nxt = self.tok
        if nxt.kind == "OP" and nxt.value == "(" and not t.quoted:
            return self.function_call(name)
        if nxt.kind == "OP" and nxt.value == "(" and t.quoted:
            return self.function_call(name)
        if nxt.kind == "OP" and nxt.value == ".":
            self.pos += 1
            second = self.name()
            if self.accept_op("."):
                third = self.name()
                return ast.Column(third, second, name)
            return ast.Column(second, name)
        if t.quoted == '"':
            return ast.Column(name, quoted=True)
        return ast.Column(name)

    def function_call(self, name: str) -> ast.Expr:
        self.expect_op("(")
        distinct = False
        star = False
        args: tuple[ast.Expr, ...] = ()
        if self.accept_op("*"):
            star = True
        elif not self.at_op(")"):
            if self.accept_kw("DISTINCT"):
                distinct = True
            else:
                self.accept_kw("ALL")
            args = self.expr_list()
        self.expect_op(")")
        filt = None
        if self.accept_kw("FILTER"):
            self.expect_op("(")
            self.expect_kw("WHERE")
            filt = self.parse_expr()
            self.expect_op(")")
        over: ast.WindowSpec | str | None = None
        if self.accept_kw("OVER"):
            if self.at_op("("):
                over = self.window_spec()
            else:
                over = self.name()
        return ast.FunctionCall(name, args, distinct, star, filt, over)


def _integer_literal(text: str) -> int | float:
    if text[:2] in ("0x", "0X"):
        digits = text[2:].lstrip("0")
        if len(digits) > 16:
            raise_error(SQLITE_ERROR, f'hex literal too big: {text}')
        v = int(text, 16)
        return v - (1 << 64) if v >= 1 << 63 else v
    v = int(text)
    if v > 9223372036854775807:
        return float(text)
    return v


def _negate_literal(e: ast.Expr) -> ast.Expr:
    if isinstance(e, ast.Literal) and isinstance(e.value, (int, float)) and not isinstance(e.value, bool):
        if e.value == 9223372036854775808.0 and isinstance(e.value, float):
            return ast.Literal(-9223372036854775808)
        return ast.Literal(-e.value)
    return ast.Unary("-", e)


def parse_one(sql: str, offset: int = 0) -> ParsedStatement | None:
    """Parse the first statement of ``sql[offset:]``; None if only blanks remain."""
    p = Parser(sql, offset)
    while p.at_op(";"):
        p.advance()
    if p.tok.kind == "EOF":
        return None
    start_tok = p.pos
    stmt = p.parse_statement()
    end_tok = p.pos
    t = p.tok
    if t.kind == "OP" and t.value == ";":
        tail = t.end
    elif t.kind == "EOF":
        tail = len(sql)
    else:
        p.error()
        raise AssertionError
    return ParsedStatement(stmt, p.tokens[start_tok].start, p.tokens[end_tok - 1].end, tail)


def parse(sql: str) -> list[ast.Statement]:
    """Parse every statement of ``sql``."""
    out = []
    offset = 0
    while True:
        ps = parse_one(sql, offset)
        if ps is None:
            return out
        out.append(ps.statement)
        offset = ps.tail


def parse_expr(text: str) -> ast.Expr:
    """Parse a lone expression (defaults, CHECK constraints kept as text)."""
    p = Parser(text)
    e = p.parse_expr()
    if p.tok.kind != "EOF":
        p.error()
    return e


def complete_statement(sql: str) -> bool:
    """True if ``sql`` ends a statement with a semicolon (sqlite3_complete)."""
    try:
        tokens = tokenize(sql)
    except Exception:
        # An unterminated string or comment: not complete.
        return False
    # Track CREATE TRIGGER ... END blocks.
    depth_trigger = False
    state_complete = False
    seen_create = False
    seen_trigger = False
    for i, t in enumerate(tokens):
        if t.kind == "EOF":
            break
        if t.kind == "OP" and t.value == ";":
            if depth_trigger:
                # Inside a trigger body; the statement ends after END;
                prev = tokens[i - 1] if i else None
                if prev is not None and prev.kind == "KEYWORD" and prev.value == "END":
                    depth_trigger = False
                    state_complete = True
                    seen_create = seen_trigger = False
                continue
            state_complete = True
            seen_create = seen_trigger = False
            continue
        state_complete = False
        if t.kind == "KEYWORD":
            if t.value == "CREATE":
                seen_create = True
            elif t.value == "TRIGGER" and seen_create:
                seen_trigger = True
            elif t.value == "BEGIN" and seen_trigger:
                depth_trigger = True
    return state_complete
