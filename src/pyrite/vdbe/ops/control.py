"""VDBE layer: control flow, registers, arithmetic, comparison and function opcodes.

SQLite's counterpart is the corresponding part of ``vdbe.c``.  Each handler
is declared with :func:`~pyrite.vdbe.opcodes.opcode`; its docstring is the
opcode's documentation.  Registers are ``vm.r``; NULL is ``None``.
"""

from __future__ import annotations

from typing import Any

from pyrite import errors, values
from pyrite.vdbe.opcodes import EXIT_HALT, EXIT_ROW, opcode

_add = values.add
_subtract = values.subtract
_multiply = values.multiply
_divide = values.divide
_remainder = values.remainder
_concat = values.concat
_is_true = values.is_true
_compare_aff = values.compare_with_affinity
_BINARY = values.BINARY

SQLITE_JUMPIFNULL = 0x10
SQLITE_NULLEQ = 0x80
SQLITE_AFF_MASK = 0x47

OE_ROLLBACK = 1
OE_ABORT = 2
OE_FAIL = 3

_CONSTRAINT_PREFIX = {
    1: "NOT NULL constraint failed: ",
    2: "UNIQUE constraint failed: ",
    3: "CHECK constraint failed: ",
    4: "FOREIGN KEY constraint failed",
}


def _interrupt_check(vm: Any) -> None:
    if getattr(vm.host, "interrupted", False):
        errors.raise_error(errors.SQLITE_INTERRUPT, "interrupted")


# -- control flow ------------------------------------------------------------


@opcode("Init", "* P2 * * *", "Start at P2", jump=True, target="p2")
def op_init(vm: Any, op: Any, pc: int) -> int:
    """Program entry: jump to P2 (the init section: transactions, constants)."""
    return op.p2


@opcode("Goto", "* P2 * * *", "", jump=True, target="p2")
def op_goto(vm: Any, op: Any, pc: int) -> int:
    """Jump to P2.  Backward jumps check for an interrupt."""
    if op.p2 <= pc:
        _interrupt_check(vm)
    return op.p2


@opcode("Gosub", "P1 P2 * * *", "", jump=True, ret="p1", target="p2")
def op_gosub(vm: Any, op: Any, pc: int) -> int:
    """Store this address in r[P1] and jump to P2 (a subroutine call)."""
    vm.r[op.p1] = pc
    return op.p2


@opcode("Return", "P1 * P3 * *", "")
def op_return(vm: Any, op: Any, pc: int) -> int:
    """Jump to the instruction after the address in r[P1].  With P3=1, fall
    through when r[P1] does not hold an integer."""
    v = vm.r[op.p1]
    if type(v) is int:
        return v + 1
    if op.p3:
        return pc + 1
    return v + 1


@opcode("InitCoroutine", "P1 P2 P3 * *", "", jump=True, reg="p1", target="p2", start="p3")
def op_init_coroutine(vm: Any, op: Any, pc: int) -> int:
    """Set up a coroutine starting at P3 with r[P1] as its return register;
    jump to P2 (or fall through when P2 is 0)."""
    vm.r[op.p1] = op.p3 - 1
    return op.p2 if op.p2 else pc + 1


@opcode("Yield", "P1 P2 * * *", "", jump=True, reg="p1", target="p2")
def op_yield(vm: Any, op: Any, pc: int) -> int:
    """Swap the program counter with r[P1]: enter or leave a coroutine."""
    target = vm.r[op.p1]
    vm.r[op.p1] = pc
    return target + 1


@opcode("EndCoroutine", "P1 * * * *", "")
def op_end_coroutine(vm: Any, op: Any, pc: int) -> int:
    """End of a coroutine: jump to P2 of the Yield that last entered it."""
    caller = vm.ops[vm.r[op.p1]]
    vm.r[op.p1] = None
    return caller.p2


