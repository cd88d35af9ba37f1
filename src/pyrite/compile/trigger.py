"""Compiler layer: triggers.

SQLite's counterpart is ``trigger.c``: sqlite3BeginTrigger/FinishTrigger
(CREATE TRIGGER), sqlite3TriggersExist (which triggers a write fires),
codeRowTrigger (a trigger body compiled into a sub-program) and
sqlite3CodeRowTrigger/sqlite3CodeRowTriggerDirect (the Program instruction
that runs it), with the OLD/NEW references of ``resolve.c``'s lookupName.

A trigger body is compiled into a Program of its own by a second
:class:`~pyrite.compile.context.Parse` sharing the connection: its WHEN
clause, then each step (INSERT/UPDATE/DELETE/SELECT, coded by the usual
statement coders, which skip their Init/Halt inside a sub-program), then a
Halt.  OLD and NEW name the row the calling statement passes: the caller's
Program instruction names the registers holding them (rowid, then each
column), and the sub-program's init section copies them into registers of
its own with Param, so ``new.x`` reads a register (as RETURNING's rows do).

Sub-programs are compiled once per statement and conflict policy (the
outer statement's OR clause overrides the steps' own, as in SQLite) and
cached on the top-level Parse; a trigger that fires itself finds its own
program in the cache while it is being compiled, so the recursion happens
at run time (the VM's frame stack, ``vdbe/ops/trigger.py``), bounded by
SQLite's depth limit, and only when PRAGMA recursive_triggers is on.
"""

from __future__ import annotations
from pyrite.values import fold_name

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from pyrite import errors
from pyrite.schema import schema as sch
from pyrite.sql import ast

TRIGGER_BEFORE = 1
TRIGGER_AFTER = 2


# ---------------------------------------------------------------------------
# Which triggers a write fires (sqlite3TriggersExist)
# ---------------------------------------------------------------------------

def trigger_time(stmt: ast.CreateTrigger) -> int:
    """BEFORE (also INSTEAD OF, which SQLite stores as BEFORE on a view) or AFTER."""
    return TRIGGER_AFTER if stmt.time == "AFTER" else TRIGGER_BEFORE


def table_triggers(parse: Any, table: Any) -> list[Any]:
    """The triggers on ``table``, in SQLite's firing order
    (sqlite3TriggerList): TEMP triggers on a table of another database
    first, in creation order, then the table's own, the newest first."""
    db = parse.db
    dbs = getattr(db, "dbs", None)
    if dbs is None:
        return []
    own_db = getattr(table, "db_index", 0) or 0
    low = fold_name(table.name)
    own = [t for t in reversed(list(dbs[own_db].schema.triggers.values()))
           if fold_name(t.table) == low and t.statement is not None]
    if own_db == 1:
        return [t for t in own if db._trigger_target_db(t) == 1]
    temp = [t for t in dbs[1].schema.triggers.values()
            if fold_name(t.table) == low and t.statement is not None
            and db._trigger_target_db(t) == own_db]
    return temp + own


def _update_overlap(stmt: ast.CreateTrigger, changed_names: set[str] | None) -> bool:
    """An UPDATE OF trigger fires only when the SET list names one of its
    columns (checkColumnOverlap: names as written)."""
    if stmt.update_columns is None or changed_names is None:
        return True
    return any(fold_name(c) in changed_names for c in stmt.update_columns)


def triggers_exist(parse: Any, table: Any, op: str,
                   changed_names: set[str] | None = None) -> tuple[list[Any], int]:
    """The triggers an ``op`` ('INSERT'/'UPDATE'/'DELETE') on ``table``
    fires, and the mask of their times (TRIGGER_BEFORE | TRIGGER_AFTER)."""
    found = []
    mask = 0
    for trig in table_triggers(parse, table):
        stmt = trig.statement
        if stmt.event != op:
            continue
        if op == "UPDATE" and not _update_overlap(stmt, changed_names):
            continue
        found.append(trig)
        mask |= trigger_time(stmt)
    return found, mask


def recursive_triggers(parse: Any) -> bool:
    return bool(getattr(parse.db, "recursive_triggers", False))


# ---------------------------------------------------------------------------
# Calling the triggers (sqlite3CodeRowTrigger)
# ---------------------------------------------------------------------------

