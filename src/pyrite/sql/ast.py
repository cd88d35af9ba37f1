"""SQL front end: the typed AST that the parser produces and the compiler reads.

Every node is a frozen slotted dataclass that declares its children once.
Identifiers are stored with quotes removed (``"a b"`` -> ``a b``) and case as
written; comparisons of names are case-insensitive and are the compiler's job.
Operators are stored as upper-case SQL spelling, normalised: ``==`` -> ``=``,
``<>`` -> ``!=``.  SQLite's counterpart is the ``Expr``/``Select``/``SrcList``
structures built by ``parse.y``.

Source spans: statements carry no text; the parser reports each statement's
``(start, end)`` offsets in the SQL string (see ``parser.parse_one``), which is
what the schema table stores for CREATE statements.  Result columns and column
DEFAULT clauses keep the source text SQLite needs (result column names, the
``dflt_value`` of ``PRAGMA table_info``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

Value = Union[None, int, float, str, bytes]


@dataclass(frozen=True, slots=True)
class Node:
    """Base of all AST nodes."""


# --------------------------------------------------------------------------
# Expressions
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Expr(Node):
    """Base of expressions."""


@dataclass(frozen=True, slots=True)
class Literal(Expr):
    """A literal: NULL, integer, real, string or blob (``X'..'``).

    Integer literals that do not fit in 64 bits are reals, as in SQLite.
    TRUE and FALSE are the integers 1 and 0 when they are not column names.

    The parser produces ``Literal(1, keyword='TRUE')`` / ``Literal(0,
    keyword='FALSE')`` for bare TRUE/FALSE, so the compiler can tell them
    from ``1``/``0``: ``x IS TRUE`` is a truth test in SQLite (SQLite's
    TK_TRUEFALSE), and a column really named ``true`` wins over the keyword.
    """

    value: Value
    keyword: str | None = None  # 'TRUE' | 'FALSE' for the boolean keywords


@dataclass(frozen=True, slots=True)
class CurrentTime(Expr):
    """CURRENT_TIME, CURRENT_DATE or CURRENT_TIMESTAMP."""

    kind: str  # 'CURRENT_TIME' | 'CURRENT_DATE' | 'CURRENT_TIMESTAMP'


@dataclass(frozen=True, slots=True)
class Variable(Expr):
    """A bound parameter, as written: ``?``, ``?12``, ``:name``, ``@name``, ``$name``.

    The compiler numbers parameters as SQLite does: ``?`` takes the next index,
    ``?N`` is index N, a named parameter takes an index the first time it appears.
    """

    text: str


@dataclass(frozen=True, slots=True)
class Column(Expr):
    """A column reference ``[schema.][table.]name`` (or a bare identifier).

    ``quoted`` is True for a bare name written in double quotes (``"abc"``):
    SQLite treats such a name as the string literal ``'abc'`` when no column
    of that name exists, so the compiler must fall back to ``Literal(name)``.
    """

    name: str
    table: str | None = None
    schema: str | None = None
    quoted: bool = False  # written in double quotes: a string literal if no column matches


@dataclass(frozen=True, slots=True)
class Unary(Expr):
    """Prefix operator: ``-``, ``+``, ``~``, ``NOT``."""

    op: str
    operand: Expr


@dataclass(frozen=True, slots=True)
class Binary(Expr):
    """Binary operator.

    ``op`` is one of ``|| * / % + - << >> & | < <= > >= = != IS IS NOT AND OR
    -> ->>``.
    """

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Like(Expr):
    """``left [NOT] LIKE|GLOB|REGEXP|MATCH right [ESCAPE escape]``."""

    op: str  # 'LIKE' | 'GLOB' | 'REGEXP' | 'MATCH'
    left: Expr
    right: Expr
    escape: Expr | None = None
    negated: bool = False


@dataclass(frozen=True, slots=True)
class Between(Expr):
    """``expr [NOT] BETWEEN low AND high``."""

    expr: Expr
    low: Expr
    high: Expr
    negated: bool = False


@dataclass(frozen=True, slots=True)
class In(Expr):
    """``expr [NOT] IN (...)``.

    Exactly one of ``values`` (a possibly empty list), ``select``, or ``table``
    (``IN tbl`` / ``IN schema.tbl`` / ``IN tablefunc(args)``) is set.
    """

    expr: Expr
    values: tuple[Expr, ...] | None = None
    select: Select | None = None
    table: QualifiedName | None = None
    table_args: tuple[Expr, ...] | None = None
    negated: bool = False


@dataclass(frozen=True, slots=True)
class IsNull(Expr):
    """``expr ISNULL`` / ``expr NOTNULL`` / ``expr NOT NULL`` (negated=True)."""

    expr: Expr
    negated: bool = False


@dataclass(frozen=True, slots=True)
class Case(Expr):
    """``CASE [base] WHEN w THEN t ... [ELSE e] END``."""

    base: Expr | None
    whens: tuple[tuple[Expr, Expr], ...]
    else_: Expr | None = None


@dataclass(frozen=True, slots=True)
class Cast(Expr):
    """``CAST(expr AS type_name)``."""

    expr: Expr
    type_name: str


@dataclass(frozen=True, slots=True)
class Collate(Expr):
    """``expr COLLATE name``."""

    expr: Expr
    collation: str


@dataclass(frozen=True, slots=True)
class FunctionCall(Expr):
    """A function call, aggregate or window function.

    ``star`` is ``count(*)``.  ``over`` is a window specification or the name of
    a window defined in the WINDOW clause.
    """

    name: str
    args: tuple[Expr, ...] = ()
    distinct: bool = False
    star: bool = False
    filter: Expr | None = None
    over: WindowSpec | str | None = None


@dataclass(frozen=True, slots=True)
class Subquery(Expr):
    """A scalar subquery ``(SELECT ...)``."""

    select: Select


@dataclass(frozen=True, slots=True)
class Exists(Expr):
    """``EXISTS (SELECT ...)``; ``NOT EXISTS`` is ``Unary('NOT', Exists(...))``."""

    select: Select


@dataclass(frozen=True, slots=True)
class Raise(Expr):
    """``RAISE(IGNORE)`` or ``RAISE(ROLLBACK|ABORT|FAIL, message)`` (triggers only)."""

    action: str  # 'IGNORE' | 'ROLLBACK' | 'ABORT' | 'FAIL'
    message: Expr | None = None


@dataclass(frozen=True, slots=True)
class Vector(Expr):
    """A row value ``(a, b, ...)`` with two or more elements."""

    items: tuple[Expr, ...]


# --------------------------------------------------------------------------
# SELECT
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QualifiedName(Node):
    """``[schema.]name``."""

    name: str
    schema: str | None = None


@dataclass(frozen=True, slots=True)
class OrderingTerm(Node):
    """An ORDER BY term (also used for indexed columns of windows)."""

    expr: Expr
    desc: bool = False
    nulls: str | None = None  # 'FIRST' | 'LAST' | None


@dataclass(frozen=True, slots=True)
class FrameBound(Node):
    """A window frame boundary."""

    kind: str  # 'UNBOUNDED PRECEDING' | 'PRECEDING' | 'CURRENT ROW' | 'FOLLOWING' | 'UNBOUNDED FOLLOWING'
    expr: Expr | None = None


@dataclass(frozen=True, slots=True)
class Frame(Node):
    """``ROWS|RANGE|GROUPS BETWEEN start AND end [EXCLUDE ...]``."""

    units: str  # 'ROWS' | 'RANGE' | 'GROUPS'
    start: FrameBound
    end: FrameBound | None = None
    exclude: str | None = None  # 'NO OTHERS' | 'CURRENT ROW' | 'GROUP' | 'TIES'


@dataclass(frozen=True, slots=True)
class WindowSpec(Node):
    """A window definition ``([base] [PARTITION BY ...] [ORDER BY ...] [frame])``."""

    base: str | None = None
    partition_by: tuple[Expr, ...] = ()
    order_by: tuple[OrderingTerm, ...] = ()
    frame: Frame | None = None


@dataclass(frozen=True, slots=True)
class NamedWindow(Node):
    """``WINDOW name AS (spec)``."""

    name: str
    spec: WindowSpec


@dataclass(frozen=True, slots=True)
class ResultColumn(Node):
    """One result column.

    ``*`` has ``star=True`` and ``expr=None``; ``t.*`` has ``star=True`` and
    ``table='t'``.  ``text`` is the expression's source text, which names the
    column when there is no alias.
    """

    expr: Expr | None
    alias: str | None = None
    star: bool = False
    table: str | None = None
    text: str = ""


@dataclass(frozen=True, slots=True)
class FromItem(Node):
    """Base of FROM-clause items."""


@dataclass(frozen=True, slots=True)
class TableRef(FromItem):
    """``[schema.]name [AS alias] [INDEXED BY idx | NOT INDEXED]``."""

    name: str
    schema: str | None = None
    alias: str | None = None
    indexed_by: str | None = None
    not_indexed: bool = False


@dataclass(frozen=True, slots=True)
class TableFunctionRef(FromItem):
    """``[schema.]func(args) [AS alias]`` (table-valued function)."""

    name: str
    args: tuple[Expr, ...]
    schema: str | None = None
    alias: str | None = None


@dataclass(frozen=True, slots=True)
class SubqueryRef(FromItem):
    """``(SELECT ...) [AS alias]``."""

    select: Select
    alias: str | None = None
    # set for the internal rewrite of a compound with ORDER BY/LIMIT: its
    # columns give back the compound's own values, without column affinity
    plain: bool = False
    # a parenthesized join ``(a JOIN b ...)`` read as ``SELECT * FROM a JOIN
    # b ...`` whose columns keep the names of the tables they come from
    # (SQLite's SF_NestedFrom): ``a.x`` outside still finds a's column
    nested_from: bool = False


@dataclass(frozen=True, slots=True)
class Join(FromItem):
    """``left <op> right [ON expr | USING (cols)]``.

    ``op`` is ``','``, ``'INNER'``, ``'CROSS'``, ``'LEFT'``, ``'RIGHT'`` or
    ``'FULL'`` (OUTER is implied); ``natural`` marks NATURAL joins.  A FROM
    clause ``a, b JOIN c`` is ``Join(Join(a, b, ','), c, 'INNER')`` (left-deep);
    a parenthesised join appears as the right-hand item.
    """

    left: FromItem
    right: FromItem
    op: str = "INNER"
    natural: bool = False
    on: Expr | None = None
    using: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class SelectCore(Node):
    """``SELECT [DISTINCT|ALL] cols [FROM ...] [WHERE] [GROUP BY [HAVING]] [WINDOW]``."""

    columns: tuple[ResultColumn, ...]
    distinct: bool = False
    from_: FromItem | None = None
    where: Expr | None = None
    group_by: tuple[Expr, ...] = ()
    having: Expr | None = None
    windows: tuple[NamedWindow, ...] = ()
    # the SELECT * of a parenthesized join (see SubqueryRef.nested_from)
    nested_from: bool = False


@dataclass(frozen=True, slots=True)
class Values(Node):
    """``VALUES (..), (..)``: a select core of literal rows."""

    rows: tuple[tuple[Expr, ...], ...]


@dataclass(frozen=True, slots=True)
class CommonTableExpr(Node):
    """``name [(cols)] AS [[NOT] MATERIALIZED] (select)``."""

    name: str
    select: Select
    columns: tuple[str, ...] | None = None
    materialized: bool | None = None


@dataclass(frozen=True, slots=True)
class With(Node):
    """``WITH [RECURSIVE] cte, ...``."""

    ctes: tuple[CommonTableExpr, ...]
    recursive: bool = False


@dataclass(frozen=True, slots=True)
class Select(Node):
    """A full SELECT: ``[WITH] core [compound-op core]... [ORDER BY] [LIMIT [OFFSET]]``.

    ``compounds`` holds ``(op, core)`` pairs applied left to right, op being
    ``'UNION'``, ``'UNION ALL'``, ``'INTERSECT'`` or ``'EXCEPT'``.  ``LIMIT a, b``
    is stored as ``limit=b, offset=a``.
    """

    core: SelectCore | Values
    compounds: tuple[tuple[str, SelectCore | Values], ...] = ()
    order_by: tuple[OrderingTerm, ...] = ()
    limit: Expr | None = None
    offset: Expr | None = None
    with_: With | None = None


# --------------------------------------------------------------------------
# Statements
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Statement(Node):
    """Base of statements."""


@dataclass(frozen=True, slots=True)
class SelectStatement(Statement):
    """A SELECT used as a statement."""

    select: Select


@dataclass(frozen=True, slots=True)
class SetClause(Node):
    """``col = expr`` or ``(c1, c2) = expr`` in UPDATE and upsert."""

    columns: tuple[str, ...]
    expr: Expr


@dataclass(frozen=True, slots=True)
class IndexedColumn(Node):
    """A column of an index, PRIMARY KEY, UNIQUE or upsert target."""

    expr: Expr  # usually Column(name)
    collation: str | None = None
    desc: bool = False
    nulls: str | None = None  # 'FIRST' | 'LAST' (upsert targets; CREATE INDEX refuses it)


@dataclass(frozen=True, slots=True)
class Upsert(Node):
    """``ON CONFLICT [(target) [WHERE]] DO NOTHING | DO UPDATE SET ... [WHERE]``."""

    target: tuple[IndexedColumn, ...] | None = None
    target_where: Expr | None = None
    action: str = "NOTHING"  # 'NOTHING' | 'UPDATE'
    sets: tuple[SetClause, ...] = ()
    where: Expr | None = None


@dataclass(frozen=True, slots=True)
class Insert(Statement):
    """INSERT/REPLACE.

    ``or_`` is the conflict resolution (``'REPLACE'`` for REPLACE INTO).
    The source is ``select`` (VALUES is a Select whose core is Values) or
    ``default_values``.
    """

    table: QualifiedName
    columns: tuple[str, ...] | None = None
    select: Select | None = None
    default_values: bool = False
    or_: str | None = None  # 'ROLLBACK' | 'ABORT' | 'REPLACE' | 'FAIL' | 'IGNORE'
    alias: str | None = None
    upsert: tuple[Upsert, ...] = ()
    returning: tuple[ResultColumn, ...] = ()
    with_: With | None = None


@dataclass(frozen=True, slots=True)
class Update(Statement):
    """``UPDATE [OR x] tbl [AS a] [INDEXED BY] SET ... [FROM] [WHERE] [RETURNING]
    [ORDER BY] [LIMIT]``."""

    table: TableRef
    sets: tuple[SetClause, ...]
    from_: FromItem | None = None
    where: Expr | None = None
    or_: str | None = None
    returning: tuple[ResultColumn, ...] = ()
    order_by: tuple[OrderingTerm, ...] = ()
    limit: Expr | None = None
    offset: Expr | None = None
    with_: With | None = None


@dataclass(frozen=True, slots=True)
class Delete(Statement):
    """``DELETE FROM tbl [WHERE] [RETURNING] [ORDER BY] [LIMIT]``."""

    table: TableRef
    where: Expr | None = None
    returning: tuple[ResultColumn, ...] = ()
    order_by: tuple[OrderingTerm, ...] = ()
    limit: Expr | None = None
    offset: Expr | None = None
    with_: With | None = None


# Column and table constraints ------------------------------------------------


@dataclass(frozen=True, slots=True)
class ForeignKeyClause(Node):
    """``REFERENCES tbl [(cols)] [ON DELETE|UPDATE action] [MATCH m] [DEFERRABLE ...]``."""

    table: str
    columns: tuple[str, ...] = ()
    on_delete: str | None = None  # 'SET NULL' | 'SET DEFAULT' | 'CASCADE' | 'RESTRICT' | 'NO ACTION'
    on_update: str | None = None
    match: str | None = None
    deferred: bool | None = None  # True: INITIALLY DEFERRED


@dataclass(frozen=True, slots=True)
class Constraint(Node):
    """Base of column and table constraints; ``name`` is from CONSTRAINT name."""


@dataclass(frozen=True, slots=True)
class PrimaryKeyConstraint(Constraint):
    """Column ``PRIMARY KEY [ASC|DESC] [conflict] [AUTOINCREMENT]`` or table
    ``PRIMARY KEY (cols) [conflict]`` (``columns`` set only for the table form)."""

    name: str | None = None
    columns: tuple[IndexedColumn, ...] = ()
    desc: bool = False
    conflict: str | None = None
    autoincrement: bool = False


@dataclass(frozen=True, slots=True)
class NotNullConstraint(Constraint):
    name: str | None = None
    conflict: str | None = None


@dataclass(frozen=True, slots=True)
class NullConstraint(Constraint):
    """A bare ``NULL`` column constraint (accepted and ignored, as SQLite does)."""

    name: str | None = None


@dataclass(frozen=True, slots=True)
class UniqueConstraint(Constraint):
    """Column ``UNIQUE [conflict]`` or table ``UNIQUE (cols) [conflict]``."""

    name: str | None = None
    columns: tuple[IndexedColumn, ...] = ()
    conflict: str | None = None


@dataclass(frozen=True, slots=True)
class CheckConstraint(Constraint):
    name: str | None
    expr: Expr


@dataclass(frozen=True, slots=True)
class DefaultConstraint(Constraint):
    """``DEFAULT value``; ``text`` is the expression's source text."""

    name: str | None
    expr: Expr
    text: str = ""