@opcode("Halt", "P1 P2 * P4 P5", "")
def op_halt(vm: Any, op: Any, pc: int) -> int:
    """End the program.  P1 != 0 is an error: P1 the result code, P2 the
    conflict action (ROLLBACK 1, ABORT 2, FAIL 3), P4 the message (its detail
    when P5 names a constraint kind: 1 NOT NULL, 2 UNIQUE, 3 CHECK, 4 FK)."""
    if op.p1:
        msg = op.p4
        prefix = _CONSTRAINT_PREFIX.get(op.p5)
        if prefix is not None:
            msg = prefix + (msg or "") if op.p5 != 4 else prefix
        exc = errors.make_error(op.p1, msg)
        exc.on_error = op.p2  # type: ignore[attr-defined]
        if op.p2 == OE_ROLLBACK and hasattr(vm.host, "rollback"):
            vm.host.autocommit = True
            vm.host.rollback()
        raise exc
    if vm.frames:
        # The end of a trigger program: back to the caller (RAISE(IGNORE)
        # is a Halt with P2 = IGNORE and resumes at the Program's P2).
        from pyrite.vdbe.ops.trigger import OE_IGNORE, return_from_frame
        return return_from_frame(vm, op.p2 == OE_IGNORE)
    if vm.fk_constraints or vm.host_fk_pending():
        from pyrite.vdbe.ops.fkey import check_at_halt
        check_at_halt(vm)
    vm.pc = pc
    return EXIT_HALT


@opcode("HaltIfNull", "P1 P2 P3 P4 P5", "if r[P3]=null halt")
def op_halt_if_null(vm: Any, op: Any, pc: int) -> int:
    """Halt with an error (as Halt) when r[P3] is NULL."""
    if vm.r[op.p3] is None:
        return op_halt(vm, op, pc)
    return pc + 1


@opcode("Noop")
def op_noop(vm: Any, op: Any, pc: int) -> int:
    """Do nothing."""
    return pc + 1


for _name in ("Explain", "CursorHint", "ReleaseReg", "SeekHit", "ColumnsUsed",
              "Trace", "Expire", "IfNoHope", "TableLock", "MaxPgcnt", "Abortable",
              "VBegin", "CollSeqNone"):
    opcode(_name)(op_noop)


@opcode("Once", "* P2 * * *", "", jump=True, target="p2")
def op_once(vm: Any, op: Any, pc: int) -> int:
    """Fall through the first time this instruction runs, jump to P2 afterwards."""
    if pc in vm.once:
        return op.p2
    vm.once.add(pc)
    return pc + 1


# -- registers ---------------------------------------------------------------


@opcode("Integer", "P1 P2 * * *", "r[P2]=P1", value="p1", dest="p2")
def op_integer(vm: Any, op: Any, pc: int) -> int:
    """r[P2] = the integer P1."""
    vm.r[op.p2] = op.p1
    return pc + 1


@opcode("String8", "* P2 * P4 *", "r[P2]='P4'", dest="p2", value="p4")
def op_load_p4(vm: Any, op: Any, pc: int) -> int:
    """r[P2] = the constant P4 (an Int64, Real, String8, String or Blob)."""
    vm.r[op.p2] = op.p4
    return pc + 1


opcode("Int64", "* P2 * P4 *", "r[P2]=P4", dest="p2", value="p4")(op_load_p4)
opcode("Real", "* P2 * P4 *", "r[P2]=P4", dest="p2", value="p4")(op_load_p4)
opcode("String", "P1 P2 * P4 *", "r[P2]='P4'", dest="p2", value="p4")(op_load_p4)
opcode("Blob", "P1 P2 * P4 *", "r[P2]=P4 (len=P1)", dest="p2", value="p4")(op_load_p4)


@opcode("Null", "P1 P2 P3 * *", "r[P2..P3]=NULL", dest="p2", last="p3")
def op_null(vm: Any, op: Any, pc: int) -> int:
    """r[P2] = NULL, and r[P2+1..P3] too when P3 > P2."""
    r = vm.r
    r[op.p2] = None
    for i in range(op.p2 + 1, op.p3 + 1):
        r[i] = None
    return pc + 1


@opcode("SoftNull", "P1 * * * *", "r[P1]=NULL")
def op_soft_null(vm: Any, op: Any, pc: int) -> int:
    """r[P1] = NULL."""
    vm.r[op.p1] = None
    return pc + 1


@opcode("Variable", "P1 P2 * * *", "r[P2]=parameter(P1)", index="p1", dest="p2")
def op_variable(vm: Any, op: Any, pc: int) -> int:
    """r[P2] = the value bound to parameter P1 (1-based)."""
    v = vm.vars
    vm.r[op.p2] = v[op.p1] if op.p1 < len(v) else None
    return pc + 1


