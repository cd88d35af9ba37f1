"""Compiler layer: the state shared by every code generator of one statement.

SQLite's counterparts are the ``Parse`` struct (``sqliteInt.h``), the
``SrcList``/``SrcItem`` structures of a FROM clause, ``SelectDest`` with its
``SRT_*`` disposals (``select.c``) and ``NameContext`` (``resolve.c``).
``Parse`` owns the ProgramBuilder, register and cursor allocation, bound
parameter numbering, hoisted constants and the schema/function lookups that
code generation needs; ``finish_coding`` closes a program as
``sqlite3FinishCoding`` does.

What this module needs from the layers it cannot import by name
----------------------------------------------------------------

``Parse(builder, db)`` where ``db`` is the compile-time view of the connection
("writes" implements it in engine.py / schema/).  Attributes used, each
optional (a missing one falls back to the built-ins):

* ``db.find_table(name: str, schema: str | None) -> Table | None``
  (case-insensitive; ``sqlite_schema``/``sqlite_master`` included);
* ``db.find_function(name: str, n_arg: int) -> FuncDef | None`` and
  ``db.function_exists(name: str) -> bool`` (user functions first, then
  ``pyrite.vdbe.functions.lookup``/``exists``);
* ``db.find_collation(name: str) -> values.Collation | None``;
* ``db.schema_cookie(db_index: int) -> int`` (P3 of Transaction; 0 if absent).

Schema objects (schema/schema.py, by "writes") are read through the small
accessors below (``table_root``, ``column_affinity`` ...), so that either
spelling of a field works while both sides settle:

* Table: ``name``, ``root``/``root_page``, ``columns`` (list of Column),
  ``rowid_alias``/``ipk`` (index of the INTEGER PRIMARY KEY column or -1/None),
  ``has_rowid``/``without_rowid``, ``indexes`` (list of Index), ``db_index``;
* Column: ``name``, ``decl_type``, ``affinity`` (letter), ``collation`` (name
  or None), ``not_null``, ``default`` (ast.Expr or None), ``primary_key``;
* Index: ``name``, ``table``, ``root``/``root_page``, ``columns`` (table
  column indices, -1 = rowid), ``collations`` (names or None), ``desc``,
  ``unique``, ``where`` (partial index WHERE), ``key_info``.

Statement coders call ``parse.number_variables(stmt)`` before coding so that
parameters are numbered in source order (``compile_select`` does it itself
for a top-level SELECT), then ``begin_coding()`` ... ``finish_coding()``.

Operand conventions the query coders rely on (SQLite's, opcode.html):
comparison P4 is a ``values.Collation`` (BINARY spelled out) and P5 the
affinity letter's code | 0x10 JUMPIFNULL | 0x80 NULLEQ; Function/AggStep P4
is the FuncDef and P5 the argument count, preceded by CollSeq (P4 a
Collation) for NEEDS_COLLATION functions; Found/NotFound/IdxInsert P4 is the
number of unpacked key registers (0: P3 holds a record); SeekGE..IdxGT P4 is
the number of key fields; Cast P2 is the affinity letter's code; NullRow must
leave the cursor so that Next falls through (LEFT JOIN's NULL-row pass).
"""

from __future__ import annotations
from pyrite.values import fold_name

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from pyrite import errors
from pyrite import values
from pyrite.sql import ast
from pyrite.vdbe import functions as builtin_functions

SQLITE_MAX_VARIABLE_NUMBER = 250000   # as the oracle's build (Debian) sets it

# ---------------------------------------------------------------------------
# SelectDest: where a SELECT's rows go (SQLite's SRT_* codes)
# ---------------------------------------------------------------------------

