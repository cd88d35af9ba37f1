"""VDBE layer: instructions and programs (SQLite's ``VdbeOp`` and ``Vdbe`` code).

A :class:`Program` is a flat list of :class:`Instruction` records plus what a
statement needs to run: register and cursor counts, result column names and
declared types, the bound-parameter names, read-only-ness and EXPLAIN mode.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class Instruction:
    """One instruction: opcode number and its five operands (uniform, slotted)."""

    __slots__ = ("opcode", "p1", "p2", "p3", "p4", "p5", "comment")

    def __init__(self, opcode: int, p1: int = 0, p2: int = 0, p3: int = 0,
                 p4: Any = None, p5: int = 0, comment: str | None = None) -> None:
        self.opcode = opcode
        self.p1 = p1
        self.p2 = p2
        self.p3 = p3
        self.p4 = p4
        self.p5 = p5
        self.comment = comment

    @property
    def name(self) -> str:
        from pyrite.vdbe.opcodes import SPECS
        return SPECS[self.opcode].name

    def __repr__(self) -> str:
        return f"<{self.name} {self.p1} {self.p2} {self.p3} {self.p4!r} {self.p5}>"


@dataclass
class Program:
    """A compiled statement."""

    instructions: list[Instruction]
    n_registers: int = 0
    n_cursors: int = 0
    column_names: list[str] = field(default_factory=list)
    column_decltypes: list[str | None] = field(default_factory=list)
    readonly: bool = True
    # Whether an error part-way through undoes the statement's own changes
    # (SQLite's usesStmtJournal); see compile._uses_stmt_journal.
    uses_stmt_journal: bool = True
    # A failed statement restores the connection's deferred foreign key
    # counters (nStmtDefCons) -- except a single-row INSERT, which SQLite
    # runs without a statement journal.
    restores_deferred_fks: bool = True
    variables: list[str | None] = field(default_factory=list)
    explain: int = 0
    # An INSERT, UPDATE or DELETE: its end sets changes() (None: decided
    # from its instructions, see vm._counts_changes)
    counts_changes: bool | None = None
    sql: str = ""
    # Its loops each visit every row of a table (integrity_check, CREATE
    # INDEX, REINDEX): the jit compiles them after a few runs
    # (jit.WHOLE_TABLE_RUNS) rather than when a loop of unknown length
    # would have paid for it.
    whole_table_loops: bool = False


# Operand values above this never imply a register (see register_file_size).
_MAX_IMPLIED_REGISTER = 65536


def register_file_size(program: Program) -> int:
    """How many registers a run of ``program`` needs: as many as allocated,
    or as any operand could name, so a program that names an unallocated
    register cannot index past the end -- counting only operands that could
    be registers of a sane program (operands are also constants and jump
    targets: a literal such as 2000000000 must not size the register file).
    Computed once per program."""
    size = program.__dict__.get("_n_mem")
    if size is None:
        top = program.n_registers
        for op in program.instructions:
            for v in (op.p1, op.p2, op.p3):
                if top < v <= _MAX_IMPLIED_REGISTER:
                    top = v
        size = program.__dict__["_n_mem"] = top + 2
    return size
