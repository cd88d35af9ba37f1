"""SQL front end: a recursive-descent parser for SQLite's whole grammar.

Builds the typed AST of :mod:`pyrite.sql.ast` from tokens of
:mod:`pyrite.sql.lexer`.  SQLite's counterpart is ``parse.y`` (a LALR(1)
grammar run by the Lemon parser) together with the parser actions that raise
errors (``sqlite3JoinType``, ``sqlite3SrcListAppendFromTerm``,
``parserDoubleLinkSelect``...).  Binary operators are parsed by precedence
climbing with explicit operand/operator stacks, so a chain of ten thousand
terms never recurses; nesting that does recurse (parentheses, subqueries,
function arguments) is bounded like Lemon's parser stack
(``parser stack overflow``), and expression trees deeper than SQLite's
``SQLITE_MAX_EXPR_DEPTH`` (1000) are refused.

Entry points: :func:`parse_one`, :func:`parse`, :func:`parse_expr`,
:func:`complete_statement`.
"""

from __future__ import annotations
from pyrite.values import _str_to_float as _atof
from pyrite.values import fold_name

from dataclasses import dataclass
from typing import Callable, NoReturn

from pyrite.errors import SQLITE_ERROR, raise_error
from pyrite.sql import ast
from pyrite.sql.keywords import (
    CONFLICT_ACTIONS, ID_KINDS, IDS_KINDS, JOIN_KEYWORDS,
    LIKE_OPS, NAME_KINDS,
)
from pyrite.sql.lexer import Token, _TOKEN_RE, dequote, tokenize

MAX_EXPR_DEPTH = 1000           # SQLITE_MAX_EXPR_DEPTH
MAX_COMPOUND_SELECT = 500       # SQLITE_MAX_COMPOUND_SELECT
# Lemon's default parser stack holds 100 entries; the costs below approximate
# how much of it each construct uses, so that inputs SQLite refuses with
# "parser stack overflow" are refused here too (and Python never recurses
# deeply).
_STACK_LIMIT = 93

_MAX_I64 = (1 << 63) - 1


@dataclass(frozen=True, slots=True)
class ParsedStatement:
    """One parsed statement and where it lies in the SQL text.

    ``start``/``end`` delimit its own text (first token to last token, no
    semicolon); ``tail`` is the offset just past its terminating semicolon, or
    the end of input.
    """

    statement: ast.Statement
    start: int
    end: int
    tail: int