@opcode("Move", "P1 P2 P3 * *", "r[P2@P3]=r[P1@P3]", src="p1", dest="p2", count="p3")
def op_move(vm: Any, op: Any, pc: int) -> int:
    """Move P3 registers from r[P1..] to r[P2..]; the sources become NULL."""
    r = vm.r
    for i in range(op.p3):
        r[op.p2 + i] = r[op.p1 + i]
        r[op.p1 + i] = None
    return pc + 1


@opcode("Copy", "P1 P2 P3 * *", "r[P2@P3+1]=r[P1@P3+1]", src="p1", dest="p2", count="p3")
def op_copy(vm: Any, op: Any, pc: int) -> int:
    """Copy r[P1..P1+P3] into r[P2..P2+P3]."""
    r = vm.r
    for i in range(op.p3 + 1):
        r[op.p2 + i] = r[op.p1 + i]
    return pc + 1


@opcode("SCopy", "P1 P2 * * *", "r[P2]=r[P1]", src="p1", dest="p2")
def op_scopy(vm: Any, op: Any, pc: int) -> int:
    """r[P2] = r[P1] (values are immutable: a shallow copy is a copy)."""
    vm.r[op.p2] = vm.r[op.p1]
    return pc + 1


opcode("IntCopy", "P1 P2 * * *", "r[P2]=r[P1]", src="p1", dest="p2")(op_scopy)


@opcode("ResultRow", "P1 P2 * * *", "output=r[P1@P2]", start="p1", count="p2")
def op_result_row(vm: Any, op: Any, pc: int) -> int:
    """Output the row r[P1..P1+P2-1]."""
    vm.result = tuple(vm.r[op.p1:op.p1 + op.p2])
    vm.pc = pc + 1
    return EXIT_ROW


@opcode("ChngCntRow", "P1 P2 * * *", "output=r[P1]")
def op_chng_cnt_row(vm: Any, op: Any, pc: int) -> int:
    """PRAGMA count_changes: output r[P1], the rows the INSERT, UPDATE or
    DELETE wrote, as a one-column row.  Immediate foreign key violations of
    the statement fail it first, as they would at its Halt."""
    if vm.fk_constraints > 0:
        from pyrite.vdbe.ops.fkey import raise_fk_error
        raise_fk_error()
    vm.result = (vm.r[op.p1],)
    vm.pc = pc + 1
    return EXIT_ROW


# -- arithmetic ----------------------------------------------------------------


def _binop(name: str, synopsis: str, fn: Any, swap: bool) -> None:
    if swap:
        def handler(vm: Any, op: Any, pc: int) -> int:
            r = vm.r
            r[op.p3] = fn(r[op.p2], r[op.p1])
            return pc + 1
    else:
        def handler(vm: Any, op: Any, pc: int) -> int:
            r = vm.r
            r[op.p3] = fn(r[op.p1], r[op.p2])
            return pc + 1
    handler.__doc__ = f"{synopsis}; NULL if either operand is NULL."
    opcode(name, "P1 P2 P3 * *", synopsis, lhs="p2" if swap else "p1",
           rhs="p1" if swap else "p2", dest="p3")(handler)


_binop("Add", "r[P3]=r[P1]+r[P2]", _add, False)
_binop("Subtract", "r[P3]=r[P2]-r[P1]", _subtract, True)
_binop("Multiply", "r[P3]=r[P1]*r[P2]", _multiply, False)
_binop("Divide", "r[P3]=r[P2]/r[P1]", _divide, True)
_binop("Remainder", "r[P3]=r[P2]%r[P1]", _remainder, True)
_binop("Concat", "r[P3]=r[P2]+r[P1]", _concat, True)
_binop("BitAnd", "r[P3]=r[P1]&r[P2]", values.bit_and, False)
_binop("BitOr", "r[P3]=r[P1]|r[P2]", values.bit_or, False)
_binop("ShiftLeft", "r[P3]=r[P2]<<r[P1]", values.shift_left, True)
_binop("ShiftRight", "r[P3]=r[P2]>>r[P1]", values.shift_right, True)


