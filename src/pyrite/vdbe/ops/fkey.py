"""VDBE layer: the foreign key constraint counters.

SQLite's counterparts are OP_FkCounter, OP_FkIfZero and OP_FkCheck of
``vdbe.c`` with sqlite3VdbeCheckFk of ``vdbeaux.c``.  Immediate constraints
count violations in the running statement (``vm.fk_constraints``, checked
when the statement halts); DEFERRABLE INITIALLY DEFERRED constraints count
them on the connection (``host.fk_deferred``, checked at COMMIT), as do
immediate ones while PRAGMA defer_foreign_keys is on
(``host.fk_deferred_imm``).
"""

from __future__ import annotations

from typing import Any

from pyrite import errors
from pyrite.vdbe.opcodes import opcode

FK_MESSAGE = "FOREIGN KEY constraint failed"


def deferred_violations(host: Any) -> int:
    """Outstanding deferred violations of the connection."""
    return getattr(host, "fk_deferred", 0) + getattr(host, "fk_deferred_imm", 0)


def raise_fk_error() -> None:
    """Raise SQLITE_CONSTRAINT_FOREIGNKEY (the statement is aborted)."""
    exc = errors.make_error(errors.SQLITE_CONSTRAINT_FOREIGNKEY, FK_MESSAGE)
    exc.on_error = 2  # type: ignore[attr-defined]  (OE_Abort)
    raise exc


def check_at_halt(vm: Any) -> None:
    """sqlite3VdbeCheckFk at a successful Halt: immediate violations of the
    statement fail it; in autocommit mode so do deferred ones (the implicit
    transaction would commit them)."""
    if vm.fk_constraints > 0:
        raise_fk_error()
    host = vm.host
    if getattr(host, "autocommit", False) and deferred_violations(host) > 0 \
            and not vm.program.readonly:
        raise_fk_error()


@opcode("FkCounter", "P1 P2 * * *", "fkctr[P1]+=P2", deferred="p1", amount="p2")
def op_fk_counter(vm: Any, op: Any, pc: int) -> int:
    """Add P2 to a foreign key violation counter: the statement's when P1 is
    0, the connection's deferred counter when P1 is 1.  While PRAGMA
    defer_foreign_keys is on, both go to the connection's counter of
    deferred immediate violations."""
    host = vm.host
    if getattr(host, "defer_foreign_keys", False):
        host.fk_deferred_imm += op.p2
    elif op.p1:
        host.fk_deferred += op.p2
    else:
        vm.fk_constraints += op.p2
    return pc + 1


@opcode("FkIfZero", "P1 P2 * * *", "if fkctr[P1]==0 goto P2", jump=True, deferred="p1",
        target="p2")
def op_fk_if_zero(vm: Any, op: Any, pc: int) -> int:
    """Jump to P2 when the counter P1 names (as FkCounter) is zero: with P1
    set, the connection's deferred counters; else the statement's counter and
    the connection's deferred immediate counter."""
    host = vm.host
    if op.p1:
        if deferred_violations(host) == 0:
            return op.p2
    elif vm.fk_constraints == 0 and getattr(host, "fk_deferred_imm", 0) == 0:
        return op.p2
    return pc + 1


@opcode("FkCheck")
def op_fk_check(vm: Any, op: Any, pc: int) -> int:
    """Halt with "FOREIGN KEY constraint failed" when the statement has
    outstanding immediate violations (coded before RETURNING hands out its
    rows)."""
    if vm.fk_constraints > 0:
        raise_fk_error()
    return pc + 1


# Recursive foreign key actions (a self-referencing or cyclic ON DELETE
# CASCADE...) call the action's code again while it runs.  SQLite runs each
# action as a trigger sub-program (OP_Program) with a frame of its own;
# until Pyrite has sub-programs, the action is a subroutine of the statement's
# program and a recursive call saves and restores the registers of the
# action's code around its Gosub.

MAX_TRIGGER_DEPTH = 1000   # SQLITE_MAX_TRIGGER_DEPTH


@opcode("FkPushFrame", "P1 P2 * * *", "push r[P1@P2]", start="p1", count="p2")
def op_fk_push_frame(vm: Any, op: Any, pc: int) -> int:
    """Save registers r[P1..P1+P2-1] (the frame of a foreign key action about
    to call itself) on the VM's frame stack.  Fails with "too many levels of
    trigger recursion" past SQLite's trigger depth limit."""
    frames = vm.fk_frames
    if len(frames) >= MAX_TRIGGER_DEPTH - 1:
        errors.raise_error(errors.SQLITE_ERROR, "too many levels of trigger recursion")
    frames.append(vm.r[op.p1:op.p1 + op.p2])
    return pc + 1


@opcode("FkPopFrame", "P1 P2 * * *", "pop r[P1@P2]", start="p1", count="p2")
def op_fk_pop_frame(vm: Any, op: Any, pc: int) -> int:
    """Restore registers r[P1..P1+P2-1] saved by the matching FkPushFrame."""
    vm.r[op.p1:op.p1 + op.p2] = vm.fk_frames.pop()
    return pc + 1


@opcode("FkBeginCount", "P1 * * * *", "r[P1]=nchange; nchange=0", reg="p1")
def op_fk_begin_count(vm: Any, op: Any, pc: int) -> int:
    """A foreign key action starts: save the statement's change count in
    r[P1] and count the action's changes from zero (as OP_Program saves
    nChange in the sub-program's frame)."""
    vm.r[op.p1] = vm.n_change
    vm.n_change = 0
    return pc + 1


@opcode("FkEndCount", "P1 * * * *", "total+=nchange; nchange=r[P1]", reg="p1")
def op_fk_end_count(vm: Any, op: Any, pc: int) -> int:
    """A foreign key action ends: its changes count in total_changes() but
    not in the statement's changes(); the statement's count is r[P1] again."""
    vm.host.total_changes += vm.n_change
    vm.n_change = vm.r[op.p1] or 0
    return pc + 1