@dataclass
class TriggerCall:
    """The triggers of one write, as the statement coders pass them on."""

    table: Any
    op: str
    triggers: list[Any]
    mask: int
    changed_names: set[str] | None = None

    def has(self, time: int) -> bool:
        return bool(self.mask & time)


def begin_triggers(parse: Any, table: Any, op: str,
                   changed_names: set[str] | None = None) -> TriggerCall | None:
    """The TriggerCall of a write of ``op`` to ``table``, or None."""
    triggers, mask = triggers_exist(parse, table, op, changed_names)
    if not triggers:
        return None
    return TriggerCall(table, op, triggers, mask, changed_names)


def code_row_triggers(parse: Any, call: TriggerCall | None, time: int, reg_old: int,
                      reg_new: int, orconf: int, ignore_jump: int) -> None:
    """Fire the ``time`` triggers of ``call`` for one row: OLD in
    ``reg_old``.., NEW in ``reg_new``.. (0 when absent); RAISE(IGNORE)
    continues at ``ignore_jump``."""
    if call is None:
        return
    for trig in call.triggers:
        if trigger_time(trig.statement) != time:
            continue
        program = trigger_program(parse, trig, call.table, orconf)
        no_recursion = 0 if recursive_triggers(parse) else 1
        parse.emit("Program", reg_old, ignore_jump, reg_new, program, no_recursion,
                   comment=f"Call: {trig.name}")


# ---------------------------------------------------------------------------
# The sub-program of a trigger (codeRowTrigger)
# ---------------------------------------------------------------------------

@dataclass
class TriggerScope:
    """What a trigger body's names see: OLD and NEW, rows of ``table`` held
    in the sub-program's registers (``old_reg``/``new_reg``: the rowid, then
    each column)."""

    table: Any
    op: str
    old_item: Any = None
    new_item: Any = None
    old_reg: int = 0
    new_reg: int = 0
    used: set[str] = field(default_factory=set)

    def item_for(self, qualifier: str) -> Any:
        """The OLD or NEW item a ``qualifier.column`` reference names, if
        the trigger's event has that row (lookupName)."""
        low = fold_name(qualifier)
        if low == "new" and self.op != "DELETE":
            self.used.add("new")
            return self.new_item
        if low == "old" and self.op != "INSERT":
            self.used.add("old")
            return self.old_item
        return None


def toplevel(parse: Any) -> Any:
    return getattr(parse, "toplevel", None) or parse


def trigger_program(parse: Any, trig: Any, table: Any, orconf: int) -> Any:
    """The sub-program of ``trig`` under the conflict policy ``orconf``,
    compiled once per statement (getRowTrigger)."""
    top = toplevel(parse)
    cache = top.__dict__.setdefault("trigger_programs", {})
    key = (fold_name(trig.name), trig.db_index, orconf)
    program = cache.get(key)
    if program is None:
        from pyrite.vdbe.program import Program
        program = Program([])
        program.sql = f"-- TRIGGER {trig.name}"
        # the trigger, whatever its conflict policy: a running trigger is
        # not called again unless recursive_triggers is on
        program.token = trig
        cache[key] = program      # visible to the body: recursion is a run-time call
        _compile_trigger(parse, top, trig, table, orconf, program)
    return program