# Binary operator levels (parse.y precedence, low to high).
_L_OR, _L_AND, _L_NOT, _L_EQ, _L_CMP, _L_ESC, _L_BIT, _L_ADD, _L_MUL, _L_CAT = (
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
_L_UNARY = 12

_BINARY_LEVEL: dict[str, int] = {
    "OR": _L_OR, "AND": _L_AND,
    "=": _L_EQ, "==": _L_EQ, "!=": _L_EQ, "<>": _L_EQ,
    "<": _L_CMP, "<=": _L_CMP, ">": _L_CMP, ">=": _L_CMP,
    "&": _L_BIT, "|": _L_BIT, "<<": _L_BIT, ">>": _L_BIT,
    "+": _L_ADD, "-": _L_ADD,
    "*": _L_MUL, "/": _L_MUL, "%": _L_MUL,
    "||": _L_CAT, "->": _L_CAT, "->>": _L_CAT,
}
_OP_NAME = {"==": "=", "<>": "!="}
# Tokens at which an expression may continue with an equality-level operator.
_EQ_LEVEL_STARTERS = frozenset(
    ("IS", "IN", "NOT", "ISNULL", "NOTNULL", "BETWEEN") + tuple(LIKE_OPS))

_STMT_STARTERS = frozenset((
    "EXPLAIN", "SELECT", "VALUES", "WITH", "INSERT", "REPLACE", "UPDATE",
    "DELETE", "CREATE", "DROP", "ALTER", "BEGIN", "COMMIT", "END", "ROLLBACK",
    "SAVEPOINT", "RELEASE", "PRAGMA", "ATTACH", "DETACH", "VACUUM", "ANALYZE",
    "REINDEX"))

# Fallback keywords that the grammar shifts as keywords at the start of an
# expression, so they never stand for an identifier there.
_EXPR_KEYWORDS = frozenset(
    ("CAST", "RAISE", "CURRENT_TIME", "CURRENT_DATE", "CURRENT_TIMESTAMP"))

_OVER_FOLLOWERS = NAME_KINDS | {"("}

# Tokens that may follow the constructs whose grammar actions raise errors.
_FROM_FOLLOWERS = frozenset((
    ",", "JOIN", "WHERE", "GROUP", "HAVING", "WINDOW", "ORDER", "LIMIT", "UNION",
    "EXCEPT", "INTERSECT", ")", ";", "EOF", "RETURNING", "ON", "USING")) | JOIN_KEYWORDS
_OPTION_FOLLOWERS = frozenset((",", ";", "EOF"))
_VALUES_FOLLOWERS = frozenset((
    ",", ")", ";", "EOF", "UNION", "EXCEPT", "INTERSECT", "ORDER", "LIMIT", "ON",
    "RETURNING"))
_CONSTRAINT_FOLLOWERS = frozenset((
    "CONSTRAINT", "PRIMARY", "NOT", "NULL", "UNIQUE", "CHECK", "DEFAULT", "COLLATE",
    "REFERENCES", "DEFERRABLE", "GENERATED", "AS", ",", ")"))

_STD_TYPES = {"ANY": "ANY", "BLOB": "BLOB", "INT": "INT",
              "INTEGER": "INTEGER", "REAL": "REAL", "TEXT": "TEXT"}


def _error(message: str) -> NoReturn:
    raise_error(SQLITE_ERROR, message)


def _expr_height(expr: ast.Node) -> int:
    """Height of an expression tree, computed without recursion."""
    best = 0
    stack: list[tuple[object, int]] = [(expr, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (tuple, list)):
            for item in node:
                stack.append((item, depth))
            continue
        if not isinstance(node, ast.Expr):
            continue
        if type(node) is ast.Collate:
            # SQLite's COLLATE node does not add to the tree height.
            stack.append((node.expr, depth))
            continue
        if depth > best:
            best = depth
            if best > MAX_EXPR_DEPTH:
                return best
        for name in node.__slots__:
            child = getattr(node, name, None)
            if isinstance(child, (ast.Expr, tuple)):
                stack.append((child, depth + 1))
    return best


class Parser:
    """Parses statements from one SQL string, pulling tokens as needed."""

    __slots__ = ("sql", "toks", "kinds", "pos", "_lexer", "_eof", "stack",
                 "in_trigger", "autoinc", "column_name", "spans")

    def __init__(self, sql: str, offset: int = 0) -> None:
        self.sql = sql
        self.toks: list[Token] = []
        self.kinds: list[str] = []
        self.pos = 0
        self._lexer = tokenize(sql, offset)
        self._eof = False
        self.stack = 0
        self.in_trigger = False
        self.autoinc = False  # AUTOINCREMENT seen by the last indexed_columns()
        self.column_name = ""  # the column being defined (for messages)
        # When a dict, the identifier tokens of name-bearing nodes, keyed by
        # id(node) -> (node, tokens) (SQLite's rename token map, used by
        # ALTER TABLE to edit exactly the tokens that name a table/column).
        self.spans: dict[int, tuple[object, tuple[Token, ...]]] | None = None

    # ------------------------------------------------------------------
    # Token access
    # ------------------------------------------------------------------

    def _fill(self, upto: int) -> None:
        """Lex until ``toks[upto]`` exists, a statement's worth at a time."""
        toks, kinds, lexer = self.toks, self.kinds, self._lexer
        while len(toks) <= upto:
            if self._eof:
                toks.append(toks[-1])
                kinds.append("EOF")
                continue
            for tok in lexer:
                toks.append(tok)
                kinds.append(tok[0])
                if tok[0] == ";" and len(toks) > upto:
                    break
                if tok[0] == "EOF":
                    self._eof = True
                    break
            else:
                self._eof = True

    def peek(self, k: int = 0) -> str:
        try:
            return self.kinds[self.pos + k]
        except IndexError:
            self._fill(self.pos + k)
            return self.kinds[self.pos + k]

    def tok(self, k: int = 0) -> Token:
        try:
            return self.toks[self.pos + k]
        except IndexError:
            self._fill(self.pos + k)
            return self.toks[self.pos + k]

    def advance(self) -> Token:
        tok = self.tok()
        self.pos += 1
        return tok

    def accept(self, kind: str) -> bool:
        try:
            here = self.kinds[self.pos]
        except IndexError:
            here = self.peek()
        if here == kind:
            self.pos += 1
            return True
        return False

    def expect(self, kind: str) -> Token:
        if self.peek() != kind:
            self.syntax_error()
        return self.advance()

    def syntax_error(self, tok: Token | None = None) -> NoReturn:
        if tok is None:
            tok = self.tok()
        kind = tok[0]
        if kind == "EOF":
            _error("incomplete input")
        if kind == "ILLEGAL":
            _error(f'unrecognized token: "{tok[1]}"')
        _error(f'near "{tok[1]}": syntax error')

    def prev_end(self) -> int:
        return self.toks[self.pos - 1][3]

    def action_error(self, message: str, followers: frozenset[str]) -> NoReturn:
        """Raise an error of a grammar action (SQLite reports it when the rule
        is reduced, that is once the next token is known to be acceptable;
        otherwise the syntax error at that token wins)."""
        if self.peek() in followers:
            _error(message)
        self.syntax_error()

    def mark(self, node, *toks: Token):
        """Record the identifier tokens of ``node`` when spans are kept."""
        if self.spans is not None:
            self.spans[id(node)] = (node, toks)
        return node

    def copy_mark(self, old, new):
        """Give ``new`` the recorded tokens of ``old`` (a re-built node)."""
        if self.spans is not None and id(old) in self.spans:
            self.spans[id(new)] = (new, self.spans[id(old)][1])
        return new

    def qualified_tokens(self) -> tuple[str | None, str, tuple[Token, ...]]:
        """``nm [. nm]`` -> (schema, name, the name tokens as written)."""
        first = self.tok()
        schema, name = self.qualified()
        toks = (first, self.toks[self.pos - 1]) if schema is not None else (first,)
        return schema, name, toks

    def push(self, cost: int) -> None:
        self.stack += cost
        if self.stack > _STACK_LIMIT:
            _error("parser stack overflow")

    # ------------------------------------------------------------------
    # Names
    # ------------------------------------------------------------------

    def name(self) -> str:
        """``nm``: an identifier, a string, or a join keyword."""
        kind = self.peek()
        if kind in NAME_KINDS:
            return dequote(self.advance()[1])
        self.syntax_error()

    def ids(self) -> str:
        if self.peek() in IDS_KINDS:
            return dequote(self.advance()[1])
        self.syntax_error()

    def qualified(self) -> tuple[str | None, str]:
        """``nm [. nm]`` -> (schema, name)."""
        first = self.name()
        if self.accept("."):
            return first, self.name()
        return None, first

    def name_list(self) -> tuple[str, ...]:
        """``( nm, ... )`` (the opening parenthesis already consumed)."""
        names = [self.name()]
        while self.accept(","):
            names.append(self.name())
        self.expect(")")
        return tuple(names)

    def eid_list(self) -> tuple[str, ...]:
        """``( nm [COLLATE x] [ASC|DESC], ... )`` for CTE and view columns."""
        names = []
        while True:
            tok = self.tok()
            nm = self.name()
            extra = False
            if self.accept("COLLATE"):
                self.ids()
                extra = True
            if self.peek() in ("ASC", "DESC"):
                self.pos += 1
                extra = True
            if extra:
                _error(f'syntax error after column name "{dequote(tok[1])}"')
            names.append(nm)
            if not self.accept(","):
                break
        self.expect(")")
        return tuple(names)

    def conflict_clause(self) -> str | None:
        """``ON CONFLICT action`` (onconf)."""
        if self.accept("ON"):
            self.expect("CONFLICT")
            return self.resolve_type()
        return None

    def resolve_type(self) -> str:
        kind = self.peek()
        if kind in CONFLICT_ACTIONS:
            self.pos += 1
            return kind
        self.syntax_error()

    # ------------------------------------------------------------------
    # Statements
    # ------------------------------------------------------------------

    def statement(self) -> ast.Statement:
        kind = self.peek()
        if kind == "EXPLAIN":
            self.pos += 1
            plan = False
            if self.peek() == "QUERY":
                self.pos += 1
                self.expect("PLAN")
                plan = True
            return ast.Explain(self.command(), plan)
        return self.command()

    def command(self) -> ast.Statement:
        kind = self.peek()
        method = _COMMANDS.get(kind)
        if method is None:
            self.syntax_error()
        return method(self)

    def with_statement(self) -> ast.Statement:
        with_ = self.with_clause()
        kind = self.peek()
        if kind in ("SELECT", "VALUES"):
            return ast.SelectStatement(self.select(with_))
        if kind in ("INSERT", "REPLACE"):
            return self.insert(with_)
        if kind == "UPDATE":
            return self.update(with_)
        if kind == "DELETE":
            return self.delete(with_)
        self.syntax_error()

    def select_statement(self) -> ast.Statement:
        return ast.SelectStatement(self.select())

    # -- SELECT ---------------------------------------------------------

    def with_clause(self) -> ast.With:
        self.expect("WITH")
        recursive = self.accept("RECURSIVE")
        ctes = []
        while True:
            name = self.name()
            columns = None
            if self.accept("("):
                columns = self.eid_list()
            self.expect("AS")
            materialized = None
            if self.accept("MATERIALIZED"):
                materialized = True
            elif self.peek() == "NOT" and self.peek(1) == "MATERIALIZED":
                self.pos += 2
                materialized = False
            self.expect("(")
            self.push(5)
            sel = self.select()
            self.stack -= 5
            self.expect(")")
            if any(fold_name(c.name) == fold_name(name) for c in ctes):
                _error(f"duplicate WITH table name: {name}")   # as sqlite3WithAdd
            ctes.append(ast.CommonTableExpr(name, sel, columns, materialized))
            if not self.accept(","):
                break
        return ast.With(tuple(ctes), recursive)

    def select(self, with_: ast.With | None = None) -> ast.Select:
        if with_ is None and self.peek() == "WITH":
            with_ = self.with_clause()
        core = self.select_core()
        compounds: list[tuple[str, ast.SelectCore | ast.Values]] = []
        order_by: tuple[ast.OrderingTerm, ...] = ()
        limit = offset = None
        misplaced: str | None = None
        last = core
        while True:
            if isinstance(last, ast.Values) and self.peek() in ("ORDER", "LIMIT"):
                # only a SELECT core carries ORDER BY/LIMIT (oneselect), not VALUES
                self.syntax_error()
            if self.peek() == "ORDER":
                order_by = self.order_by()
            if self.peek() == "LIMIT":
                limit, offset = self.limit()
            kind = self.peek()
            if kind not in ("UNION", "EXCEPT", "INTERSECT"):
                break
            self.pos += 1
            op = kind
            if kind == "UNION" and self.accept("ALL"):
                op = "UNION ALL"
            if misplaced is None:
                if order_by:
                    misplaced = f"ORDER BY clause should come after {op} not before"
                elif limit is not None:
                    misplaced = f"LIMIT clause should come after {op} not before"
            last = self.select_core()
            compounds.append((op, last))
            order_by, limit, offset = (), None, None
        if misplaced is not None:
            _error(misplaced)
        if len(compounds) >= MAX_COMPOUND_SELECT:
            _error("too many terms in compound SELECT")
        return ast.Select(core, tuple(compounds), order_by, limit, offset, with_)

    def select_core(self) -> ast.SelectCore | ast.Values:
        kind = self.peek()
        if kind == "VALUES":
            self.pos += 1
            rows = []
            width = -1
            while True:
                self.expect("(")
                row = self.expr_list_until(")")
                if width >= 0 and len(row) != width:
                    self.action_error("all VALUES must have the same number of terms",
                                      _VALUES_FOLLOWERS)
                width = len(row)
                rows.append(row)
                if not self.accept(","):
                    break
            return ast.Values(tuple(rows))
        self.expect("SELECT")
        distinct = False
        if self.accept("DISTINCT"):
            distinct = True
        else:
            self.accept("ALL")
        columns = self.result_columns()
        from_ = where = having = None
        group_by: tuple[ast.Expr, ...] = ()
        windows: tuple[ast.NamedWindow, ...] = ()
        if self.accept("FROM"):
            from_ = self.from_clause()
        if self.accept("WHERE"):
            where = self.expr()
        if self.peek() == "GROUP":
            self.pos += 1
            self.expect("BY")
            group_by = self.expr_list()
            if self.accept("HAVING"):
                having = self.expr()
        elif self.accept("HAVING"):
            # SQLite accepts HAVING without GROUP BY (an aggregate query).
            having = self.expr()
        if self.peek() == "WINDOW" and self.peek(1) in NAME_KINDS and self.peek(2) == "AS":
            self.pos += 1
            windows = self.window_definitions()
        return ast.SelectCore(tuple(columns), distinct, from_, where, group_by,
                              having, windows)

    def window_definitions(self) -> tuple[ast.NamedWindow, ...]:
        defs = []
        while True:
            name = self.name()
            self.expect("AS")
            self.expect("(")
            defs.append(ast.NamedWindow(name, self.window_spec()))
            if not self.accept(","):
                break
        return tuple(defs)

    def result_columns(self) -> list[ast.ResultColumn]:
        cols = []
        while True:
            kind = self.peek()
            if kind == "*":
                self.pos += 1
                cols.append(ast.ResultColumn(None, star=True, text="*"))
            elif kind in NAME_KINDS and self.peek(1) == "." and self.peek(2) == "*" \
                    and kind not in _EXPR_KEYWORDS:
                ttok = self.advance()
                table = dequote(ttok[1])
                self.pos += 2
                cols.append(self.mark(ast.ResultColumn(None, star=True, table=table,
                                                       text=f"{table}.*"), ttok))
            else:
                start = self.tok()[2]
                e = self.expr()
                text = self.sql[start:self.prev_end()]
                alias = self.alias()
                cols.append(ast.ResultColumn(e, alias, text=text))
            if not self.accept(","):
                return cols

    def alias(self, after_expr: bool = True) -> str | None:
        """``[AS] nm`` after a result column or (after_expr False) a FROM item."""
        if self.accept("AS"):
            return self.name()
        kind = self.peek()
        if kind in IDS_KINDS and not (after_expr and kind in LIKE_OPS):
            if kind == "WINDOW" and self.peek(1) in NAME_KINDS and self.peek(2) == "AS":
                return None
            return dequote(self.advance()[1])
        return None

    def order_by(self) -> tuple[ast.OrderingTerm, ...]:
        self.expect("ORDER")
        self.expect("BY")
        terms = []
        while True:
            e = self.expr()
            desc = False
            if self.accept("DESC"):
                desc = True
            else:
                self.accept("ASC")
            nulls = None
            if self.accept("NULLS"):
                kind = self.peek()
                if kind not in ("FIRST", "LAST"):
                    self.syntax_error()
                self.pos += 1
                nulls = kind
            terms.append(ast.OrderingTerm(e, desc, nulls))
            if not self.accept(","):
                return tuple(terms)

    def limit(self) -> tuple[ast.Expr, ast.Expr | None]:
        self.expect("LIMIT")
        first = self.expr()
        if self.accept("OFFSET"):
            return first, self.expr()
        if self.accept(","):
            return self.expr(), first
        return first, None

    # -- FROM -----------------------------------------------------------

    def from_clause(self) -> ast.FromItem:
        left = self.from_item(first=True)
        while True:
            kind = self.peek()
            natural = False
            if kind == ",":
                self.pos += 1
                op = ","
            elif kind == "JOIN":
                self.pos += 1
                op = "INNER"
            elif kind in JOIN_KEYWORDS:
                words = [self.advance()]
                while self.peek() != "JOIN":
                    if len(words) == 3 or self.peek() not in NAME_KINDS:
                        self.syntax_error()
                    words.append(self.advance())
                self.pos += 1
                op, natural = self.join_type(words)
            else:
                return left
            right, on, using = self.from_item(first=False)
            left = ast.Join(left, right, op, natural, on, using)

    @staticmethod
    def join_type(words: list[Token]) -> tuple[str, bool]:
        """The join operator for ``JOIN_KW [nm [nm]] JOIN`` (sqlite3JoinType)."""
        natural = left = right = outer = inner = cross = error = False
        for w in words:
            u = w[1].upper()
            if u == "NATURAL":
                natural = True
            elif u == "LEFT":
                left = outer = True
            elif u == "RIGHT":
                right = outer = True
            elif u == "FULL":
                left = right = outer = True
            elif u == "OUTER":
                outer = True
            elif u == "INNER":
                inner = True
            elif u == "CROSS":
                inner = cross = True
            else:
                error = True
        if error or (inner and outer) or (outer and not (left or right)):
            _error("unknown join type: " + " ".join(w[1] for w in words))
        if left and right:
            op = "FULL"
        elif left:
            op = "LEFT"
        elif right:
            op = "RIGHT"
        elif cross:
            op = "CROSS"
        else:
            op = "INNER"
        return op, natural

    def from_item(self, first: bool):
        kind = self.peek()
        item: ast.FromItem
        if kind == "(":
            self.pos += 1
            self.push(5)
            if self.peek() in ("SELECT", "VALUES", "WITH"):
                item = ast.SubqueryRef(self.select())
                self.expect(")")
                self.stack -= 5
                alias = self.alias(False)
                if alias is not None:
                    item = ast.SubqueryRef(item.select, alias)
            else:
                inner = self.from_clause()
                self.expect(")")
                self.stack -= 5
                alias = self.alias(False)
                if first and alias is None:
                    # "(a JOIN b) JOIN c" is "a JOIN b JOIN c"
                    item = inner
                elif isinstance(inner, ast.Join):
                    # elsewhere a parenthesized join is a subquery whose
                    # columns remember their tables (SF_NestedFrom)
                    item = ast.SubqueryRef(
                        ast.Select(ast.SelectCore(
                            (ast.ResultColumn(None, star=True, text="*"),),
                            from_=inner, nested_from=True)), alias, nested_from=True)
                else:
                    # a single item takes the outer alias (or none)
                    item = self.copy_mark(inner, self._realias(inner, alias))
        else:
            schema, name, ntoks = self.qualified_tokens()
            if self.peek() == "(":
                self.pos += 1
                self.push(3)
                args = self.expr_list_until(")")
                self.stack -= 3
                alias = self.alias(False)
                item = ast.TableFunctionRef(name, args, schema, alias)
            else:
                alias = self.alias(False)
                indexed_by = None
                not_indexed = False
                if self.peek() == "INDEXED":
                    self.pos += 1
                    self.expect("BY")
                    indexed_by = self.name()
                elif self.peek() == "NOT":
                    self.pos += 1
                    self.expect("INDEXED")
                    not_indexed = True
                item = self.mark(ast.TableRef(name, schema, alias, indexed_by, not_indexed),
                                 *ntoks)
        on = None
        using = None
        if self.accept("ON"):
            on = self.expr()
            if first:
                self.action_error("a JOIN clause is required before ON",
                                  _FROM_FOLLOWERS)
        elif self.accept("USING"):
            self.expect("(")
            using = self.name_list()
            if first:
                self.action_error("a JOIN clause is required before USING",
                                  _FROM_FOLLOWERS)
        if first:
            return item
        return item, on, using

    @staticmethod
    def _realias(item: ast.FromItem, alias: str | None) -> ast.FromItem:
        if isinstance(item, ast.TableRef):
            return ast.TableRef(item.name, item.schema, alias, item.indexed_by,
                                item.not_indexed)
        if isinstance(item, ast.TableFunctionRef):
            return ast.TableFunctionRef(item.name, item.args, item.schema, alias)
        if isinstance(item, ast.SubqueryRef):
            return ast.SubqueryRef(item.select, alias, item.plain, item.nested_from)
        return item

    # -- INSERT / UPDATE / DELETE ---------------------------------------

    def insert(self, with_: ast.With | None = None) -> ast.Insert:
        or_ = None
        if self.accept("REPLACE"):
            or_ = "REPLACE"
        else:
            self.expect("INSERT")
            if self.accept("OR"):
                or_ = self.resolve_type()
        self.expect("INTO")
        schema, name, ntoks = self.qualified_tokens()
        if schema is not None and self.in_trigger:
            _error("qualified table names are not allowed on INSERT, UPDATE, "
                   "and DELETE statements within triggers")
        alias = None
        if self.accept("AS"):
            alias = self.name()
        columns = None
        first_col = self.pos + 1
        if self.accept("("):
            columns = self.name_list()
            ctoks = tuple(self.toks[k] for k in range(first_col, self.pos - 1, 2))
        select = None
        default_values = False
        upserts: list[ast.Upsert] = []
        if self.peek() == "DEFAULT":
            self.pos += 1
            self.expect("VALUES")
            default_values = True
        else:
            select = self.select()
            while self.accept("ON"):
                self.expect("CONFLICT")
                up = self.upsert()
                upserts.append(up)
                if up.target is None:
                    break
        returning = self.returning()
        node = ast.Insert(self.mark(ast.QualifiedName(name, schema), *ntoks), columns,
                          select, default_values, or_, alias, tuple(upserts), returning,
                          with_)
        if columns is not None:
            self.mark(columns, *ctoks)
        return node

    def upsert(self) -> ast.Upsert:
        target = None
        target_where = None
        if self.accept("("):
            target = self.indexed_columns()
            if self.accept("WHERE"):
                target_where = self.expr()
        self.expect("DO")
        if self.accept("NOTHING"):
            return ast.Upsert(target, target_where)
        self.expect("UPDATE")
        self.expect("SET")
        sets = self.set_list()
        where = self.expr() if self.accept("WHERE") else None
        return ast.Upsert(target, target_where, "UPDATE", sets, where)

    def returning(self) -> tuple[ast.ResultColumn, ...]:
        if self.accept("RETURNING"):
            return tuple(self.result_columns())
        return ()

    def set_list(self) -> tuple[ast.SetClause, ...]:
        sets = []
        while True:
            first = self.pos
            if self.accept("("):
                cols = self.name_list()
                ctoks = tuple(self.toks[k] for k in range(first + 1, self.pos - 1, 2))
            else:
                cols = (self.name(),)
                ctoks = (self.toks[first],)
            self.expect("=")
            sets.append(self.mark(ast.SetClause(cols, self.expr()), *ctoks))
            if not self.accept(","):
                return tuple(sets)

    def dml_table(self, allow_alias: bool = True) -> ast.TableRef:
        """``xfullname [INDEXED BY x | NOT INDEXED]`` of UPDATE/DELETE."""
        schema, name, ntoks = self.qualified_tokens()
        if schema is not None and self.in_trigger:
            _error("qualified table names are not allowed on INSERT, UPDATE, "
                   "and DELETE statements within triggers")
        alias = None
        if allow_alias and self.accept("AS"):
            alias = self.name()
        indexed_by = None
        not_indexed = False
        if self.peek() == "INDEXED":
            self.pos += 1
            self.expect("BY")
            indexed_by = self.name()
            if self.in_trigger:
                _error("the INDEXED BY clause is not allowed on UPDATE or DELETE "
                       "statements within triggers")
        elif self.peek() == "NOT":
            self.pos += 1
            self.expect("INDEXED")
            not_indexed = True
            if self.in_trigger:
                _error("the NOT INDEXED clause is not allowed on UPDATE or DELETE "
                       "statements within triggers")
        return self.mark(ast.TableRef(name, schema, alias, indexed_by, not_indexed), *ntoks)

    def update(self, with_: ast.With | None = None) -> ast.Update:
        self.expect("UPDATE")
        or_ = None
        if self.accept("OR"):
            or_ = self.resolve_type()
        table = self.dml_table()
        self.expect("SET")
        sets = self.set_list()
        from_ = self.from_clause() if self.accept("FROM") else None
        where = self.expr() if self.accept("WHERE") else None
        returning = self.returning()
        order_by: tuple[ast.OrderingTerm, ...] = ()
        limit = offset = None
        if not self.in_trigger:
            if self.peek() == "ORDER":
                order_by = self.order_by()
            if self.peek() == "LIMIT":
                limit, offset = self.limit()
        return ast.Update(table, sets, from_, where, or_, returning, order_by,
                          limit, offset, with_)

    def delete(self, with_: ast.With | None = None) -> ast.Delete:
        self.expect("DELETE")
        self.expect("FROM")
        table = self.dml_table()
        where = self.expr() if self.accept("WHERE") else None
        returning = self.returning()
        order_by: tuple[ast.OrderingTerm, ...] = ()
        limit = offset = None
        if not self.in_trigger:
            if self.peek() == "ORDER":
                order_by = self.order_by()
            if self.peek() == "LIMIT":
                limit, offset = self.limit()
        return ast.Delete(table, where, returning, order_by, limit, offset, with_)

    # -- CREATE ---------------------------------------------------------

    def create(self) -> ast.Statement:
        self.expect("CREATE")
        temp = False
        if self.peek() in ("TEMP", "TEMPORARY"):
            self.pos += 1
            temp = True
        kind = self.peek()
        if kind == "TABLE":
            return self.create_table(temp)
        if kind == "VIEW":
            return self.create_view(temp)
        if kind == "TRIGGER":
            return self.create_trigger(temp)
        if not temp:
            if kind == "UNIQUE" or kind == "INDEX":
                return self.create_index()
            if kind == "VIRTUAL":
                return self.create_virtual_table()
        self.syntax_error()

    def if_not_exists(self) -> bool:
        if self.peek() == "IF":
            self.pos += 1
            self.expect("NOT")
            self.expect("EXISTS")
            return True
        return False

    def if_exists(self) -> bool:
        if self.peek() == "IF":
            self.pos += 1
            self.expect("EXISTS")
            return True
        return False

    def create_table(self, temp: bool) -> ast.CreateTable:
        self.expect("TABLE")
        ine = self.if_not_exists()
        schema, name = self.qualified()
        if self.accept("AS"):
            return ast.CreateTable(name, schema=schema, temp=temp,
                                   if_not_exists=ine, as_select=self.select())
        self.expect("(")
        columns = []
        constraints: list[ast.Constraint] = []
        while True:
            columns.append(self.column_def())
            if not self.accept(","):
                break
            if self.peek() in ("CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"):
                constraints = self.table_constraints()
                break
        self.expect(")")
        # table_option_set ::= <empty> | option | table_option_set , option
        without_rowid = strict = False
        expect_option = False
        while True:
            tok = self.tok()
            kind = tok[0]
            if kind == "WITHOUT":
                self.pos += 1
                nm = self.tok()
                self.name()
                if fold_name(nm[1]) != "rowid":
                    self.action_error(f"unknown table option: {nm[1]}",
                                      _OPTION_FOLLOWERS)
                without_rowid = True
            elif kind in NAME_KINDS:
                self.pos += 1
                if fold_name(tok[1]) != "strict":
                    self.action_error(f"unknown table option: {tok[1]}",
                                      _OPTION_FOLLOWERS)
                strict = True
            elif expect_option:
                self.syntax_error()
            if not self.accept(","):
                break
            expect_option = True
        return ast.CreateTable(name, tuple(columns), tuple(constraints), schema,
                               temp, ine, None, without_rowid, strict)

    def type_name(self) -> str | None:
        if self.peek() not in IDS_KINDS:
            return None
        start = self.tok()[2]
        while self.peek() in IDS_KINDS:
            self.pos += 1
        if self.accept("("):
            self.signed_number()
            if self.accept(","):
                self.signed_number()
            self.expect(")")
        text = self.sql[start:self.prev_end()]
        if text[0] in "'\"`[":
            text = dequote(text)
        return _STD_TYPES.get(text.upper(), text)

    def signed_number(self) -> None:
        if self.peek() in ("+", "-"):
            self.pos += 1
        if self.peek() not in ("INTEGER", "FLOAT"):
            self.syntax_error()
        self.pos += 1

    def column_def(self) -> ast.ColumnDef:
        ntok = self.tok()
        name = self.name()
        self.column_name = name
        type_name = self.type_name()
        constraints: list[ast.Constraint] = []
        deferrals = False
        while True:
            c = self.column_constraint()
            if c is None:
                break
            deferrals = deferrals or isinstance(c, _Deferral)
            constraints.append(c)
        if deferrals:
            return self.mark(ast.ColumnDef(name, type_name,
                                           _merge_deferrals(tuple(constraints))), ntok)
        return self.mark(ast.ColumnDef(name, type_name, tuple(constraints)), ntok)

    def column_constraint(self) -> ast.Constraint | None:
        cname = None
        if self.accept("CONSTRAINT"):
            cname = self.name()
        kind = self.peek()
        if kind == "PRIMARY":
            self.pos += 1
            self.expect("KEY")
            desc = False
            if self.accept("DESC"):
                desc = True
            else:
                self.accept("ASC")
            conflict = self.conflict_clause()
            auto = self.accept("AUTOINCREMENT")
            return ast.PrimaryKeyConstraint(cname, (), desc, conflict, auto)
        if kind == "NOT":
            self.pos += 1
            if self.peek() == "NULL":
                self.pos += 1
                return ast.NotNullConstraint(cname, self.conflict_clause())
            if self.peek() == "DEFERRABLE":
                self.pos += 1
                self.deferral()
                return _Deferral(cname, False)
            self.syntax_error()
        if kind == "NULL":
            self.pos += 1
            self.conflict_clause()
            return ast.NullConstraint(cname)
        if kind == "UNIQUE":
            self.pos += 1
            return ast.UniqueConstraint(cname, (), self.conflict_clause())
        if kind == "CHECK":
            self.pos += 1
            self.expect("(")
            e = self.expr()
            self.expect(")")
            return ast.CheckConstraint(cname, e)
        if kind == "DEFAULT":
            self.pos += 1
            return self.default_value(cname)
        if kind == "COLLATE":
            self.pos += 1
            return ast.CollateConstraint(cname, self.ids())
        if kind == "REFERENCES":
            return ast.ForeignKeyConstraint(cname, self.foreign_key_clause())
        if kind == "DEFERRABLE":
            self.pos += 1
            deferred = self.deferral()
            return _Deferral(cname, deferred)
        if kind == "GENERATED" or kind == "AS":
            if self.accept("GENERATED"):
                self.expect("ALWAYS")
            self.expect("AS")
            self.expect("(")
            e = self.expr()
            self.expect(")")
            stored = False
            if self.peek() in IDS_KINDS:
                word = self.advance()[1]
                if fold_name(word) == "stored":
                    stored = True
                elif fold_name(word) != "virtual":
                    self.action_error(f'error in generated column "{self.column_name}"',
                                      _CONSTRAINT_FOLLOWERS)
            return ast.GeneratedConstraint(cname, e, stored)
        if cname is not None:
            # "CONSTRAINT name" followed by no constraint is accepted.
            return _Deferral(cname, None)
        return None

    def deferral(self) -> bool:
        """``[INITIALLY DEFERRED|IMMEDIATE]`` after DEFERRABLE; True if deferred."""
        if self.accept("INITIALLY"):
            kind = self.peek()
            if kind == "DEFERRED":
                self.pos += 1
                return True
            if kind == "IMMEDIATE":
                self.pos += 1
                return False
            self.syntax_error()
        return False

    def default_value(self, cname: str | None) -> ast.DefaultConstraint:
        kind = self.peek()
        start = self.tok()[2]
        if kind == "(":
            self.pos += 1
            start = self.tok()[2]
            e = self.expr()
            end = self.prev_end()
            self.expect(")")
            return ast.DefaultConstraint(cname, e, self.sql[start:end].strip())
        sign = None
        if kind in ("+", "-"):
            sign = kind
            self.pos += 1
            kind = self.peek()
        if kind in ("INTEGER", "FLOAT", "STRING", "BLOB", "NULL") or (
                kind in ("CURRENT_TIME", "CURRENT_DATE", "CURRENT_TIMESTAMP")):
            tok = self.advance()
            e = self.literal(tok) if kind not in (
                "CURRENT_TIME", "CURRENT_DATE", "CURRENT_TIMESTAMP") else ast.CurrentTime(kind)
            if sign == "-":
                e = self.negate(e, tok)
            elif sign == "+":
                e = ast.Unary("+", e)
        elif sign is None and kind in ID_KINDS:
            tok = self.advance()
            word = dequote(tok[1])
            if tok[1][0] not in "\"'`[" and fold_name(word) in ("true", "false"):
                e = ast.Literal(1 if fold_name(word) == "true" else 0,
                                keyword=word.upper())
            else:
                e = ast.Literal(word)
        else:
            self.syntax_error()
        return ast.DefaultConstraint(cname, e, self.sql[start:self.prev_end()])

    def foreign_key_clause(self) -> ast.ForeignKeyClause:
        self.expect("REFERENCES")
        table = self.name()
        columns: tuple[str, ...] = ()
        first = self.pos + 1
        if self.accept("("):
            columns = self.name_list()
            self.mark(columns, *(self.toks[k] for k in range(first, self.pos - 1, 2)))
        on_delete = on_update = match = None
        deferred = None
        while True:
            kind = self.peek()
            if kind == "ON":
                self.pos += 1
                which = self.peek()
                if which not in ("DELETE", "UPDATE"):
                    self.syntax_error()
                self.pos += 1
                action = self.ref_action()
                if which == "DELETE":
                    on_delete = action
                else:
                    on_update = action
            elif kind == "MATCH":
                self.pos += 1
                match = self.name()
            else:
                break
        if self.peek() == "DEFERRABLE":
            self.pos += 1
            deferred = self.deferral()
        elif self.peek() == "NOT" and self.peek(1) == "DEFERRABLE":
            self.pos += 2
            self.deferral()
            deferred = False
        return ast.ForeignKeyClause(table, columns, on_delete, on_update, match,
                                    deferred)

    def ref_action(self) -> str:
        kind = self.peek()
        if kind == "SET":
            self.pos += 1
            if self.accept("NULL"):
                return "SET NULL"
            self.expect("DEFAULT")
            return "SET DEFAULT"
        if kind == "CASCADE" or kind == "RESTRICT":
            self.pos += 1
            return kind
        if kind == "NO":
            self.pos += 1
            self.expect("ACTION")
            return "NO ACTION"
        self.syntax_error()

    def table_constraints(self) -> list[ast.Constraint]:
        constraints: list[ast.Constraint] = []
        while True:
            cname = None
            if self.accept("CONSTRAINT"):
                cname = self.name()
            kind = self.peek()
            if kind == "PRIMARY":
                self.pos += 1
                self.expect("KEY")
                self.expect("(")
                cols = self.indexed_columns(allow_autoinc=True)
                auto = self.autoinc
                constraints.append(ast.PrimaryKeyConstraint(
                    cname, cols, False, self.conflict_clause(), auto))
            elif kind == "UNIQUE":
                self.pos += 1
                self.expect("(")
                cols = self.indexed_columns()
                constraints.append(ast.UniqueConstraint(cname, cols,
                                                        self.conflict_clause()))
            elif kind == "CHECK":
                self.pos += 1
                self.expect("(")
                e = self.expr()
                self.expect(")")
                self.conflict_clause()
                constraints.append(ast.CheckConstraint(cname, e))
            elif kind == "FOREIGN":
                self.pos += 1
                self.expect("KEY")
                self.expect("(")
                first = self.pos
                cols = self.name_list()
                self.mark(cols, *(self.toks[k] for k in range(first, self.pos - 1, 2)))
                clause = self.foreign_key_clause()
                constraints.append(ast.ForeignKeyConstraint(cname, clause, cols))
            else:
                self.syntax_error()
            if self.accept(","):
                continue
            if self.peek() in ("CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"):
                continue
            return constraints

    def indexed_columns(self, allow_autoinc: bool = False) -> tuple[ast.IndexedColumn, ...]:
        """``sortlist )``: expressions with COLLATE and ASC/DESC."""
        cols = []
        while True:
            e = self.expr()
            collation = None
            if isinstance(e, ast.Collate):
                collation = e.collation
                e = e.expr
            desc = False
            if self.accept("DESC"):
                desc = True
            else:
                self.accept("ASC")
            nulls = None
            if self.accept("NULLS"):
                nulls = self.peek()
                if nulls not in ("FIRST", "LAST"):
                    self.syntax_error()
                self.pos += 1
            cols.append(ast.IndexedColumn(e, collation, desc, nulls))
            if not self.accept(","):
                break
        auto = False
        if allow_autoinc:
            auto = self.accept("AUTOINCREMENT")
        self.autoinc = auto
        self.expect(")")
        return tuple(cols)

    def create_index(self) -> ast.CreateIndex:
        unique = self.accept("UNIQUE")
        self.expect("INDEX")
        ine = self.if_not_exists()
        schema, name = self.qualified()
        self.expect("ON")
        table = self.name()
        self.expect("(")
        cols = self.indexed_columns()
        where = self.expr() if self.accept("WHERE") else None
        return ast.CreateIndex(name, table, cols, schema, unique, ine, where)

    def create_view(self, temp: bool) -> ast.CreateView:
        self.expect("VIEW")
        ine = self.if_not_exists()
        schema, name = self.qualified()
        columns = None
        if self.accept("("):
            columns = self.eid_list()
        self.expect("AS")
        return ast.CreateView(name, self.select(), columns, schema, temp, ine)

    def create_trigger(self, temp: bool) -> ast.CreateTrigger:
        self.expect("TRIGGER")
        ine = self.if_not_exists()
        schema, name = self.qualified()
        time = None
        kind = self.peek()
        if kind in ("BEFORE", "AFTER"):
            self.pos += 1
            time = kind
        elif kind == "INSTEAD":
            self.pos += 1
            self.expect("OF")
            time = "INSTEAD OF"
        event = self.peek()
        if event not in ("DELETE", "INSERT", "UPDATE"):
            self.syntax_error()
        self.pos += 1
        update_columns = None
        utoks: list[Token] = []
        if event == "UPDATE" and self.accept("OF"):
            utoks.append(self.tok())
            cols = [self.name()]
            while self.accept(","):
                utoks.append(self.tok())
                cols.append(self.name())
            update_columns = tuple(cols)
        self.expect("ON")
        tschema, table, ttoks = self.qualified_tokens()
        for_each_row = False
        if self.accept("FOR"):
            self.expect("EACH")
            self.expect("ROW")
            for_each_row = True
        when = self.expr() if self.accept("WHEN") else None
        self.expect("BEGIN")
        body: list[ast.Statement] = []
        self.in_trigger = True
        try:
            while True:
                kind = self.peek()
                if kind == "UPDATE":
                    body.append(self.update())
                elif kind in ("INSERT", "REPLACE"):
                    body.append(self.insert())
                elif kind == "DELETE":
                    body.append(self.delete())
                elif kind in ("SELECT", "VALUES", "WITH"):
                    body.append(ast.SelectStatement(self.select()))
                else:
                    self.syntax_error()
                self.expect(";")
                if self.accept("END"):
                    break
        finally:
            self.in_trigger = False
        node = ast.CreateTrigger(name, table, event, tuple(body), time,
                                 update_columns, for_each_row, when,
                                 schema, temp, ine, tschema)
        self.mark(node, *ttoks)
        if update_columns is not None:
            self.mark(update_columns, *utoks)
        return node

    def create_virtual_table(self) -> ast.CreateVirtualTable:
        self.expect("VIRTUAL")
        self.expect("TABLE")
        ine = self.if_not_exists()
        schema, name = self.qualified()
        self.expect("USING")
        module = self.name()
        args: list[str] = []
        if self.accept("("):
            depth = 0
            start = self.tok()[2]
            end = start
            while True:
                kind = self.peek()
                if kind in ("EOF", ";", "ILLEGAL"):
                    self.syntax_error()
                tok = self.advance()
                if kind == "(":
                    depth += 1
                elif kind == ")":
                    if depth == 0:
                        args.append(self.sql[start:end].strip())
                        break
                    depth -= 1
                elif kind == "," and depth == 0:
                    args.append(self.sql[start:end].strip())
                    start = self.tok()[2]
                    end = start
                    continue
                end = tok[3]
        return ast.CreateVirtualTable(name, module, tuple(args), schema, ine)

    # -- other commands -------------------------------------------------

    def drop(self) -> ast.Drop:
        self.expect("DROP")
        kind = self.peek()
        if kind not in ("TABLE", "INDEX", "VIEW", "TRIGGER"):
            self.syntax_error()
        self.pos += 1
        ie = self.if_exists()
        schema, name = self.qualified()
        return ast.Drop(kind, name, schema, ie)

    def alter(self) -> ast.AlterTable:
        self.expect("ALTER")
        self.expect("TABLE")
        schema, table = self.qualified()
        kind = self.peek()
        action: ast.Node
        if kind == "RENAME":
            self.pos += 1
            if self.accept("TO"):
                action = ast.RenameTable(self.name())
            else:
                self.accept("COLUMN")
                old = self.name()
                self.expect("TO")
                action = ast.RenameColumn(old, self.name())
        elif kind == "ADD":
            self.pos += 1
            self.accept("COLUMN")
            action = ast.AddColumn(self.column_def())
        elif kind == "DROP":
            self.pos += 1
            self.accept("COLUMN")
            action = ast.DropColumn(self.name())
        else:
            self.syntax_error()
        return ast.AlterTable(table, action, schema)  # type: ignore[arg-type]

    def transaction_name(self) -> None:
        if self.accept("TRANSACTION"):
            if self.peek() in NAME_KINDS:
                self.pos += 1

    def begin(self) -> ast.Begin:
        self.expect("BEGIN")
        mode = None
        if self.peek() in ("DEFERRED", "IMMEDIATE", "EXCLUSIVE"):
            mode = self.advance()[0]
        self.transaction_name()
        return ast.Begin(mode)

    def commit(self) -> ast.Commit:
        self.pos += 1
        self.transaction_name()
        return ast.Commit()

    def rollback(self) -> ast.Rollback:
        self.expect("ROLLBACK")
        self.transaction_name()
        if self.accept("TO"):
            self.accept("SAVEPOINT")
            return ast.Rollback(self.name())
        return ast.Rollback()

    def savepoint(self) -> ast.Savepoint:
        self.expect("SAVEPOINT")
        return ast.Savepoint(self.name())

    def release(self) -> ast.Release:
        self.expect("RELEASE")
        self.accept("SAVEPOINT")
        return ast.Release(self.name())

    def pragma(self) -> ast.Pragma:
        self.expect("PRAGMA")
        schema, name = self.qualified()
        value = None
        if self.accept("="):
            value = self.pragma_value()
        elif self.accept("("):
            value = self.pragma_value()
            self.expect(")")
        return ast.Pragma(name, schema, value)

    def pragma_value(self) -> ast.Expr:
        kind = self.peek()
        if kind in ("+", "-"):
            self.pos += 1
            if self.peek() not in ("INTEGER", "FLOAT"):
                self.syntax_error()
            tok = self.advance()
            lit = self.literal(tok)
            if kind == "-" and isinstance(lit.value, (int, float)):
                return ast.Literal(-lit.value)
            return lit
        if kind in ("INTEGER", "FLOAT", "STRING"):
            return self.literal(self.advance())
        if kind in NAME_KINDS or kind in ("ON", "DELETE", "DEFAULT"):
            tok = self.advance()
            return ast.Column(dequote(tok[1]))
        self.syntax_error()

    def attach(self) -> ast.Attach:
        self.expect("ATTACH")
        self.accept("DATABASE")
        e = self.expr()
        self.expect("AS")
        alias = self.expr()
        key = self.expr() if self.accept("KEY") else None
        return ast.Attach(e, alias, key)

    def detach(self) -> ast.Detach:
        self.expect("DETACH")
        self.accept("DATABASE")
        return ast.Detach(self.expr())

    def vacuum(self) -> ast.Vacuum:
        self.expect("VACUUM")
        schema = None
        if self.peek() in NAME_KINDS:
            schema = self.name()
        into = self.expr() if self.accept("INTO") else None
        return ast.Vacuum(schema, into)

    def analyze(self) -> ast.Analyze:
        self.expect("ANALYZE")
        if self.peek() in NAME_KINDS:
            schema, name = self.qualified()
            return ast.Analyze(name, schema)
        return ast.Analyze()

    def reindex(self) -> ast.Reindex:
        self.expect("REINDEX")
        if self.peek() in NAME_KINDS:
            schema, name = self.qualified()
            return ast.Reindex(name, schema)
        return ast.Reindex()

    # ------------------------------------------------------------------
    # Expressions
    # ------------------------------------------------------------------

    def expr_list(self) -> tuple[ast.Expr, ...]:
        items = [self.expr()]
        while self.accept(","):
            items.append(self.expr())
        return tuple(items)

    def expr_list_until(self, close: str) -> tuple[ast.Expr, ...]:
        if self.accept(close):
            return ()
        items = self.expr_list()
        self.expect(close)
        return items

    def expr(self, min_level: int = 0, stop_at_and: bool = False) -> ast.Expr:
        """Parse an expression whose operators all bind at *min_level* or tighter.

        Precedence climbing with explicit stacks: ``operands`` holds
        expressions, ``ops`` holds pending ``(level, kind, payload)`` entries,
        kind being 'bin' (binary operator), 'not' or 'neg' (prefix operators).
        """
        operands: list[ast.Expr] = []
        ops: list[tuple[int, str, str]] = []
        base_stack = self.stack
        start_pos = self.pos
        peek = self.peek
        while True:
            # Prefix operators.
            while True:
                kind = peek()
                if kind == "NOT":
                    if peek(1) == "EXISTS":
                        break
                    self.pos += 1
                    ops.append((_L_NOT, "pre", "NOT"))
                elif kind in ("-", "+", "~"):
                    self.pos += 1
                    ops.append((_L_UNARY, "pre", kind))
                else:
                    break
                if len(ops) + self.stack > _STACK_LIMIT + 1:
                    _error("parser stack overflow")
            self.stack = base_stack + 2 * len(ops)
            operand = self.primary()
            # Fold prefix unary minus/plus/~ (level 12) right away.
            while ops and ops[-1][0] == _L_UNARY:
                op = ops.pop()[2]
                text = self.toks[self.pos - 1][1]
                if op == "-" and isinstance(operand, ast.Literal) and \
                        text.isdigit() and int(text) == 1 << 63:
                    operand = ast.Literal(-9223372036854775808)
                else:
                    operand = ast.Unary(op, operand)
            # Postfix COLLATE binds tighter than every binary operator but
            # looser than the unary operators.
            while peek() == "COLLATE":
                self.pos += 1
                operand = ast.Collate(operand, self.ids())
            operands.append(operand)
            # Infix and postfix operators.
            need_operand = False
            while True:
                kind = peek()
                if kind == "COLLATE":
                    # Binds tighter than any operator that could be pending,
                    # so it applies to the operand just completed.
                    self.pos += 1
                    operands[-1] = ast.Collate(operands[-1], self.ids())
                    continue
                level = _BINARY_LEVEL.get(kind)
                if level is None:
                    if kind in _EQ_LEVEL_STARTERS:
                        level = _L_EQ
                    else:
                        break
                if level < min_level or (stop_at_and and kind == "AND"):
                    break
                # Reduce pending operators that bind at least as tightly.
                while ops and ops[-1][0] >= level:
                    self._reduce(operands, ops)
                if kind in _BINARY_LEVEL:
                    self.pos += 1
                    ops.append((level, "bin", _OP_NAME.get(kind, kind)))
                    need_operand = True
                    break
                if kind == "IS":
                    self.pos += 1
                    op = "IS"
                    if self.accept("NOT"):
                        op = "IS NOT"
                    if peek() == "DISTINCT":
                        self.pos += 1
                        self.expect("FROM")
                        op = "IS NOT" if op == "IS" else "IS"
                    ops.append((level, "bin", op))
                    need_operand = True
                    break
                if kind == "ISNULL" or kind == "NOTNULL":
                    self.pos += 1
                    operands[-1] = ast.IsNull(operands[-1], kind == "NOTNULL")
                    continue
                negated = False
                if kind == "NOT":
                    negated = True
                    nxt = peek(1)
                    if nxt == "NULL":
                        self.pos += 2
                        operands[-1] = ast.IsNull(operands[-1], True)
                        continue
                    self.pos += 1
                    if nxt not in ("IN", "BETWEEN") and nxt not in LIKE_OPS:
                        self.syntax_error()
                    kind = nxt
                self.pos += 1
                left = operands[-1]
                self.stack = base_stack + 2 * len(ops) + 1
                if kind == "BETWEEN":
                    low = self.expr(0, stop_at_and=True)
                    self.expect("AND")
                    high = self.expr(_L_CMP)
                    operands[-1] = ast.Between(left, low, high, negated)
                elif kind == "IN":
                    operands[-1] = self.in_rhs(left, negated)
                else:
                    right = self.expr(_L_CMP)
                    escape = None
                    if self.accept("ESCAPE"):
                        escape = self.expr(_L_CMP)
                    operands[-1] = ast.Like(kind, left, right, escape, negated)
                self.stack = base_stack
            if not need_operand:
                break
        while ops:
            self._reduce(operands, ops)
        self.stack = base_stack
        result = operands[0]
        if self.pos - start_pos > 300 and base_stack == 0:
            if _expr_height(result) > MAX_EXPR_DEPTH:
                _error(f"Expression tree is too large (maximum depth {MAX_EXPR_DEPTH})")
        return result

    @staticmethod
    def _reduce(operands: list[ast.Expr], ops: list[tuple[int, str, str]]) -> None:
        level, kind, op = ops.pop()
        if kind == "pre":
            operands[-1] = ast.Unary(op, operands[-1])
        else:
            right = operands.pop()
            if (op == "IS" or op == "IS NOT") and type(right) is ast.Literal \
                    and right.value is None:
                # binaryToUnaryIfNull: "x IS NULL" is an ISNULL test.
                operands[-1] = ast.IsNull(operands[-1], op == "IS NOT")
            else:
                operands[-1] = ast.Binary(op, operands[-1], right)

    def in_rhs(self, left: ast.Expr, negated: bool) -> ast.In:
        if self.accept("("):
            self.push(3)
            if self.peek() in ("SELECT", "VALUES", "WITH"):
                sel = self.select()
                self.expect(")")
                self.stack -= 3
                return ast.In(left, select=sel, negated=negated)
            values = self.expr_list_until(")")
            self.stack -= 3
            return ast.In(left, values=values, negated=negated)
        schema, name = self.qualified()
        args = None
        if self.accept("("):
            args = self.expr_list_until(")")
        return ast.In(left, table=ast.QualifiedName(name, schema),
                      table_args=args, negated=negated)

    def literal(self, tok: Token) -> ast.Literal:
        kind, text = tok[0], tok[1]
        if kind == "INTEGER":
            if text[:2] in ("0x", "0X"):
                digits = text[2:].lstrip("0")
                if len(digits) > 16:
                    _error(f"hex literal too big: {text}")
                v = int(text, 16) if digits else 0
                if v > _MAX_I64:
                    v -= 1 << 64
                return ast.Literal(v)
            v = int(text)
            # (past 64 bits a real, as sqlite3AtoF reads it: so is a FLOAT)
            return ast.Literal(v if v <= _MAX_I64 else _atof(text))
        if kind == "FLOAT":
            return ast.Literal(_atof(text))
        if kind == "STRING":
            return ast.Literal(text[1:-1].replace("''", "'"))
        if kind == "BLOB":
            return ast.Literal(bytes.fromhex(text[2:-1]))
        if kind == "NULL":
            return ast.Literal(None)
        self.syntax_error(tok)

    @staticmethod
    def negate(e: ast.Expr, tok: Token) -> ast.Expr:
        if isinstance(e, ast.Literal) and tok[1] == "9223372036854775808":
            return ast.Literal(-9223372036854775808)
        return ast.Unary("-", e)

    def primary(self) -> ast.Expr:
        tok = self.tok()
        kind = tok[0]
        if kind in ("INTEGER", "FLOAT", "STRING", "BLOB", "NULL"):
            if kind == "STRING" and self.peek(1) == ".":
                return self.column_ref()
            self.pos += 1
            return self.literal(tok)
        if kind == "VARIABLE":
            self.pos += 1
            return ast.Variable(tok[1])
        if kind == "(":
            self.pos += 1
            if self.peek() in ("SELECT", "VALUES", "WITH"):
                self.push(5)
                sel = self.select()
                self.stack -= 5
                self.expect(")")
                return ast.Subquery(sel)
            self.push(1)
            first = self.expr()
            if self.accept(","):
                items = [first]
                while True:
                    items.append(self.expr())
                    if not self.accept(","):
                        break
                self.expect(")")
                self.stack -= 1
                return ast.Vector(tuple(items))
            self.expect(")")
            self.stack -= 1
            return first
        if kind == "CAST":
            self.pos += 1
            self.expect("(")
            self.push(3)
            e = self.expr()
            self.expect("AS")
            type_name = self.type_name() or ""
            self.expect(")")
            self.stack -= 3
            return ast.Cast(e, type_name)
        if kind == "CASE":
            self.pos += 1
            self.push(2)
            base = None
            if self.peek() != "WHEN":
                base = self.expr()
            whens = []
            while self.accept("WHEN"):
                w = self.expr()
                self.expect("THEN")
                whens.append((w, self.expr()))
            if not whens:
                self.syntax_error()
            else_ = self.expr() if self.accept("ELSE") else None
            self.expect("END")
            self.stack -= 2
            return ast.Case(base, tuple(whens), else_)
        if kind == "EXISTS":
            self.pos += 1
            self.expect("(")
            self.push(5)
            sel = self.select()
            self.stack -= 5
            self.expect(")")
            return ast.Exists(sel)
        if kind == "NOT" and self.peek(1) == "EXISTS":
            self.pos += 1
            return ast.Unary("NOT", self.primary())
        if kind in ("CURRENT_TIME", "CURRENT_DATE", "CURRENT_TIMESTAMP"):
            self.pos += 1
            return ast.CurrentTime(kind)
        if kind == "RAISE":
            self.pos += 1
            self.expect("(")
            action = self.peek()
            if action == "IGNORE":
                self.pos += 1
                self.expect(")")
                return ast.Raise("IGNORE")
            if action not in ("ROLLBACK", "ABORT", "FAIL"):
                self.syntax_error()
            self.pos += 1
            self.expect(",")
            msg = ast.Literal(self.name())   # nm: a name or string, not an expression
            self.expect(")")
            return ast.Raise(action, msg)
        if kind in ID_KINDS or kind in JOIN_KEYWORDS:
            nxt = self.peek(1)
            if kind == "WINDOW" and nxt in NAME_KINDS and self.peek(2) == "AS":
                self.syntax_error()  # the tokenizer makes this WINDOW a keyword
            if nxt == "(" and kind not in JOIN_KEYWORDS:
                return self.function_call()
            if nxt == ".":
                return self.column_ref()
            self.pos += 1
            text = tok[1]
            first = text[0]
            if first == '"':
                return self.mark(ast.Column(dequote(text), quoted=True), tok)
            if first in "[`":
                return self.mark(ast.Column(dequote(text)), tok)
            low = fold_name(text)
            if low == "true":
                return ast.Literal(1, keyword="TRUE")
            if low == "false":
                return ast.Literal(0, keyword="FALSE")
            return self.mark(ast.Column(text), tok)
        self.syntax_error()

    def column_ref(self) -> ast.Column:
        start = self.pos
        a = self.name()
        self.expect(".")
        b = self.name()
        if self.accept("."):
            c = self.name()
            return self.mark(ast.Column(c, b, a), *self.toks[start:self.pos:2])
        return self.mark(ast.Column(b, a), *self.toks[start:self.pos:2])

    def function_call(self) -> ast.Expr:
        name = dequote(self.advance()[1])
        self.pos += 1  # (
        self.push(3)
        distinct = star = False
        args: tuple[ast.Expr, ...] = ()
        if self.accept("*"):
            star = True
            self.expect(")")
        elif self.accept(")"):
            pass
        else:
            if self.accept("DISTINCT"):
                distinct = True
            else:
                self.accept("ALL")
            args = self.expr_list_until(")")
        filter_ = None
        over: ast.WindowSpec | str | None = None
        if self.peek() == "FILTER" and self.peek(1) == "(":
            self.pos += 2
            self.expect("WHERE")
            filter_ = self.expr()
            self.expect(")")
        if self.peek() == "OVER" and self.peek(1) in _OVER_FOLLOWERS:
            self.pos += 1
            if self.accept("("):
                over = self.window_spec()
            else:
                over = self.name()
        self.stack -= 3
        return ast.FunctionCall(name, args, distinct, star, filter_, over)

    def window_spec(self) -> ast.WindowSpec:
        """``[base] [PARTITION BY ..] [ORDER BY ..] [frame] )`` after '('."""
        self.push(3)
        base = None
        kind = self.peek()
        if kind in NAME_KINDS and kind not in ("PARTITION", "RANGE", "ROWS", "GROUPS"):
            base = self.name()
        partition: tuple[ast.Expr, ...] = ()
        order: tuple[ast.OrderingTerm, ...] = ()
        if self.peek() == "PARTITION":
            self.pos += 1
            self.expect("BY")
            partition = self.expr_list()
        if self.peek() == "ORDER":
            order = self.order_by()
        frame = None
        if self.peek() in ("RANGE", "ROWS", "GROUPS"):
            frame = self.frame()
        self.expect(")")
        self.stack -= 3
        return ast.WindowSpec(base, partition, order, frame)

    def frame(self) -> ast.Frame:
        units = self.advance()[0]
        if self.accept("BETWEEN"):
            start = self.frame_bound(True)
            self.expect("AND")
            end = self.frame_bound(False)
        else:
            start = self.frame_bound(True)
            end = ast.FrameBound("CURRENT ROW")
        bad = (start.kind == "CURRENT ROW" and end.kind == "PRECEDING") or (
            start.kind == "FOLLOWING" and end.kind in ("PRECEDING", "CURRENT ROW"))
        exclude = None
        if self.accept("EXCLUDE"):
            kind = self.peek()
            if kind == "NO":
                self.pos += 1
                self.expect("OTHERS")
                exclude = "NO OTHERS"
            elif kind == "CURRENT":
                self.pos += 1
                self.expect("ROW")
                exclude = "CURRENT ROW"
            elif kind in ("GROUP", "TIES"):
                self.pos += 1
                exclude = kind
            else:
                self.syntax_error()
        if bad:
            self.action_error("unsupported frame specification", frozenset((")",)))
        return ast.Frame(units, start, end, exclude)

    def frame_bound(self, is_start: bool) -> ast.FrameBound:
        kind = self.peek()
        if kind == "UNBOUNDED":
            self.pos += 1
            want = "PRECEDING" if is_start else "FOLLOWING"
            self.expect(want)
            return ast.FrameBound("UNBOUNDED " + want)
        if kind == "CURRENT" and self.peek(1) == "ROW":
            self.pos += 2
            return ast.FrameBound("CURRENT ROW")
        e = self.expr()
        kind = self.peek()
        if kind not in ("PRECEDING", "FOLLOWING"):
            self.syntax_error()
        self.pos += 1
        return ast.FrameBound(kind, e)


class _Deferral(ast.Constraint):
    """Internal: a DEFERRABLE clause standing alone among column constraints
    (it amends the preceding REFERENCES, as sqlite3DeferForeignKey does), or,
    with ``deferred`` None, a ``CONSTRAINT name`` that named nothing.  Merged
    away by :func:`_merge_deferrals` before the ColumnDef is built."""

    __slots__ = ("name", "deferred")

    def __init__(self, name: str | None, deferred: bool | None) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "deferred", deferred)


def _merge_deferrals(constraints: tuple[ast.Constraint, ...]) -> tuple[ast.Constraint, ...]:
    """Apply stand-alone DEFERRABLE clauses to the preceding REFERENCES."""
    out: list[ast.Constraint] = []
    for c in constraints:
        if isinstance(c, _Deferral):
            if c.deferred is None:
                continue  # a bare "CONSTRAINT name"
            for i in range(len(out) - 1, -1, -1):
                prev = out[i]
                if isinstance(prev, ast.ForeignKeyConstraint):
                    cl = prev.clause
                    out[i] = ast.ForeignKeyConstraint(prev.name, ast.ForeignKeyClause(
                        cl.table, cl.columns, cl.on_delete, cl.on_update, cl.match,
                        c.deferred), prev.columns)
                    break
            continue
        out.append(c)
    return tuple(out)


_COMMANDS: dict[str, Callable[[Parser], ast.Statement]] = {
    "SELECT": Parser.select_statement,
    "VALUES": Parser.select_statement,
    "WITH": Parser.with_statement,
    "INSERT": Parser.insert,
    "REPLACE": Parser.insert,
    "UPDATE": Parser.update,
    "DELETE": Parser.delete,
    "CREATE": Parser.create,
    "DROP": Parser.drop,
    "ALTER": Parser.alter,
    "BEGIN": Parser.begin,
    "COMMIT": Parser.commit,
    "END": Parser.commit,
    "ROLLBACK": Parser.rollback,
    "SAVEPOINT": Parser.savepoint,
    "RELEASE": Parser.release,
    "PRAGMA": Parser.pragma,
    "ATTACH": Parser.attach,
    "DETACH": Parser.detach,
    "VACUUM": Parser.vacuum,
    "ANALYZE": Parser.analyze,
    "REINDEX": Parser.reindex,
}

# ----------------------------------------------------------------------
# Public API
# ----------------------------------------------------------------------


def parse_one(sql: str, offset: int = 0) -> ParsedStatement | None:
    """Parse the first statement of ``sql[offset:]``.

    Returns None when only whitespace, comments and semicolons remain.
    Raises :class:`pyrite.errors.OperationalError` with SQLite's message on a
    syntax error.
    """
    p = Parser(sql, offset)
    while p.peek() == ";":
        p.pos += 1
    if p.peek() == "EOF":
        return None
    start = p.tok()[2]
    try:
        stmt = p.statement()
    except RecursionError:  # pragma: no cover - bounded by the stack limit
        _error("parser stack overflow")
    end = p.prev_end()
    kind = p.peek()
    if kind == ";":
        tail = p.tok()[3]
    elif kind == "EOF":
        tail = len(sql)
    else:
        p.syntax_error()
    return ParsedStatement(stmt, start, end, tail)


def parse(sql: str) -> list[ast.Statement]:
    """Parse every statement of *sql*."""
    out = []
    offset = 0
    while True:
        ps = parse_one(sql, offset)
        if ps is None:
            return out
        out.append(ps.statement)
        offset = ps.tail


def parse_expr(text: str) -> ast.Expr:
    """Parse a lone expression (a column DEFAULT, CHECK, index expression...)."""
    p = Parser(text)
    try:
        e = p.expr()
    except RecursionError:  # pragma: no cover - bounded by the stack limit
        _error("parser stack overflow")
    if p.peek() != "EOF":
        p.syntax_error()
    return e


def complete_statement(sql: str) -> bool:
    """True if *sql* ends a statement (sqlite3_complete semantics).

    A statement is complete when it ends with a semicolon that is not inside
    a string, comment or CREATE TRIGGER body.  Tokens are classified as
    SQLite's state machine in ``complete.c`` does: CREATE [TEMP] TRIGGER opens
    a trigger, whose body ends with ``END ;``.
    """
    # States: 0 start, 1 normal, 2 explain, 3 create, 4 trigger, 5 semi,
    # 6 end, 7 ... (as in complete.c)
    state = 0
    trans = (
        # SEMI WS OTHER EXPLAIN CREATE TEMP TRIGGER END
        (1, 0, 2, 3, 4, 2, 2, 2),   # 0 START
        (1, 1, 2, 3, 4, 2, 2, 2),   # 1 NORMAL
        (1, 2, 2, 2, 2, 2, 2, 2),   # 2 EXPLAIN? (other)
        (1, 3, 3, 2, 4, 2, 2, 2),   # 3 EXPLAIN
        (1, 4, 2, 2, 2, 4, 5, 2),   # 4 CREATE
        (6, 5, 5, 5, 5, 5, 5, 5),   # 5 TRIGGER
        (6, 6, 5, 5, 5, 5, 5, 7),   # 6 SEMI
        (1, 7, 5, 5, 5, 5, 5, 5),   # 7 END
    )
    for m in _TOKEN_RE.finditer(sql):
        group = m.lastgroup
        text = m.group()
        if group == "ws":
            if text.startswith("/*") and not text.endswith("*/") or len(text) < 4 and text.startswith("/*"):
                return False
            if text.startswith("--") and m.end() == len(sql) and "\n" not in text:
                # A trailing -- comment does not complete a statement by itself.
                pass
            tk = 1
        elif group == "unterminated":
            return False
        elif group == "op" and text == ";":
            tk = 0
        elif group == "id":
            u = text.upper()
            tk = {"EXPLAIN": 3, "CREATE": 4, "TEMP": 5, "TEMPORARY": 5,
                  "TRIGGER": 6, "END": 7}.get(u, 2)
        else:
            tk = 2
        state = trans[state][tk]
    return state == 1


def parse_with_spans(sql: str) -> tuple[ast.Statement, dict[int, tuple[object, tuple[Token, ...]]]]:
    """Parse the one statement of a stored schema text, also returning the
    identifier tokens of its name-bearing nodes (see ``Parser.spans``): what
    ALTER TABLE needs to edit exactly the tokens that name a table or column."""
    p = Parser(sql)
    p.spans = {}
    try:
        stmt = p.statement()
    except RecursionError:  # pragma: no cover - bounded by the stack limit
        _error("parser stack overflow")
    return stmt, p.spans