SRT_UNION = 1        # store result as keys in an index (UNION)
SRT_EXCEPT = 2       # remove result from a UNION index
SRT_EXISTS = 3       # store 1 in r[sd_parm] if the result is not empty
SRT_DISCARD = 4      # do not save the results anywhere
SRT_DISTFIFO = 5     # like SRT_FIFO, but unique results only
SRT_DISTQUEUE = 6    # like SRT_QUEUE, but unique results only
SRT_QUEUE = 7        # store result in a queue (recursive CTE)
SRT_FIFO = 8         # store result as data with an automatic rowid
SRT_OUTPUT = 9       # output each row of the result (ResultRow)
SRT_MEM = 10         # store result in a memory cell (scalar subquery)
SRT_SET = 11         # store results as index keys (IN (SELECT ...))
SRT_EPHEM_TAB = 12   # create a transient table and store the results
SRT_COROUTINE = 13   # generate a single row of the result, then Yield
SRT_TABLE = 14       # store result as data with an automatic rowid
SRT_UPD = 15         # store result as data with rowid (UPDATE ... FROM)


@dataclass(slots=True)
class SelectDest:
    """How the rows of a SELECT are disposed of (SQLite's ``SelectDest``).

    ``parm`` is the cursor (SRT_SET, SRT_TABLE, SRT_EPHEM_TAB, SRT_UNION ...)
    or the register (SRT_MEM, SRT_EXISTS, SRT_COROUTINE: the coroutine's
    return-address register); ``aff`` the affinity string for SRT_SET;
    ``sdst``/``n_sdst`` the first register and count of the row (filled in by
    the select compiler when 0); ``parm2`` a second parameter (SRT_UPD).
    """

    dest: int
    parm: int = 0
    parm2: int = 0
    aff: str | None = None
    sdst: int = 0
    n_sdst: int = 0
    # SRT_QUEUE/SRT_DISTQUEUE: the result columns the queue is ordered by.
    order_by: list[int] | None = None
    # SRT_SET of ``x IN (SELECT ...)``: the LHS; the set's affinity is that of
    # the comparison with the result column, known once it is resolved
    in_lhs: Any = None
    in_coll: Any = None


# ---------------------------------------------------------------------------
# FROM clause
# ---------------------------------------------------------------------------

@dataclass(eq=False, slots=True)
class SrcItem:
    """One FROM-clause item with its cursor (SQLite's ``SrcItem``).

    ``table`` is the schema Table, or for a subquery a synthetic table
    (:class:`EphemeralTable`) describing the materialized result.
    ``jointype`` holds JT_* bits for the join with the item on its left.
    """

    name: str                       # table name as written (or subquery alias)
    alias: str | None
    table: Any                      # schema Table or EphemeralTable
    cursor: int = -1
    schema: str | None = None
    select: ast.Select | None = None   # subquery in FROM
    jointype: int = 0
    on: ast.Expr | None = None
    using: tuple[str, ...] | None = None
    indexed_by: str | None = None
    not_indexed: bool = False
    # columns of this item used by the query (bitmask; bit 63 = "any >= 63"),
    # filled in by name resolution; lets the planner pick covering indexes.
    col_used: int = 0
    # For a subquery: coroutine register and entry address, or the ephemeral
    # table the rows were written to.
    regreturn: int = 0
    addr_fill_sub: int = 0
    via_coroutine: bool = False
    # Registers that a USING/NATURAL join makes hidden on the right side.
    hidden_using: frozenset[str] = frozenset()
    # The columns of the join with the item on the left (USING, or NATURAL's
    # common columns), in order.
    using_names: tuple[str, ...] = ()
    is_left_join_rhs: bool = False
    # the item's columns may read as NULL from a null-extended row (the right
    # side of a LEFT/FULL join, or any item left of a RIGHT/FULL join)
    null_extended: bool = False
    # Register of the "this row matched" flag of a LEFT JOIN (set by where.py).
    reg_match: int = 0
    # A subquery that refers to columns of an enclosing query (isCorrelated).
    correlated: bool = False

    @property
    def display_name(self) -> str:
        return self.alias or self.name

    def matches(self, qualifier: str) -> bool:
        """True when ``qualifier`` (a ``t`` of ``t.col``) names this item."""
        if self.alias is not None:
            return fold_name(self.alias) == fold_name(qualifier)
        return fold_name(self.name) == fold_name(qualifier)