def _compile_trigger(parse: Any, top: Any, trig: Any, table: Any, orconf: int,
                     program: Any) -> None:
    from pyrite.compile.builder import ProgramBuilder
    from pyrite.compile.context import NameContext, Parse, SrcItem, SrcList
    stmt: ast.CreateTrigger = trig.statement
    sub = Parse(ProgramBuilder(), parse.db)
    sub.toplevel = top
    sub.sub_program = True
    sub.variables_numbered = True
    n = len(table.columns)
    scope = TriggerScope(table, stmt.event)
    scope.old_item = SrcItem(name="old", alias=None, table=table, cursor=sub.alloc_cursor())
    scope.new_item = SrcItem(name="new", alias=None, table=table, cursor=sub.alloc_cursor())
    scope.old_reg = sub.alloc_reg(n + 1)
    scope.new_reg = sub.alloc_reg(n + 1)
    sub.register_cursors[scope.old_item.cursor] = scope.old_reg
    sub.register_cursors[scope.new_item.cursor] = scope.new_reg
    sub.trigger_scope = scope
    init_addr = sub.emit("Init", 0, 0)
    end = sub.label()
    if stmt.when is not None:
        from pyrite.compile.expr import code_if_false
        from pyrite.compile.resolve import resolve_expr
        when = resolve_expr(sub, stmt.when, NameContext(SrcList()))
        code_if_false(sub, when, end, True)
    for step in stmt.body:
        _code_step(sub, _step_in_db(parse, trig, step), orconf)
    sub.resolve(end)
    sub.emit("Halt")
    sub.builder.change_p2(init_addr, sub.current_addr())
    if "old" in scope.used:
        sub.emit("Param", 0, scope.old_reg, n + 1)
    if "new" in scope.used:
        sub.emit("Param", 1, scope.new_reg, n + 1)
    sub.code_constants()
    sub.emit("Goto", 0, init_addr + 1)
    built = sub.builder.finish()
    program.instructions = built.instructions
    program.n_registers = built.n_registers
    program.n_cursors = built.n_cursors
    for db_index, write in sub.transactions.items():
        top.code_verify_schema(db_index, write)
    if not sub.readonly:
        top.readonly = False


_CONFLICT_NAMES = {sch.OE_ROLLBACK: "ROLLBACK", sch.OE_ABORT: "ABORT", sch.OE_FAIL: "FAIL",
                   sch.OE_IGNORE: "IGNORE", sch.OE_REPLACE: "REPLACE"}


def _step_in_db(parse: Any, trig: Any, step: ast.Statement) -> ast.Statement:
    """The table a step of a trigger that is not TEMP writes lives in the
    trigger's own database (sqlite3TriggerStepSrc)."""
    if trig.db_index == 1 or not isinstance(step, (ast.Insert, ast.Update, ast.Delete)):
        return step
    target = step.table
    if target.schema is not None:
        return step
    name = parse.db.db_name(trig.db_index)
    return dataclasses.replace(step, table=dataclasses.replace(target, schema=name))


def _code_step(sub: Any, step: ast.Statement, orconf: int) -> None:
    """One statement of a trigger body (codeTriggerProgram): the calling
    statement's OR clause, when it has one, overrides the step's."""
    from pyrite.compile import code_statement
    if orconf != sch.OE_DEFAULT and isinstance(step, (ast.Insert, ast.Update)):
        step = dataclasses.replace(step, or_=_CONFLICT_NAMES.get(orconf))
    sub.current_nc = None
    if isinstance(step, ast.SelectStatement):
        from pyrite.compile.context import SRT_DISCARD, SelectDest
        from pyrite.compile.select import compile_select
        compile_select(sub, step.select, SelectDest(SRT_DISCARD))
        return
    code_statement(sub, step, "", None)
    sub.emit("ResetCount")


# ---------------------------------------------------------------------------
# RAISE() (sqlite3ExprCodeTarget's TK_RAISE)
# ---------------------------------------------------------------------------

_RAISE_ACTIONS = {"ROLLBACK": sch.OE_ROLLBACK, "ABORT": sch.OE_ABORT, "FAIL": sch.OE_FAIL}


def code_raise(parse: Any, expr: ast.Raise, target: int) -> int:
    """RAISE(IGNORE) ends the trigger program and skips the rest of the
    calling statement's work on this row; RAISE(ROLLBACK|ABORT|FAIL, msg)
    fails the statement with SQLITE_CONSTRAINT_TRIGGER and ``msg``."""
    if getattr(parse, "trigger_scope", None) is None:
        parse.error("RAISE() may only be used within a trigger-program")
    if expr.action == "IGNORE":
        parse.emit("Halt", 0, sch.OE_IGNORE)
    else:
        msg = expr.message
        if isinstance(msg, ast.Literal):
            text = str(msg.value)
        elif isinstance(msg, ast.Column) and msg.table is None:
            text = msg.name
        else:
            parse.error("near \"RAISE\": syntax error")
            raise AssertionError
        parse.emit("Halt", errors.SQLITE_CONSTRAINT_TRIGGER, _RAISE_ACTIONS[expr.action],
                   0, text)
    parse.emit("Null", 0, target)
    return target


