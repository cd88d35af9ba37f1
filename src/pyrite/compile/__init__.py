"""Compiler layer: the statement dispatcher.

``compile_statement(db, parsed, sql)`` turns one parsed statement into a VDBE
``Program``: it makes the ``ProgramBuilder`` and the ``Parse`` context,
hands the statement to the code generator of its kind (select.py,
insert.py, update.py, delete.py, build.py, trans.py, pragma.py) and closes
the program.  SQLite's counterpart is the grammar actions of ``parse.y``
calling into ``select.c``/``insert.c``/``build.c``... and
``sqlite3FinishCoding``.

Statements that parse but need a feature Pyrite has not implemented yet raise
``OperationalError("<feature> is not supported yet")``.
"""

from __future__ import annotations

from typing import Any

from pyrite import errors
from pyrite.sql import ast

# Statement kinds not implemented yet -> the feature named in the error.
_UNSUPPORTED: dict[type, str] = {
    ast.CreateVirtualTable: "CREATE VIRTUAL TABLE",
}


def unsupported(feature: str) -> None:
    """Raise the error for a feature that is not implemented yet."""
    errors.raise_error(errors.SQLITE_ERROR, f"{feature} is not supported yet")


def _new_parse(db: Any) -> Any:
    from pyrite.compile.builder import ProgramBuilder
    from pyrite.compile.context import Parse
    return Parse(ProgramBuilder(), db)


def _finish(parse: Any, sql: str, explain: int) -> Any:
    """Build the Program from the builder (after ``finish_coding``)."""
    builder = parse.builder
    kwargs = dict(column_names=parse.column_names,
                  column_decltypes=parse.column_decltypes,
                  readonly=parse.readonly, variables=list(parse.variables),
                  explain=explain, sql=sql)
    try:
        program = builder.finish(**kwargs)
    except TypeError:
        program = builder.finish()
        for k, v in kwargs.items():
            try:
                setattr(program, k, v)
            except AttributeError:
                pass
    return program


_ABORTING_OPS = frozenset({"Halt", "HaltIfNull"})
# Besides ABORT halts, the opcodes SQLite counts as able to abort a
# statement (sqlite3VdbeAssertMayAbort): a function call may raise an error.
_MAY_ABORT_OPS = frozenset({"FkCounter", "FkIfZero", "Destroy", "ParseSchema",
                            "Function", "PureFunc", "VUpdate"})


def _uses_stmt_journal(program: Any) -> bool:
    """SQLite keeps a statement journal only for a statement that may stop
    with an ABORT error part-way (mayAbort: an ABORT-action constraint halt,
    a function call, a trigger or foreign-key program); an error in any other writing
    statement -- a FAIL/IGNORE/REPLACE conflict, "datatype mismatch" --
    leaves the rows it already wrote in place.  (SQLite also requires
    isMultiWrite; a single-row write with an ABORT check has nothing written
    when the check fails, so the journal changes nothing there.)"""
    if program.readonly:
        return False
    return _may_abort(program, set())


def _may_abort(program: Any, seen: set[int]) -> bool:
    """Whether ``program`` or a trigger program it calls may abort (a
    trigger counts through its own code, as SQLite's sub-parse hands its
    mayAbort to the statement)."""
    seen.add(id(program))
    for ins in program.instructions:
        name = ins.name
        if name in _ABORTING_OPS:
            if ins.p1 and ins.p2 in (0, 2):   # OE_ABORT (or the default)
                return True
        elif name in _MAY_ABORT_OPS:
            return True
        elif name == "Program" and id(ins.p4) not in seen and _may_abort(ins.p4, seen):
            return True
    return False