JT_INNER = 0x01
JT_CROSS = 0x02
JT_NATURAL = 0x04
JT_LEFT = 0x08
JT_RIGHT = 0x10
JT_OUTER = 0x20



# A node class's dataclass fields in the order number_variables visits
# them (WITH first: it comes first in the text), computed once a class.
_WALK_FIELDS: dict[type, tuple[str, ...]] = {}


def _walk_fields(cls: type) -> tuple[str, ...]:
    names = _WALK_FIELDS.get(cls)
    if names is None:
        import dataclasses
        fields = [f.name for f in dataclasses.fields(cls)]
        if "with_" in fields:
            fields.remove("with_")
            fields.insert(0, "with_")
        names = _WALK_FIELDS[cls] = tuple(fields)
    return names

class SrcList(list):
    """The FROM clause flattened left to right (SQLite's ``SrcList``)."""

    def find_cursor(self, cursor: int) -> SrcItem | None:
        for item in self:
            if item.cursor == cursor:
                return item
        return None


@dataclass(eq=False, slots=True)
class EphemeralColumn:
    """A column of a materialized subquery or view, shaped like schema.Column."""

    name: str
    decl_type: str | None = None
    affinity: str = values.AFF_BLOB
    collation: str | None = None
    not_null: bool = False
    default: ast.Expr | None = None
    primary_key: bool = False
    hidden: bool = False
    # In a parenthesized join's subquery (nested_from): where the column
    # came from as (database, table, column), "" parts for a USING column
    # (SQLite's ENAME_TAB span "db.tab.col"); whether it is that USING
    # column; whether ``*`` leaves it out (COLFLAG_NOEXPAND: a copy of a
    # USING column).
    span: tuple[str, str, str] | None = None
    using_term: bool = False
    no_expand: bool = False


@dataclass(eq=False, slots=True)
class EphemeralTable:
    """The result of a FROM-clause subquery seen as a table."""

    name: str
    columns: list[EphemeralColumn]
    root: int = 0
    rowid_alias: int = -1
    has_rowid: bool = True
    indexes: list[Any] = field(default_factory=list)
    db_index: int = 0
    is_ephemeral: bool = True
    # The current row of a recursive CTE (one row in a pseudo cursor).
    is_recursive: bool = False
    # The subquery of a parenthesized join: its columns carry spans.
    nested_from: bool = False
    # The database a view's rows come from; "*" for a subquery.
    schema_name: str = "*"


# ---------------------------------------------------------------------------
# Schema accessors (see the module docstring)
# ---------------------------------------------------------------------------

def table_root(table: Any) -> int:
    root = getattr(table, "root", None)
    if root is None:
        root = getattr(table, "root_page", 0)
    return root


def table_db_index(table: Any) -> int:
    return getattr(table, "db_index", 0) or 0


def table_rowid_alias(table: Any) -> int:
    """Index of the INTEGER PRIMARY KEY column, or -1."""
    for attr in ("rowid_alias", "ipk", "i_pkey"):
        v = getattr(table, attr, None)
        if v is not None:
            return v
    return -1


def table_has_rowid(table: Any) -> bool:
    v = getattr(table, "has_rowid", None)
    if v is not None:
        return bool(v)
    return not getattr(table, "without_rowid", False)


def table_indexes(table: Any) -> list[Any]:
    return list(getattr(table, "indexes", None) or ())


def column_affinity(col: Any) -> str:
    aff = getattr(col, "affinity", None)
    if aff is None:
        aff = values.affinity_of_type(getattr(col, "decl_type", None))
    return aff


def column_collation(col: Any) -> str | None:
    c = getattr(col, "collation", None)
    return c.name if isinstance(c, values.Collation) else c