@opcode("BitNot", "P1 P2 * * *", "r[P2]= ~r[P1]", src="p1", dest="p2")
def op_bit_not(vm: Any, op: Any, pc: int) -> int:
    """r[P2] = ~r[P1]."""
    vm.r[op.p2] = values.bit_not(vm.r[op.p1])
    return pc + 1


@opcode("AddImm", "P1 P2 * * *", "r[P1]=r[P1]+P2", reg="p1", value="p2")
def op_add_imm(vm: Any, op: Any, pc: int) -> int:
    """r[P1] = integer(r[P1]) + P2."""
    vm.r[op.p1] = (values.to_integer(vm.r[op.p1]) or 0) + op.p2
    return pc + 1


@opcode("MustBeInt", "P1 P2 * * *", "", jump=True, reg="p1", target="p2")
def op_must_be_int(vm: Any, op: Any, pc: int) -> int:
    """Make r[P1] an integer if it holds one losslessly; otherwise jump to P2,
    or fail with "datatype mismatch" when P2 is 0."""
    v = vm.r[op.p1]
    if type(v) is not int:
        n = values.apply_affinity(v, "D") if v is not None else None
        if type(n) is int:
            vm.r[op.p1] = n
        else:
            if op.p2 == 0:
                errors.raise_error(errors.SQLITE_MISMATCH, "datatype mismatch")
            return op.p2
    return pc + 1


@opcode("RealAffinity", "P1 * * * *", "", reg="p1")
def op_real_affinity(vm: Any, op: Any, pc: int) -> int:
    """An integer in r[P1] becomes a real."""
    v = vm.r[op.p1]
    if type(v) is int:
        vm.r[op.p1] = float(v)
    return pc + 1


@opcode("Cast", "P1 P2 * * *", "affinity(r[P1])", reg="p1", affinity="p2")
def op_cast(vm: Any, op: Any, pc: int) -> int:
    """CAST r[P1] to the affinity whose code is P2 ('A'..'E')."""
    vm.r[op.p1] = values.cast_to_affinity(vm.r[op.p1], chr(op.p2))
    return pc + 1


@opcode("Affinity", "P1 P2 * P4 *", "affinity(r[P1@P2])", start="p1", count="p2", affinities="p4")
def op_affinity(vm: Any, op: Any, pc: int) -> int:
    """Apply the affinity string P4 to r[P1..P1+P2-1]."""
    r = vm.r
    aff = op.p4 or ""
    apply = values.apply_affinity
    for i in range(min(op.p2, len(aff))):
        a = aff[i]
        if a != "A":
            r[op.p1 + i] = apply(r[op.p1 + i], a)
    return pc + 1


# -- comparisons -------------------------------------------------------------


def _cmp_handler(name: str, test: Any, synopsis: str) -> None:
    def handler(vm: Any, op: Any, pc: int) -> int:
        r = vm.r
        lhs = r[op.p3]
        rhs = r[op.p1]
        p5 = op.p5
        if lhs is None or rhs is None:
            if p5 & SQLITE_NULLEQ:
                res = 0 if (lhs is None and rhs is None) else 1
                vm.last_compare = res
                return op.p2 if test(res) else pc + 1
            vm.last_compare = 1
            return op.p2 if p5 & SQLITE_JUMPIFNULL else pc + 1
        t = type(lhs)
        if t is type(rhs) and (t is int or t is float or (
                t is str and (op.p4 is None or op.p4 is _BINARY)
                and (p5 & SQLITE_AFF_MASK) < 0x43)):  # text vs text unless numeric aff
            res = (lhs > rhs) - (lhs < rhs)
        else:
            aff = p5 & SQLITE_AFF_MASK
            coll = op.p4
            if coll is _BINARY:
                coll = None
            res = _compare_aff(lhs, rhs, chr(aff | 0x40) if aff else None, coll)
        vm.last_compare = res
        return op.p2 if test(res) else pc + 1
    handler.__doc__ = (f"Compare r[P3] with r[P1] (P4 collation, P5 affinity and NULL flags) "
                       f"and jump to P2 if {synopsis}.")
    opcode(name, "P1 P2 P3 P4 P5", f"IF r[P3]{synopsis}r[P1]", jump=True,
           rhs="p1", target="p2", lhs="p3")(handler)