def compile_statement(db: Any, parsed: Any, sql: str) -> Any:
    """Compile one ParsedStatement of ``sql`` into a Program."""
    stmt = parsed.statement
    explain = 0
    if isinstance(stmt, ast.Explain):
        explain = 2 if stmt.query_plan else 1
        stmt = stmt.statement
    feature = _UNSUPPORTED.get(type(stmt))
    if feature is not None:
        unsupported(feature)
    parse = _new_parse(db)
    parse.is_explain = explain
    parse.source_sql = sql
    parse.stmt_start = parsed.start
    parse.stmt_end = parsed.end
    # Parameters are numbered in source order, as SQLite's parser does, not in
    # the order code generation visits them (text without ?, :, @ or $ has none).
    if any(c in sql[parsed.start:parsed.end] for c in "?:@$"):
        parse.number_variables(stmt)
    parse.variables_numbered = True
    code_statement(parse, stmt, sql, parsed)
    text = sql[parsed.start:parsed.end]
    program = _finish(parse, text, explain)
    program.uses_stmt_journal = _uses_stmt_journal(program)
    program.whole_table_loops = getattr(parse, "whole_table_loops", False)
    program.restores_deferred_fks = not getattr(parse, "fk_single_write", False)
    if isinstance(stmt, (ast.Insert, ast.Update, ast.Delete)) and not explain:
        # sqlite3VdbeCountChanges: even a write to a view through its
        # INSTEAD OF triggers sets changes() (to 0)
        program.counts_changes = True
    if explain == 1:
        program.column_names = ["addr", "opcode", "p1", "p2", "p3", "p4", "p5", "comment"]
        program.column_decltypes = [None] * 8
    elif explain == 2:
        program.column_names = ["id", "parent", "notused", "detail"]
        program.column_decltypes = [None] * 4
    return program


def code_statement(parse: Any, stmt: ast.Statement, sql: str, parsed: Any) -> None:
    """Emit the whole program of ``stmt`` into ``parse`` (Init ... Halt ...)."""
    if isinstance(stmt, (ast.Insert, ast.Update, ast.Delete)) and stmt.with_ is not None:
        from pyrite.compile.cte import code_with_statement
        code_with_statement(parse, stmt, lambda body: code_statement(parse, body, sql, parsed))
        return
    if isinstance(stmt, ast.SelectStatement):
        from pyrite.compile.context import SRT_OUTPUT, SelectDest
        from pyrite.compile.select import compile_select
        parse.begin_coding()
        compile_select(parse, stmt.select, SelectDest(SRT_OUTPUT))
        parse.finish_coding()
    elif isinstance(stmt, ast.Insert):
        from pyrite.compile.insert import code_insert
        code_insert(parse, stmt)
    elif isinstance(stmt, ast.Update):
        from pyrite.compile.update import code_update
        code_update(parse, stmt)
    elif isinstance(stmt, ast.Delete):
        from pyrite.compile.delete import code_delete
        code_delete(parse, stmt)
    elif isinstance(stmt, ast.CreateTable):
        from pyrite.compile.build import code_create_table
        code_create_table(parse, stmt, sql[parsed.start:parsed.end])
    elif isinstance(stmt, ast.CreateIndex):
        from pyrite.compile.build import code_create_index
        code_create_index(parse, stmt, sql[parsed.start:parsed.end])
    elif isinstance(stmt, ast.CreateView):
        from pyrite.compile.build import code_create_view
        code_create_view(parse, stmt, sql[parsed.start:parsed.end])
    elif isinstance(stmt, ast.CreateTrigger):
        from pyrite.compile.trigger import code_create_trigger
        code_create_trigger(parse, stmt, sql[parsed.start:parsed.end])
    elif isinstance(stmt, ast.Drop):
        from pyrite.compile.build import code_drop
        code_drop(parse, stmt)
    elif isinstance(stmt, (ast.Begin, ast.Commit, ast.Rollback, ast.Savepoint, ast.Release)):
        from pyrite.compile.trans import code_transaction
        code_transaction(parse, stmt)
    elif isinstance(stmt, ast.AlterTable):
        from pyrite.compile.alter import code_alter_table
        code_alter_table(parse, stmt, sql[parsed.start:parsed.end])
    elif isinstance(stmt, ast.Reindex):
        from pyrite.compile.reindex import code_reindex
        code_reindex(parse, stmt)
    elif isinstance(stmt, ast.Analyze):
        from pyrite.compile.analyze import code_analyze
        code_analyze(parse, stmt)
    elif isinstance(stmt, ast.Vacuum):
        from pyrite.compile.vacuum import code_vacuum
        code_vacuum(parse, stmt)
    elif isinstance(stmt, ast.Attach):
        from pyrite.compile.attach import code_attach
        code_attach(parse, stmt)
    elif isinstance(stmt, ast.Detach):
        from pyrite.compile.attach import code_detach
        code_detach(parse, stmt)
    elif isinstance(stmt, ast.Pragma):
        from pyrite.compile.pragma import code_pragma
        code_pragma(parse, stmt)
    else:
        unsupported(type(stmt).__name__)