def column_hidden(col: Any) -> bool:
    return bool(getattr(col, "hidden", False))


def index_root(index: Any) -> int:
    return table_root(index)


def index_columns(index: Any) -> list[int]:
    """The declared key columns of ``index`` (table column numbers; -1 rowid,
    -2 an expression), without the trailing rowid."""
    cols = getattr(index, "columns", None)
    if cols is None:
        cols = getattr(index, "column_indices", ())
    n = getattr(index, "n_key_col", None)
    return list(cols if n is None else cols[:n])


def index_collations(index: Any) -> list[str | None]:
    colls = getattr(index, "collations", None)
    n = len(index_columns(index))
    if not colls:
        return [None] * n
    return [c.name if isinstance(c, values.Collation) else c for c in colls[:n]]


def index_desc(index: Any) -> list[bool]:
    d = getattr(index, "desc", None)
    n = len(index_columns(index))
    if not d:
        return [False] * n
    return list(d[:n])


def index_is_partial(index: Any) -> bool:
    return getattr(index, "where", None) is not None


# ---------------------------------------------------------------------------
# Name contexts
# ---------------------------------------------------------------------------

NC_ALLOW_AGG = 0x0001     # aggregate functions are allowed here
NC_HAS_AGG = 0x0010       # an aggregate was seen
NC_IS_CHECK = 0x0004      # resolving a CHECK constraint
NC_IN_AGG = 0x0020        # inside the arguments of an aggregate
NC_GEN_COL = 0x0008
NC_PART_IDX = 0x0002
NC_UEP_LIST = 0x0080      # ORDER BY / GROUP BY of a select: aliases visible
NC_MIN_MAX_AGG = 0x1000   # min() or max() aggregate with one argument seen


@dataclass(eq=False, slots=True)
class NameContext:
    """Where names are looked up (SQLite's ``NameContext``).

    ``src_list`` holds the FROM items visible at this level; ``outer`` is
    the enclosing query's context for correlated subqueries.  ``result``
    is the result-column list when aliases may be used (ORDER BY, GROUP BY,
    HAVING, WHERE as SQLite allows).  ``aggregates`` collects the aggregate
    calls found (select.py codes them).
    """

    src_list: SrcList
    outer: NameContext | None = None
    flags: int = 0
    result: list[tuple[str | None, ast.Expr]] | None = None
    aggregates: list[Any] = field(default_factory=list)
    n_ref: int = 0
    # Set when an expression referenced a column of an outer query.
    correlated: bool = False
    # min()/max() aggregate found (bare-column semantics).
    min_max_agg: Any = None
    # Window functions are allowed here (result columns and ORDER BY of a
    # SELECT): the WINDOW clause's definitions by lower-case name.
    window_defs: dict[str, Any] | None = None
    # GROUP BY / ORDER BY terms: no enclosing query is visible, not even to
    # the subqueries nested in them (SQLite resolves them with no pNext).
    isolated: bool = False


# ---------------------------------------------------------------------------
# Parse
# ---------------------------------------------------------------------------