_cmp_handler("Eq", lambda c: c == 0, "==")
_cmp_handler("Ne", lambda c: c != 0, "!=")
_cmp_handler("Lt", lambda c: c < 0, "<")
_cmp_handler("Le", lambda c: c <= 0, "<=")
_cmp_handler("Gt", lambda c: c > 0, ">")
_cmp_handler("Ge", lambda c: c >= 0, ">=")


@opcode("ElseEq", "* P2 * * *", "", jump=True, target="p2")
def op_else_eq(vm: Any, op: Any, pc: int) -> int:
    """Jump to P2 if the preceding comparison found the operands equal."""
    return op.p2 if vm.last_compare == 0 else pc + 1


@opcode("Permutation", "* * * P4 *", "")
def op_permutation(vm: Any, op: Any, pc: int) -> int:
    """Set the column order the next Compare uses."""
    vm.permutation = op.p4
    return pc + 1


@opcode("Compare", "P1 P2 P3 P4 P5", "r[P1@P3] <-> r[P2@P3]")
def op_compare(vm: Any, op: Any, pc: int) -> int:
    """Compare the P3 registers from P1 and P2 with KeyInfo P4; remember the
    result for the next Jump."""
    r = vm.r
    perm = vm.permutation if op.p5 & 1 else None
    vm.permutation = None
    a = [r[op.p1 + (perm[i] if perm else i)] for i in range(op.p3)]
    b = [r[op.p2 + (perm[i] if perm else i)] for i in range(op.p3)]
    ki = op.p4
    vm.last_compare = ki.compare(a, b) if ki is not None else values.compare_keys(a, b, values.KeyInfo([None] * op.p3))
    return pc + 1


@opcode("Jump", "P1 P2 P3 * *", "", jump=True)
def op_jump(vm: Any, op: Any, pc: int) -> int:
    """Jump to P1, P2 or P3 as the last Compare found less, equal or greater."""
    c = vm.last_compare
    return op.p1 if c < 0 else (op.p2 if c == 0 else op.p3)


def _truth(v: Any) -> Any:
    return None if v is None else _is_true(v)


@opcode("And", "P1 P2 P3 * *", "r[P3]=(r[P1] && r[P2])", lhs="p1", rhs="p2", dest="p3")
def op_and(vm: Any, op: Any, pc: int) -> int:
    """Three-valued AND of r[P1] and r[P2] into r[P3]."""
    a = _truth(vm.r[op.p1])
    b = _truth(vm.r[op.p2])
    if a is False or b is False:
        vm.r[op.p3] = 0
    elif a is None or b is None:
        vm.r[op.p3] = None
    else:
        vm.r[op.p3] = 1
    return pc + 1


@opcode("Or", "P1 P2 P3 * *", "r[P3]=(r[P1] || r[P2])", lhs="p1", rhs="p2", dest="p3")
def op_or(vm: Any, op: Any, pc: int) -> int:
    """Three-valued OR of r[P1] and r[P2] into r[P3]."""
    a = _truth(vm.r[op.p1])
    b = _truth(vm.r[op.p2])
    if a is True or b is True:
        vm.r[op.p3] = 1
    elif a is None or b is None:
        vm.r[op.p3] = None
    else:
        vm.r[op.p3] = 0
    return pc + 1


@opcode("Not", "P1 P2 * * *", "r[P2]= !r[P1]", src="p1", dest="p2")
def op_not(vm: Any, op: Any, pc: int) -> int:
    """r[P2] = NOT r[P1] (NULL stays NULL)."""
    v = _truth(vm.r[op.p1])
    vm.r[op.p2] = None if v is None else (0 if v else 1)
    return pc + 1


@opcode("IsTrue", "P1 P2 P3 P4 *", "r[P2] = coalesce(r[P1]==TRUE,P3) ^ P4")
def op_is_true(vm: Any, op: Any, pc: int) -> int:
    """r[P2] = the truth of r[P1] (P3 when NULL), inverted when P4 is 1."""
    v = _truth(vm.r[op.p1])
    res = op.p3 if v is None else (1 if v else 0)
    vm.r[op.p2] = res ^ (op.p4 or 0)
    return pc + 1