# ---------------------------------------------------------------------------
# CREATE TRIGGER (sqlite3BeginTrigger / sqlite3FinishTrigger)
# ---------------------------------------------------------------------------

def _uses_variables(node: Any) -> bool:
    if isinstance(node, ast.Variable):
        return True
    if isinstance(node, (list, tuple)):
        return any(_uses_variables(x) for x in node)
    if isinstance(node, ast.Node):
        return any(_uses_variables(getattr(node, f.name)) for f in dataclasses.fields(node))
    return False


def _name_as_written(stored: str) -> str:
    """The trigger name token as written (``"Tr x"`` with its quotes), as
    SQLite's "trigger %T already exists" prints it."""
    from pyrite.sql.lexer import tokenize
    toks = list(tokenize(stored))
    return stored[toks[2].start:toks[2].end] if len(toks) > 2 else stored


def _trigger_db(parse: Any, stmt: ast.CreateTrigger) -> int:
    """The database CREATE [TEMP] TRIGGER writes to (before looking at
    its table)."""
    from pyrite.compile.build import check_schema
    if stmt.temp:
        if stmt.schema is not None:
            parse.error("temporary trigger may not have qualified name")
        return 1
    return check_schema(parse, stmt.schema)


def _check_step_qualifiers(parse: Any, stmt: ast.CreateTrigger, db: int) -> None:
    """Trigger steps name their tables unqualified (sqlite3TriggerStep's
    "qualified table names are not allowed ...")."""
    for step in stmt.body:
        target = getattr(step, "table", None)
        if isinstance(step, (ast.Insert, ast.Update, ast.Delete)) \
                and getattr(target, "schema", None) is not None:
            parse.error("qualified table names are not allowed on INSERT, UPDATE, "
                        "and DELETE statements within triggers")


def code_create_trigger(parse: Any, stmt: ast.CreateTrigger, text: str) -> None:
    """CREATE TRIGGER: checks, then the schema row (the body is compiled
    when a statement fires the trigger)."""
    from pyrite.compile.build import (_code_noop, begin_write_ddl, change_cookie,
                                      check_object_name, check_schema, code_schema_row,
                                      open_schema_table, stored_sql, _sql_escape)
    db = _trigger_db(parse, stmt)
    if _uses_variables(stmt.body) or _uses_variables(stmt.when):
        parse.error("trigger cannot use variables")
    for step in stmt.body:
        if getattr(step, "returning", None):
            parse.error("cannot use RETURNING in a trigger")
    table = parse.db.find_table(stmt.table, stmt.table_schema
                                or (parse.db.db_name(db) if stmt.schema else None))
    if table is None:
        parse.error(f"no such table: {parse.db.db_name(db)}.{stmt.table}")
    if not stmt.temp and stmt.schema is None and table.db_index == 1:
        db = 1      # a trigger on a TEMP table is a TEMP trigger
    if db != 1 and table.db_index != db:
        parse.error(f"trigger {stmt.name} cannot reference objects in database "
                    f"{parse.db.db_name(table.db_index)}")
    _check_step_qualifiers(parse, stmt, db)
    parse.ddl_db = db
    check_object_name(parse, stmt.name, "trigger")
    sql = stored_sql(text, "CREATE TRIGGER")
    if fold_name(stmt.name) in parse.db.dbs[db].schema.triggers:
        if stmt.if_not_exists:
            _code_noop(parse)
            return
        parse.error(f"trigger {_name_as_written(sql)} already exists")
    if fold_name(table.name).startswith("sqlite_"):
        parse.error("cannot create trigger on system table")
    if table.is_view and stmt.time != "INSTEAD OF":
        when = "AFTER" if stmt.time == "AFTER" else "BEFORE"
        parse.error(f"cannot create {when} trigger on view: {stmt.table}")
    if not table.is_view and stmt.time == "INSTEAD OF":
        parse.error(f"cannot create INSTEAD OF trigger on table: {stmt.table}")
    begin_write_ddl(parse)
    cursor = open_schema_table(parse)
    code_schema_row(parse, cursor, "trigger", stmt.name, stmt.table, None, sql)
    parse.emit("Close", cursor)
    change_cookie(parse)
    parse.emit("ParseSchema", db, 0, 0,
               f"type='trigger' AND name='{_sql_escape(stmt.name)}'")
    parse.finish_coding()


