"""VDBE layer: sub-programs (trigger programs) and their frames.

SQLite's counterparts are OP_Program and OP_Param of ``vdbe.c`` with
``VdbeFrame`` and sqlite3VdbeFrameRestore of ``vdbeaux.c``.  A trigger body
is compiled into a :class:`~pyrite.vdbe.program.Program` of its own.  The
Program instruction calls it: the running program's state (instructions,
program counter, registers, cursors, once-flags, change count and
last_insert_rowid) is pushed as a :class:`Frame` on ``vm.frames`` and the VM
carries on in the sub-program with fresh registers and cursors.  A Halt
without error in a sub-program pops the frame and resumes the caller after
its Program instruction (or, for RAISE(IGNORE), at the Program's P2).  The
frames are a list, not Python recursion, so a recursive trigger nests as
deep as SQLite's limit allows without touching the interpreter's stack.

The run loop caches the instruction list in a local: a handler that
switches programs stores the new pc in ``vm.pc`` and returns
:data:`EXIT_FRAME`, and the loop reloads ``vm.ops``.
"""

from __future__ import annotations

from typing import Any

from pyrite import errors
from pyrite.vdbe.program import register_file_size
from pyrite.vdbe.opcodes import EXIT_FRAME, opcode

# SQLITE_MAX_TRIGGER_DEPTH: frames (trigger programs) running at once.
MAX_TRIGGER_DEPTH = 1000

OE_IGNORE = 4


class Frame:
    """The caller's state while a sub-program runs (SQLite's VdbeFrame)."""

    __slots__ = ("program", "ops", "pc", "r", "cursors", "once", "n_change",
                 "last_rowid", "db_changes", "token")

    def __init__(self, vm: Any, pc: int, token: Any) -> None:
        host = vm.host
        self.program = vm.program
        self.ops = vm.ops
        self.pc = pc
        self.r = vm.r
        self.cursors = vm.cursors
        self.once = vm.once
        self.n_change = vm.n_change
        self.last_rowid = getattr(host, "last_insert_rowid", 0)
        self.db_changes = getattr(host, "changes", 0)
        self.token = token


@opcode("Program", "P1 P2 P3 P4 P5", "", jump=True, old="p1", ignore="p2", new="p3",
        program="p4", no_recursion="p5")
def op_program(vm: Any, op: Any, pc: int) -> int:
    """Run the sub-program P4 (a trigger body).  The OLD row it reads with
    Param is in the caller's registers from P1, the NEW row from P3 (the
    rowid first, then each column).  RAISE(IGNORE) in the sub-program
    resumes the caller at P2.  With P5 set the call is skipped while the
    same trigger is already running (recursive_triggers off)."""
    sub = op.p4
    token = getattr(sub, "token", sub)
    frames = vm.frames
    if op.p5:
        for f in frames:
            if f.token is token:
                return pc + 1
    if len(frames) >= MAX_TRIGGER_DEPTH:
        errors.raise_error(errors.SQLITE_ERROR, "too many levels of trigger recursion")
    frames.append(Frame(vm, pc, token))
    vm.program = sub
    vm.ops = sub.instructions
    vm.r = [None] * register_file_size(sub)
    vm.cursors = [None] * max(sub.n_cursors, 1)
    vm.once = set()
    vm.n_change = 0
    vm.pc = 0
    return EXIT_FRAME


@opcode("Param", "P1 P2 P3 * *", "r[P2@P3]=parent.{old,new}[P1]", which="p1", dest="p2",
        count="p3")
def op_param(vm: Any, op: Any, pc: int) -> int:
    """Copy P3 registers of the row the calling Program instruction passed
    into r[P2..]: from its OLD row when P1 is 0, its NEW row when P1 is 1."""
    frame = vm.frames[-1]
    call = frame.ops[frame.pc]
    base = call.p1 if op.p1 == 0 else call.p3
    vm.r[op.p2:op.p2 + op.p3] = frame.r[base:base + op.p3]
    return pc + 1


def return_from_frame(vm: Any, ignore: bool) -> int:
    """A sub-program ended without error: hand its change count to the
    connection (the caller's changes() is restored; total_changes() keeps
    the trigger's changes), close its cursors and resume the caller."""
    frame = vm.frames.pop()
    host = vm.host
    host.set_changes(vm.n_change)
    for c in vm.cursors:
        if c is not None:
            c.close()
    vm.program = frame.program
    vm.ops = frame.ops
    vm.r = frame.r
    vm.cursors = frame.cursors
    vm.once = frame.once
    vm.n_change = frame.n_change
    host.last_insert_rowid = frame.last_rowid
    host.changes = frame.db_changes
    if ignore:
        vm.pc = frame.ops[frame.pc].p2
    else:
        vm.pc = frame.pc + 1
    return EXIT_FRAME


def unwind_frames(vm: Any) -> None:
    """An error ends the statement inside sub-programs: close every frame's
    cursors and go back to the statement's own program."""
    while vm.frames:
        frame = vm.frames.pop()
        for c in vm.cursors:
            if c is not None:
                c.close()
        vm.program = frame.program
        vm.ops = frame.ops
        vm.r = frame.r
        vm.cursors = frame.cursors
        vm.once = frame.once
        vm.n_change = frame.n_change
        vm.host.last_insert_rowid = frame.last_rowid