@opcode("If", "P1 P2 P3 * *", "", jump=True, reg="p1", target="p2")
def op_if(vm: Any, op: Any, pc: int) -> int:
    """Jump to P2 if r[P1] is true, or if it is NULL and P3 is not 0."""
    v = vm.r[op.p1]
    if v is None:
        return op.p2 if op.p3 else pc + 1
    return op.p2 if _is_true(v) else pc + 1


@opcode("IfNot", "P1 P2 P3 * *", "", jump=True, reg="p1", target="p2")
def op_if_not(vm: Any, op: Any, pc: int) -> int:
    """Jump to P2 if r[P1] is false, or if it is NULL and P3 is not 0."""
    v = vm.r[op.p1]
    if v is None:
        return op.p2 if op.p3 else pc + 1
    return pc + 1 if _is_true(v) else op.p2


@opcode("IsNull", "P1 P2 * * *", "if r[P1]==NULL goto P2", jump=True, reg="p1", target="p2")
def op_is_null(vm: Any, op: Any, pc: int) -> int:
    """Jump to P2 if r[P1] is NULL."""
    return op.p2 if vm.r[op.p1] is None else pc + 1


@opcode("NotNull", "P1 P2 * * *", "if r[P1]!=NULL goto P2", jump=True, reg="p1", target="p2")
def op_not_null(vm: Any, op: Any, pc: int) -> int:
    """Jump to P2 if r[P1] is not NULL."""
    return op.p2 if vm.r[op.p1] is not None else pc + 1


@opcode("ZeroOrNull", "P1 P2 P3 * *", "r[P2] = 0 OR NULL")
def op_zero_or_null(vm: Any, op: Any, pc: int) -> int:
    """r[P2] = NULL if r[P1] or r[P3] is NULL, else 0."""
    r = vm.r
    r[op.p2] = None if (r[op.p1] is None or r[op.p3] is None) else 0
    return pc + 1


@opcode("MemMax", "P1 P2 * * *", "r[P1]=max(r[P1],r[P2])")
def op_mem_max(vm: Any, op: Any, pc: int) -> int:
    """r[P1] = the larger integer of r[P1] and r[P2].  In a trigger program
    r[P1] is the statement's register (an AUTOINCREMENT counter: the
    outermost frame's registers)."""
    r = vm.r
    root = vm.frames[0].r if vm.frames else r
    a = values.to_integer(root[op.p1]) or 0
    b = values.to_integer(r[op.p2]) or 0
    root[op.p1] = max(a, b)
    return pc + 1


@opcode("IfPos", "P1 P2 P3 * *", "if r[P1]>0 then r[P1]-=P3, goto P2", jump=True)
def op_if_pos(vm: Any, op: Any, pc: int) -> int:
    """If r[P1] > 0: subtract P3 from it and jump to P2."""
    v = vm.r[op.p1]
    if v is not None and v > 0:
        vm.r[op.p1] = v - op.p3
        return op.p2
    return pc + 1


@opcode("OffsetLimit", "P1 P2 P3 * *", "if r[P1]>0 then r[P2]=r[P1]+max(0,r[P3]) else r[P2]=(-1)")
def op_offset_limit(vm: Any, op: Any, pc: int) -> int:
    """r[P2] = LIMIT r[P1] plus OFFSET r[P3] (the rows a sorter must keep), or -1."""
    r = vm.r
    limit = r[op.p1]
    off = r[op.p3] or 0
    r[op.p2] = limit + max(0, off) if limit is not None and limit > 0 else -1
    return pc + 1


@opcode("IfNotZero", "P1 P2 * * *", "if r[P1]!=0 then r[P1]--, goto P2", jump=True)
def op_if_not_zero(vm: Any, op: Any, pc: int) -> int:
    """If r[P1] is not 0: decrement it when positive and jump to P2."""
    v = vm.r[op.p1]
    if v:
        if v > 0:
            vm.r[op.p1] = v - 1
        return op.p2
    return pc + 1


@opcode("DecrJumpZero", "P1 P2 * * *", "if (--r[P1])==0 goto P2", jump=True)
def op_decr_jump_zero(vm: Any, op: Any, pc: int) -> int:
    """Decrement r[P1]; jump to P2 when it reaches 0."""
    v = vm.r[op.p1] - 1
    vm.r[op.p1] = v
    return op.p2 if v == 0 else pc + 1