# ---------------------------------------------------------------------------
# Writes to a view: its INSTEAD OF triggers (sqlite3Insert/Update/DeleteFrom
# on a view, sqlite3MaterializeView)
# ---------------------------------------------------------------------------

def view_table(parse: Any, view: Any) -> Any:
    """The view's columns as a table (names and affinities of its SELECT's
    result), the shape of OLD and NEW in its INSTEAD OF triggers."""
    from pyrite.compile.builder import ProgramBuilder
    from pyrite.compile.context import Parse
    from pyrite.compile.select import _from_item
    probe = Parse(ProgramBuilder(), parse.db)
    item = _from_item(probe, ast.TableRef(view.name))
    table = item.table
    table.name = view.name
    return table


def _view_column(parse: Any, vt: Any, name: str, view: Any) -> int:
    low = fold_name(name)
    for i, col in enumerate(vt.columns):
        if fold_name(col.name) == low:
            return i
    parse.error(f"table {view.name} has no column named {name}")
    raise AssertionError


def _materialize_view(parse: Any, stmt: Any, vt: Any) -> int:
    """Run ``SELECT * FROM view WHERE ...`` of an UPDATE or DELETE into an
    ephemeral table; its rowids (1, 2, ...) are the rows' OLD.rowid."""
    from pyrite.compile.context import SRT_TABLE, SelectDest
    from pyrite.compile.select import compile_select
    eph = parse.alloc_cursor()
    parse.emit("OpenEphemeral", eph, len(vt.columns))
    select = ast.Select(ast.SelectCore(columns=(ast.ResultColumn(None, star=True),),
                                       from_=stmt.table, where=stmt.where))
    compile_select(parse, select, SelectDest(SRT_TABLE, eph))
    return eph


def _no_view_returning(parse: Any, stmt: Any) -> None:
    if getattr(stmt, "returning", None):
        parse.error("RETURNING on a view is not supported yet")


def code_view_delete(parse: Any, stmt: ast.Delete, view: Any, call: TriggerCall | None
                     ) -> None:
    """DELETE FROM view: each selected row goes to the INSTEAD OF triggers."""
    _no_view_returning(parse, stmt)
    vt = view_table(parse, view)
    call = TriggerCall(vt, "DELETE", call.triggers if call else [], TRIGGER_BEFORE)
    n = len(vt.columns)
    parse.begin_coding()
    parse.begin_row_count("rows deleted")
    parse.code_verify_schema(view.db_index, write=True)
    eph = _materialize_view(parse, stmt, vt)
    reg_old = parse.alloc_reg(n + 1)
    done = parse.label()
    parse.emit("Rewind", eph, done)
    top = parse.current_addr()
    nxt = parse.label()
    parse.count_row()
    parse.emit("Rowid", eph, reg_old)
    for i in range(n):
        parse.emit("Column", eph, i, reg_old + 1 + i)
    code_row_triggers(parse, call, TRIGGER_BEFORE, reg_old, 0, sch.OE_DEFAULT, nxt)
    parse.resolve(nxt)
    parse.emit("Next", eph, top)
    parse.resolve(done)
    parse.finish_coding()