class Parse:
    """The compiler's per-statement state (SQLite's ``Parse``).

    ``builder`` is the :class:`~pyrite.compile.builder.ProgramBuilder`;
    ``db`` the compile-time view of the connection (module docstring).
    """

    def __init__(self, builder: Any, db: Any = None) -> None:
        self.builder = builder
        self.db = db
        self.n_var = 0                               # highest parameter index
        self.variables: list[str | None] = []        # index i-1 -> name
        self._var_index: dict[str, int] = {}
        self.var_numbers: dict[int, int] = {}        # id(ast.Variable) -> number
        self.variables_numbered = False
        self._temp_regs: list[int] = []
        # Constant expressions to evaluate once, in the init section.
        self.constants: list[tuple[ast.Expr, int]] = []
        self._const_cache: dict[Any, int] = {}
        # Databases the statement reads (index -> write flag) for Transaction.
        self.transactions: dict[int, bool] = {}
        self.nested = 0                              # subquery depth
        self.explain_depth = 0
        self.readonly = True
        self.column_names: list[str] = []
        self.column_decltypes: list[str | None] = []
        # Registers/cursors fixed for the code being generated under an
        # aggregate: (cursor, column) -> register, see select.py.
        self.agg_info: Any = None
        self.n_select = 0                            # counter for EQP ids
        self.coll_cache: dict[str, values.Collation] = {}
        self.is_explain = 0
        # Stack of "this code runs only once" scopes where constants may be
        # factored out (SQLite's okConstFactor).
        self.ok_const_factor = True
        # Table cursor -> (index cursor, {table column: index column}) while a
        # loop reads the table through a covering index (where.py).
        self.covering: dict[int, tuple[int, dict[int, int]]] = {}
        # Pseudo cursors standing in for tables (GROUP BY reads the sorter).
        self.pseudo_cursors: set[int] = set()
        # Name context of the query being coded (outer context of subqueries).
        self.current_nc: NameContext | None = None
        # subqueries written in GROUP BY / ORDER BY terms: their outer context
        self.isolated_selects: dict[int, NameContext] = {}
        # Schema name of the view whose body is being coded: its table names
        # are qualified by it ("no such table: main.t", sqlite3FixSrcList).
        self.view_schema: str | None = None
        # ids of the left inputs of a compound merge (select.py), whose ORDER
        # BY collations are the merge's own, not the user's
        self.merge_selects: set[int] = set()
        # (cursor, column) -> register: while an aggregate query codes its
        # output, its rows' columns are read from these (select.py)
        self.agg_columns: dict[tuple[int, int], int] | None = None
        # id of an aggregate call written in a subquery -> the register of
        # its value, computed by the enclosing query it belongs to
        self.lent_aggregates: dict[int, int] | None = None
        # Cursors that stand for a row held in registers (RETURNING's target,
        # UPSERT's "excluded"): cursor -> register of the rowid, column i in
        # register + 1 + i (SQLite's NC_UBaseReg / TK_REGISTER columns).
        self.register_cursors: dict[int, int] = {}
        # The RETURNING clause being coded (compile/returning.py), if any.
        self.returning: Any = None
        # The innermost WITH clause in scope and the FROM item that may be
        # read through a co-routine (compile/cte.py).
        self.with_scope: Any = None
        self.coroutine_node: Any = None
        # A trigger body is compiled by a Parse of its own (compile/trigger.py):
        # ``toplevel`` is the statement's Parse, ``sub_program`` makes the
        # statement coders leave out Init and Halt, ``trigger_scope`` holds
        # the OLD and NEW rows its names may refer to.
        self.toplevel: Parse | None = None
        self.sub_program = False
        self.trigger_scope: Any = None
        # AUTOINCREMENT tables written by the statement or its triggers:
        # lower-case name -> (table, first register) (SQLite's pAinc)
        self.autoinc: dict[str, tuple[Any, int]] = {}
        # PRAGMA count_changes: the register counting the rows an INSERT,
        # UPDATE or DELETE writes and the name of the column that reports it
        # (SQLite's regRowCount / memCnt).
        self.row_count_reg = 0
        self.row_count_name = ""

    # -- errors -------------------------------------------------------------

    @staticmethod
    def error(message: str, code: int = errors.SQLITE_ERROR) -> None:
        """Raise a compile error with SQLite's wording (sqlite3ErrorMsg)."""
        errors.raise_error(code, message)

    # -- registers and cursors --------------------------------------------

    def outer_context(self, select: Any) -> NameContext | None:
        """The name context a subquery's outer references resolve in: the
        query being coded, or for one written in a GROUP BY / ORDER BY term
        that term's context (which sees no enclosing query)."""
        return self.isolated_selects.get(id(select), self.current_nc)

    def alloc_reg(self, n: int = 1) -> int:
        """``n`` consecutive fresh registers (++pParse->nMem)."""
        return self.builder.alloc_register(n)

    def get_temp_reg(self) -> int:
        """A scratch register (sqlite3GetTempReg)."""
        if self._temp_regs:
            return self._temp_regs.pop()
        return self.builder.alloc_register(1)

    def release_temp_reg(self, reg: int) -> None:
        if reg and len(self._temp_regs) < 8:
            self._temp_regs.append(reg)

    def get_temp_range(self, n: int) -> int:
        if n == 1:
            return self.get_temp_reg()
        return self.builder.alloc_register(n)

    def release_temp_range(self, reg: int, n: int) -> None:
        if n == 1:
            self.release_temp_reg(reg)

    def alloc_cursor(self) -> int:
        return self.builder.alloc_cursor()

    # -- convenience over the builder -----------------------------------------

    def emit(self, opname: str, p1: int = 0, p2: int = 0, p3: int = 0,
             p4: Any = None, p5: int = 0, comment: str | None = None) -> int:
        return self.builder.emit(opname, p1, p2, p3, p4, p5, comment=comment)

    def label(self) -> int:
        return self.builder.label()

    def resolve(self, label: int) -> None:
        self.builder.resolve(label)

    def current_addr(self) -> int:
        return self.builder.current_addr()

    # -- parameters ---------------------------------------------------------

    def variable_number(self, text: str) -> int:
        """Number a bound parameter as sqlite3ExprAssignVarNumber does.

        ``?`` takes the next index; ``?N`` is index N (and names it ``?N``);
        ``:name``, ``@name``, ``$name`` reuse the index of an earlier
        occurrence of the same name, else take the next index.
        """
        if text == "?":
            self.n_var += 1
            self._grow_variables(self.n_var)
            return self.n_var
        if text[0] == "?":
            digits = text[1:]
            try:
                n = int(digits)
            except ValueError:
                n = 0
            if not digits.isdigit() or n < 1 or n > SQLITE_MAX_VARIABLE_NUMBER:
                self.error(f"variable number must be between ?1 and "
                           f"?{SQLITE_MAX_VARIABLE_NUMBER}")
            if n > self.n_var:
                self.n_var = n
            self._grow_variables(n)
            if self.variables[n - 1] is None:
                name = f"?{n}"
                self.variables[n - 1] = name
                self._var_index.setdefault(name, n)
            return n
        n = self._var_index.get(text)
        if n is None:
            self.n_var += 1
            n = self.n_var
            self._grow_variables(n)
            self.variables[n - 1] = text
            self._var_index[text] = n
        return n

    def number_variables(self, node: Any) -> None:
        """Number every bound parameter of ``node`` in source order, as
        SQLite does while parsing (code generation visits expressions in
        another order).  Call once per statement before coding it."""
        order: list[ast.Variable] = []
        seen: set[int] = set()

        def walk(n: Any) -> None:
            if isinstance(n, ast.Variable):
                if id(n) not in seen:
                    seen.add(id(n))
                    order.append(n)
                return
            if isinstance(n, (list, tuple)):
                for x in n:
                    walk(x)
                return
            if not isinstance(n, ast.Node):
                return
            for name in _walk_fields(type(n)):
                walk(getattr(n, name))
        walk(node)
        for v in order:
            self.var_numbers[id(v)] = self.variable_number(v.text)

    def variable_for(self, var: ast.Variable) -> int:
        """The number of parameter ``var`` (numbered now if it was not)."""
        n = self.var_numbers.get(id(var))
        if n is None:
            n = self.variable_number(var.text)
            self.var_numbers[id(var)] = n
        return n

    def _grow_variables(self, n: int) -> None:
        while len(self.variables) < n:
            self.variables.append(None)

    # -- lookups --------------------------------------------------------------

    def find_table(self, name: str, schema: str | None = None) -> Any:
        finder = getattr(self.db, "find_table", None)
        if finder is None:
            return None
        return finder(name, schema)

    def find_function(self, name: str, n_arg: int) -> Any:
        finder = getattr(self.db, "find_function", None)
        if finder is not None:
            return finder(name, n_arg)
        return builtin_functions.lookup(name, n_arg)

    def function_exists(self, name: str) -> bool:
        finder = getattr(self.db, "function_exists", None)
        if finder is not None:
            return finder(name)
        return builtin_functions.exists(name)

    def find_collation(self, name: str | None) -> values.Collation | None:
        """The Collation called ``name`` or raise "no such collation sequence"."""
        if name is None:
            return None
        key = fold_name(name)
        coll = self.coll_cache.get(key)
        if coll is not None:
            return coll
        finder = getattr(self.db, "find_collation", None)
        if finder is not None:
            coll = finder(name)
        if coll is None:
            coll = values.BUILTIN_COLLATIONS.get(key)
        if coll is None:
            self.error(f"no such collation sequence: {name}")
        self.coll_cache[key] = coll
        return coll

    # -- transactions and program shape ---------------------------------------

    def code_verify_schema(self, db_index: int = 0, write: bool = False) -> None:
        """Note that the statement uses database ``db_index`` (sqlite3CodeVerifySchema)."""
        self.transactions[db_index] = self.transactions.get(db_index, False) or write
        if write:
            self.readonly = False

    def begin_coding(self) -> None:
        """Emit ``Init`` (its P2 is patched by :meth:`finish_coding`); a
        statement of a trigger body runs inside its sub-program's."""
        if self.sub_program:
            return
        self._init_addr = self.emit("Init", 0, 0)

    def begin_row_count(self, name: str) -> int:
        """Start counting the rows the statement writes when PRAGMA
        count_changes is on (not in a trigger body, nor with RETURNING,
        whose rows are the statement's output): the counter register, or 0."""
        if self.sub_program or self.returning is not None \
                or not getattr(self.db, "count_changes", False):
            return 0
        self.row_count_reg = self.alloc_reg()
        self.row_count_name = name
        self.emit("Integer", 0, self.row_count_reg)
        return self.row_count_reg

    def count_row(self) -> None:
        """One more row written (a no-op unless :meth:`begin_row_count` started a counter)."""
        if self.row_count_reg:
            self.emit("AddImm", self.row_count_reg, 1)

    def finish_coding(self) -> None:
        """Close the program as sqlite3FinishCoding does: Halt, then the
        init section (Transaction for each database used, hoisted constants),
        then Goto back to the first real instruction.  A RETURNING clause
        hands out its buffered rows before the Halt and opens its ephemeral
        table in the init section."""
        if self.sub_program:
            return
        if self.autoinc:
            from pyrite.compile.insert import autoincrement_end
            for table, reg in self.autoinc.values():
                autoincrement_end(self, table, reg)
        if self.returning is not None:
            self.returning.code_output()
        if self.row_count_reg:
            self.emit("ChngCntRow", self.row_count_reg, 1)
            self.set_result_columns([self.row_count_name], [None])
        self.emit("Halt")
        init_addr = getattr(self, "_init_addr", None)
        if init_addr is None:
            return
        self.builder.change_p2(init_addr, self.current_addr())
        for db_index, write in sorted(self.transactions.items()):
            cookie_fn = getattr(self.db, "schema_cookie", None)
            cookie = cookie_fn(db_index) if cookie_fn is not None else 0
            self.emit("Transaction", db_index, 1 if write else 0, cookie,
                      None, 1 if cookie_fn is not None else 0)
        if self.autoinc:
            from pyrite.compile.insert import code_autoincrement_load
            for table, reg in self.autoinc.values():
                code_autoincrement_load(self, table, reg)
        self.code_constants()
        if self.returning is not None:
            self.returning.code_open()
        self.emit("Goto", 0, init_addr + 1)

    def code_constants(self) -> None:
        """Evaluate the hoisted constant expressions (sqlite3ExprCodeConstants)."""
        from pyrite.compile.expr import code_expr_nocache
        saved = self.ok_const_factor
        self.ok_const_factor = False
        try:
            for expr, reg in self.constants:
                code_expr_nocache(self, expr, reg)
        finally:
            self.ok_const_factor = saved
        self.constants = []

    def hoist_constant(self, expr: ast.Expr, key: Any = None) -> int:
        """Register that will hold the constant ``expr``, computed once in the
        init section (sqlite3ExprCodeRunJustOnce)."""
        # Only literals are shared between occurrences, keyed by type so that
        # 1 and 1.0 stay apart; any other expression is shared only with
        # itself (each "?" is its own parameter).
        if key is not None:
            k = key
        elif isinstance(expr, ast.Literal):
            k = ("literal", type(expr.value), expr.value)
        else:
            k = ("node", id(expr))
        reg = self._const_cache.get(k)
        if reg is not None:
            return reg
        reg = self.alloc_reg()
        self.constants.append((expr, reg))
        if k is not None:
            self._const_cache[k] = reg
        return reg

    def set_result_columns(self, names: Sequence[str],
                           decltypes: Sequence[str | None]) -> None:
        self.column_names = list(names)
        self.column_decltypes = list(decltypes)