# -- functions and aggregates -------------------------------------------------


@opcode("CollSeq", "P1 * * P4 *", "")
def op_coll_seq(vm: Any, op: Any, pc: int) -> int:
    """P4 is the collation the next function or aggregate uses."""
    vm.coll = op.p4
    return pc + 1


def _call(vm: Any, fd: Any, args: list[Any]) -> Any:
    lead = []
    if fd.flags & 0x02:
        lead.append(vm.function_context())
    if fd.flags & 0x10:
        coll = vm.coll
        lead.append(None if coll is values.BINARY else coll)
    return fd.func(*lead, *args)


@opcode("Function", "P1 P2 P3 P4 P5", "r[P3]=func(r[P2@P5])", constmask="p1", args="p2",
        dest="p3", func="p4", nargs="p5")
def op_function(vm: Any, op: Any, pc: int) -> int:
    """Call the scalar function P4 with the P5 arguments from r[P2]; result in r[P3]."""
    r = vm.r
    fd = op.p4
    args = r[op.p2:op.p2 + op.p5]
    if fd.flags & 0x12:
        res = _call(vm, fd, args)
    else:
        res = fd.func(*args)
    t = type(res)
    if t is bool:
        res = int(res)
    elif t is float and res != res:
        res = None          # a NaN result is NULL (sqlite3_result_double)
    r[op.p3] = res
    return pc + 1


def function_result(res: Any) -> Any:
    """A function's value as a register holds it: booleans as integers,
    NaN as NULL (sqlite3_result_double stores no NaN)."""
    if type(res) is bool:
        return int(res)
    if type(res) is float and res != res:
        return None
    return res


opcode("PureFunc", "P1 P2 P3 P4 P5", "r[P3]=func(r[P2@P5])", constmask="p1", args="p2",
       dest="p3", func="p4", nargs="p5")(op_function)


def _new_aggregate(vm: Any, fd: Any) -> Any:
    if fd.flags & 0x10:
        coll = vm.coll
        return fd.func(None if coll is values.BINARY else coll)
    return fd.func()


@opcode("AggStep", "P1 P2 P3 P4 P5", "accum=r[P3] step(r[P2@P5])", args="p2", accum="p3",
        func="p4", nargs="p5")
def op_agg_step(vm: Any, op: Any, pc: int) -> int:
    """Feed the P5 arguments from r[P2] to aggregate P4 whose state is r[P3]
    (P1 != 0: call inverse(), for windows)."""
    r = vm.r
    acc = r[op.p3]
    if acc is None or not hasattr(acc, "step"):
        acc = r[op.p3] = _new_aggregate(vm, op.p4)
    args = r[op.p2:op.p2 + op.p5]
    if op.p1:
        acc.inverse(*args)
    else:
        acc.step(*args)
    return pc + 1


opcode("AggInverse", "P1 P2 P3 P4 P5", "accum=r[P3] inverse(r[P2@P5])")(op_agg_step)


@opcode("AggFinal", "P1 P2 * P4 *", "accum=r[P1] N=P2", accum="p1", nargs="p2", func="p4")
def op_agg_final(vm: Any, op: Any, pc: int) -> int:
    """Replace the state of aggregate P4 in r[P1] by its final value."""
    acc = vm.r[op.p1]
    if acc is None or not hasattr(acc, "finalize"):
        acc = _new_aggregate(vm, op.p4)
    vm.r[op.p1] = function_result(acc.finalize())
    return pc + 1


@opcode("AggValue", "* P2 P3 P4 *", "r[P3]=value N=P2")
def op_agg_value(vm: Any, op: Any, pc: int) -> int:
    """r[P3] = the current value of the window aggregate whose state is r[P1]."""
    acc = vm.r[op.p1]
    if acc is None or not hasattr(acc, "value"):
        acc = vm.r[op.p1] = _new_aggregate(vm, op.p4)
    vm.r[op.p3] = function_result(acc.value())
    return pc + 1


# -- row sets ------------------------------------------------------------------