def code_view_update(parse: Any, stmt: ast.Update, view: Any, call: TriggerCall | None
                     ) -> None:
    """UPDATE view: OLD is each selected row, NEW the SET values over it."""
    from pyrite.compile.build import resolve_on_table
    from pyrite.compile.expr import code_expr
    _no_view_returning(parse, stmt)
    if stmt.from_ is not None:
        parse.error("UPDATE FROM on a view is not supported yet")
    vt = view_table(parse, view)
    on_error = sch.conflict_code(stmt.or_)
    n = len(vt.columns)
    assigned: dict[int, ast.Expr] = {}
    for sc in stmt.sets:
        if len(sc.columns) != 1:
            parse.error("row values in UPDATE of a view are not supported yet")
        name = sc.columns[0]
        if fold_name(name) in ("rowid", "oid", "_rowid_") and \
                all(fold_name(c.name) != fold_name(name) for c in vt.columns):
            assigned[-1] = sc.expr
            continue
        low = fold_name(name)
        ci = next((i for i, c in enumerate(vt.columns) if fold_name(c.name) == low), None)
        if ci is None:
            parse.error(f"no such column: {name}")
            raise AssertionError
        assigned[ci] = sc.expr
    call = TriggerCall(vt, "UPDATE", call.triggers if call else [], TRIGGER_BEFORE)
    parse.begin_coding()
    parse.begin_row_count("rows updated")
    parse.code_verify_schema(view.db_index, write=True)
    eph = _materialize_view(parse, stmt, vt)
    reg_old = parse.alloc_reg(n + 1)
    reg_new = parse.alloc_reg(n + 1)
    done = parse.label()
    parse.emit("Rewind", eph, done)
    top = parse.current_addr()
    nxt = parse.label()
    parse.emit("Rowid", eph, reg_old)
    for i in range(n):
        parse.emit("Column", eph, i, reg_old + 1 + i)
    alias = stmt.table.alias
    for i in range(-1, n):
        target = reg_new + 1 + i
        expr = assigned.get(i)
        if expr is None:
            parse.emit("SCopy", reg_old + 1 + i, target)
            continue
        r = code_expr(parse, resolve_on_table(parse, vt, eph, expr, alias or view.name), target)
        if r != target:
            parse.emit("SCopy", r, target)
    code_row_triggers(parse, call, TRIGGER_BEFORE, reg_old, reg_new, on_error, nxt)
    parse.count_row()
    parse.resolve(nxt)
    parse.emit("Next", eph, top)
    parse.resolve(done)
    parse.finish_coding()


def code_view_insert(parse: Any, stmt: ast.Insert, view: Any) -> None:
    """INSERT INTO view: each row goes to the INSTEAD OF triggers as NEW
    (rowid -1, the values as given: no affinity is applied)."""
    from pyrite.compile.context import SRT_TABLE, SelectDest
    from pyrite.compile.insert import _count_select_columns, code_constant
    from pyrite.compile.select import compile_select
    _no_view_returning(parse, stmt)
    if stmt.upsert:
        parse.error("cannot UPSERT a view")
    vt = view_table(parse, view)
    n = len(vt.columns)
    call = TriggerCall(vt, "INSERT", triggers_exist(parse, view, "INSERT")[0], TRIGGER_BEFORE)
    if stmt.columns is not None:
        targets = [_view_column(parse, vt, name, view) for name in stmt.columns]
    else:
        targets = list(range(n))
    select = stmt.select
    single_row = None
    if stmt.default_values:
        n_values = 0
        targets = []
    elif isinstance(select.core, ast.Values) and len(select.core.rows) == 1 \
            and not select.compounds and not select.order_by and select.limit is None:
        single_row = select.core.rows[0]
        n_values = len(single_row)
    else:
        n_values = _count_select_columns(parse, select)
    if not stmt.default_values and n_values != len(targets):
        if stmt.columns is None:
            parse.error(f"table {view.name} has {len(targets)} columns but "
                        f"{n_values} values were supplied")
        parse.error(f"{n_values} values for {len(targets)} columns")
    parse.begin_coding()
    parse.begin_row_count("rows inserted")
    parse.code_verify_schema(view.db_index, write=True)
    reg_new = parse.alloc_reg(n + 1)
    done = parse.label()
    nxt = parse.label()
    eph = -1
    if select is not None and single_row is None:
        eph = parse.alloc_cursor()
        parse.emit("OpenEphemeral", eph, n_values)
        compile_select(parse, select, SelectDest(SRT_TABLE, eph))
        parse.emit("Rewind", eph, done)
    top = parse.current_addr()
    supplied = {ci: k for k, ci in enumerate(targets)}
    parse.emit("Integer", -1, reg_new)
    for i in range(n):
        k = supplied.get(i)
        if k is None:
            parse.emit("Null", 0, reg_new + 1 + i)
        elif single_row is not None:
            code_constant(parse, single_row[k], reg_new + 1 + i)
        else:
            parse.emit("Column", eph, k, reg_new + 1 + i)
    code_row_triggers(parse, call, TRIGGER_BEFORE, 0, reg_new, sch.conflict_code(stmt.or_), nxt)
    parse.count_row()
    parse.resolve(nxt)
    if eph >= 0:
        parse.emit("Next", eph, top)
    parse.resolve(done)
    parse.finish_coding()