@dataclass(frozen=True, slots=True)
class CollateConstraint(Constraint):
    name: str | None
    collation: str


@dataclass(frozen=True, slots=True)
class ForeignKeyConstraint(Constraint):
    """Column ``REFERENCES ...`` or table ``FOREIGN KEY (cols) REFERENCES ...``."""

    name: str | None
    clause: ForeignKeyClause
    columns: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class GeneratedConstraint(Constraint):
    """``[GENERATED ALWAYS] AS (expr) [STORED|VIRTUAL]``."""

    name: str | None
    expr: Expr
    stored: bool = False


@dataclass(frozen=True, slots=True)
class ColumnDef(Node):
    """A column definition; ``type_name`` as written (None when omitted)."""

    name: str
    type_name: str | None = None
    constraints: tuple[Constraint, ...] = ()


@dataclass(frozen=True, slots=True)
class CreateTable(Statement):
    name: str
    columns: tuple[ColumnDef, ...] = ()
    constraints: tuple[Constraint, ...] = ()
    schema: str | None = None
    temp: bool = False
    if_not_exists: bool = False
    as_select: Select | None = None
    without_rowid: bool = False
    strict: bool = False


@dataclass(frozen=True, slots=True)
class CreateIndex(Statement):
    name: str
    table: str
    columns: tuple[IndexedColumn, ...]
    schema: str | None = None
    unique: bool = False
    if_not_exists: bool = False
    where: Expr | None = None