def flatten_from(parse: Parse, from_: ast.FromItem | None,
                 resolver: Callable[[Parse, ast.FromItem], SrcItem] | None = None,
                 ) -> SrcList:
    """Flatten a FROM tree into a SrcList (left-deep, as SQLite's parser builds it).

    Each table item gets its Table and a cursor.  ``resolver`` turns a leaf
    FromItem into a SrcItem (select.py passes one that handles subqueries).
    """
    src = SrcList()
    if from_ is None:
        return src

    def walk(node: ast.FromItem, jointype: int, on: ast.Expr | None,
             using: tuple[str, ...] | None) -> None:
        if isinstance(node, ast.Join):
            walk(node.left, jointype, on, using)
            jt = 0
            op = node.op.upper()
            if op == "LEFT":
                jt = JT_LEFT | JT_OUTER
            elif op == "RIGHT":
                jt = JT_RIGHT | JT_OUTER
            elif op == "FULL":
                jt = JT_LEFT | JT_RIGHT | JT_OUTER
            elif op == "CROSS":
                jt = JT_INNER | JT_CROSS
            else:
                jt = JT_INNER
            if node.natural:
                jt |= JT_NATURAL
            if isinstance(node.right, ast.Join):
                parse.error("parenthesized joins in FROM are not supported yet")
            walk(node.right, jt, node.on, node.using)
            return
        item = resolver(parse, node) if resolver is not None else _table_item(parse, node)
        item.jointype = jointype
        item.on = on
        item.using = using
        if jointype & JT_LEFT:
            item.is_left_join_rhs = True
        src.append(item)

    walk(from_, 0, None, None)
    for i, item in enumerate(src):
        if item.jointype & JT_LEFT:
            item.null_extended = True
        if item.jointype & JT_RIGHT:
            for earlier in src[:i]:
                earlier.null_extended = True
    return src


def _table_item(parse: Parse, node: ast.FromItem) -> SrcItem:
    if not isinstance(node, ast.TableRef):
        parse.error("subqueries and table-valued functions in FROM are not supported yet")
    table = parse.find_table(node.name, node.schema)
    if table is None:
        name = f"{node.schema}.{node.name}" if node.schema else node.name
        parse.error(f"no such table: {name}")
    return SrcItem(name=node.name, alias=node.alias, table=table,
                   cursor=parse.alloc_cursor(), schema=node.schema,
                   indexed_by=node.indexed_by, not_indexed=node.not_indexed)