@opcode("RowSetAdd", "P1 P2 * * *", "rowset(P1)=r[P2]")
def op_rowset_add(vm: Any, op: Any, pc: int) -> int:
    """Add the integer r[P2] to the row set in r[P1]."""
    s = vm.r[op.p1]
    if not isinstance(s, _RowSet):
        s = vm.r[op.p1] = _RowSet()
    s.items.append(vm.r[op.p2])
    return pc + 1


class _RowSet:
    __slots__ = ("items", "sorted", "members")

    def __init__(self) -> None:
        self.items: list[int] = []
        self.sorted = False
        self.members: set[int] | None = None


@opcode("RowSetRead", "P1 P2 P3 * *", "r[P3]=rowset(P1)", jump=True)
def op_rowset_read(vm: Any, op: Any, pc: int) -> int:
    """Take the smallest integer out of row set r[P1] into r[P3]; jump to P2 when empty."""
    s = vm.r[op.p1]
    if not isinstance(s, _RowSet) or not s.items:
        vm.r[op.p1] = None
        return op.p2
    if not s.sorted:
        s.items = sorted(set(s.items), reverse=True)
        s.sorted = True
    vm.r[op.p3] = s.items.pop()
    return pc + 1


@opcode("RowSetTest", "P1 P2 P3 P4 *", "if r[P3] in rowset(P1) goto P2", jump=True)
def op_rowset_test(vm: Any, op: Any, pc: int) -> int:
    """Jump to P2 if r[P3] is in row set r[P1]; then add it (P4 >= 0)."""
    s = vm.r[op.p1]
    if not isinstance(s, _RowSet):
        s = vm.r[op.p1] = _RowSet()
    if s.members is None:
        s.members = set(s.items)
    v = vm.r[op.p3]
    if v in s.members:
        return op.p2
    if op.p4 is None or op.p4 >= 0:
        s.members.add(v)
    return pc + 1


# -- Bloom filters (a join's inner-loop pre-check) -----------------------------


@opcode("Blob", "P1 P2 * P4 *", "r[P2]=P4 (len=P1)", dest="p2")
def op_blob(vm: Any, op: Any, pc: int) -> int:
    """r[P2] = the blob P4, or P1 zero bytes when P4 is NULL (the bit array
    of a Bloom filter, which FilterAdd sets in place)."""
    vm.r[op.p2] = bytearray(op.p1) if op.p4 is None else op.p4
    return pc + 1


_U64 = (1 << 64) - 1


def _filter_hash(vm: Any, first: int, n: int) -> int:
    """SQLite's filterHash: the sum of the integer values of the keys; all
    strings hash alike, all blobs alike, NULL adds nothing -- so a key the
    comparison may find equal never hashes differently."""
    h = 0
    for v in vm.r[first:first + n]:
        if type(v) is int:
            h += v
        elif type(v) is float:
            h += _real_to_int(v)
        elif isinstance(v, str):
            h += 4093 + 0x0002
        elif isinstance(v, (bytes, bytearray)):
            h += 4093 + 0x0010
    return h & _U64


def _real_to_int(v: float) -> int:
    """sqlite3VdbeIntValue of a real: truncated, clamped to 64 bits."""
    if v != v:
        return 0
    if v <= -9223372036854775808.0:
        return -9223372036854775808
    if v >= 9223372036854775807.0:
        return 9223372036854775807
    return int(v)


@opcode("FilterAdd", "P1 * P3 P4 *", "filter(P1) += key(P3@P4)", reg="p1")
def op_filter_add(vm: Any, op: Any, pc: int) -> int:
    """Add the P4 registers from r[P3] to the Bloom filter in r[P1]."""
    bits = vm.r[op.p1]
    h = _filter_hash(vm, op.p3, op.p4) % (len(bits) * 8)
    bits[h >> 3] |= 1 << (h & 7)
    return pc + 1


@opcode("Filter", "P1 P2 P3 P4 *", "if key(P3@P4) not in filter(P1) goto P2",
        jump=True, reg="p1", target="p2")
def op_filter(vm: Any, op: Any, pc: int) -> int:
    """Jump to P2 when the P4 registers from r[P3] are surely not in the
    Bloom filter r[P1] (fall through when they may be)."""
    bits = vm.r[op.p1]
    h = _filter_hash(vm, op.p3, op.p4) % (len(bits) * 8)
    if not bits[h >> 3] & (1 << (h & 7)):
        return op.p2
    return pc + 1