@dataclass(frozen=True, slots=True)
class CreateView(Statement):
    name: str
    select: Select
    columns: tuple[str, ...] | None = None
    schema: str | None = None
    temp: bool = False
    if_not_exists: bool = False


@dataclass(frozen=True, slots=True)
class CreateTrigger(Statement):
    """``CREATE TRIGGER``; ``body`` holds Insert/Update/Delete/SelectStatement."""

    name: str
    table: str
    event: str  # 'DELETE' | 'INSERT' | 'UPDATE'
    body: tuple[Statement, ...]
    time: str | None = None  # 'BEFORE' | 'AFTER' | 'INSTEAD OF' | None
    update_columns: tuple[str, ...] | None = None
    for_each_row: bool = False
    when: Expr | None = None
    schema: str | None = None
    temp: bool = False
    if_not_exists: bool = False
    table_schema: str | None = None   # ON schema.table


@dataclass(frozen=True, slots=True)
class CreateVirtualTable(Statement):
    """``CREATE VIRTUAL TABLE name USING module(args)``; args kept as source text."""

    name: str
    module: str
    args: tuple[str, ...] = ()
    schema: str | None = None
    if_not_exists: bool = False


@dataclass(frozen=True, slots=True)
class Drop(Statement):
    """``DROP TABLE|INDEX|VIEW|TRIGGER [IF EXISTS] [schema.]name``."""

    kind: str
    name: str
    schema: str | None = None
    if_exists: bool = False


@dataclass(frozen=True, slots=True)
class RenameTable(Node):
    new_name: str


@dataclass(frozen=True, slots=True)
class RenameColumn(Node):
    old_name: str
    new_name: str


@dataclass(frozen=True, slots=True)
class AddColumn(Node):
    column: ColumnDef


@dataclass(frozen=True, slots=True)
class DropColumn(Node):
    name: str


@dataclass(frozen=True, slots=True)
class AlterTable(Statement):
    table: str
    action: RenameTable | RenameColumn | AddColumn | DropColumn
    schema: str | None = None


@dataclass(frozen=True, slots=True)
class Begin(Statement):
    mode: str | None = None  # 'DEFERRED' | 'IMMEDIATE' | 'EXCLUSIVE'


@dataclass(frozen=True, slots=True)
class Commit(Statement):
    """COMMIT / END."""


@dataclass(frozen=True, slots=True)
class Rollback(Statement):
    """``ROLLBACK [TO [SAVEPOINT] name]``."""

    savepoint: str | None = None


@dataclass(frozen=True, slots=True)
class Savepoint(Statement):
    name: str


@dataclass(frozen=True, slots=True)
class Release(Statement):
    name: str


@dataclass(frozen=True, slots=True)
class Pragma(Statement):
    """``PRAGMA [schema.]name [= value | (value)]``.

    ``value`` is a Literal, a signed number Literal, or a Column for a bare
    identifier/keyword such as ``ON`` or ``wal``.
    """

    name: str
    schema: str | None = None
    value: Expr | None = None


@dataclass(frozen=True, slots=True)
class Attach(Statement):
    expr: Expr
    alias: Expr
    key: Expr | None = None


@dataclass(frozen=True, slots=True)
class Detach(Statement):
    name: Expr


@dataclass(frozen=True, slots=True)
class Vacuum(Statement):
    schema: str | None = None
    into: Expr | None = None


@dataclass(frozen=True, slots=True)
class Analyze(Statement):
    """``ANALYZE [schema | [schema.]table_or_index]``."""

    name: str | None = None
    schema: str | None = None


@dataclass(frozen=True, slots=True)
class Reindex(Statement):
    """``REINDEX [collation | [schema.]table_or_index]``."""

    name: str | None = None
    schema: str | None = None


@dataclass(frozen=True, slots=True)
class Explain(Statement):
    """``EXPLAIN [QUERY PLAN] stmt``."""

    statement: Statement
    query_plan: bool = False

