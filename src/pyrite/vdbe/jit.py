"""VDBE layer: the compiled executor (no SQLite counterpart: SQLite's
``sqlite3VdbeExec`` is already machine code; a Python interpreter loop pays a
function call, five attribute loads and a list lookup per instruction).

:func:`compile_region` translates a range of a
:class:`~pyrite.vdbe.program.Program`'s instructions into the source of one
Python function ``run(vm, op, pc)``; :class:`ProgramJit`, cached on the
program (so every VM of a cached statement shares it), decides what to
compile and when.

Mixed execution.  ``VM.step``'s compiled loop is an interpreter loop over
``ProgramJit.handlers``, one callable per instruction: the opcode's handler,
a hotness counter, or -- at each block start of a compiled region -- the
region's function.  A region runs its blocks and returns the address where
control left it (the loop carries on there, compiled or not) or an exit
code.  Loops (:func:`loop_ranges`: the span of each backward jump) are
compiled alone once they have iterated often enough, whole programs once
they have run often enough (:func:`runs_to_pay_off`: CPython's compile() is
slow, so only code run often repays it); only their basic blocks that have
run by then are compiled, the others are left to the interpreter.
``PYRITE_EXECUTOR=eager`` compiles every program whole on its first step,
which the test suite uses; so does the default executor for a program
whose shape had code compiled before in the process (_COMPILED_SHAPES).

Shape of a region's function.  The region is cut into *extended basic
blocks*: a block starts at each instruction some jump can reach (P2 of a
jump opcode, P1/P3 of Jump, P3 of InitCoroutine, the instruction after a
Gosub or a Yield, which Return and Yield come back to) and runs straight on
through conditional jumps, which leave it with ``pc = target; continue``.
A ``while`` loop dispatches on ``pc`` through a binary tree of ``if pc < N``
tests; each leaf checks ``pc`` is exactly its block's start, and any other
address is returned to the caller.  Registers stay in ``vm.r`` (bound to
the local ``r``), so the VM's state is exact between any two instructions.
A scan loop whose body is one block that leaves its cursor alone is
written as a Python ``while`` loop around the body and its Next
(:meth:`_Generator.fused_loop`): no dispatch per row.

The common opcodes are written inline with their operands as literals (see
``_EMITTERS``); their fast paths cover the usual value types and fall back
to the opcode's own handler otherwise.  An emitter is used only while the
opcode's handler is still the one it restates (``_RESTATES``).  Every other
opcode is a call of its handler with its instruction bound as a constant,
so any opcode runs correctly without an emitter.  When anything raises, the
source line being run names the instruction (``LINE_PC``) and ``vm.pc`` is
set to it, so an IOPending re-runs that instruction in the interpreter and
an error names it, exactly as in the interpreter.  A handler that switches
programs (a trigger's Program, the Halt that ends it) returns
``EXIT_FRAME`` and the VM carries on in the new program.

The interpreter (``VM._run``) stays the reference and the tracing/profiling
path; the test suite runs under both (``PYRITE_EXECUTOR``, see
:func:`executor_mode`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from pyrite import errors, values
from pyrite.storage import btree
from pyrite.vdbe import opcodes
from pyrite.vdbe.opcodes import EXIT_HALT, EXIT_ROW
from pyrite.vdbe.recenc import record_encoder

_AFF_MASK = 0x47
_BT_VALID = btree._VALID      # a B-tree cursor on an entry (BTreeCursor.state)
_NULLEQ = 0x80
_OPFLAG_WHOLE_ENTRY = 0x02    # Found P5: the key is a whole index entry (ops/cursor.py)
_MAX_INT = (1 << 63) - 1
_MIN_INT = -(1 << 63)

# When to compile.  CPython's compile() is slow (tens of microseconds per
# instruction compiled); an instruction written inline saves a fraction of
# a microsecond per run, one compiled as a call of its handler much less.
# Only the instructions that have run count (see ProgramJit).
# A loop is compiled (alone) once it has iterated, and a whole program once
# it has run, about as often as it takes the savings to pay for the
# compilation (see :func:`runs_to_pay_off`): a statement run a few times
# over a few rows never pays for it, a hot one soon runs compiled.
COMPILE_COST = 40.0    # microseconds per instruction compiled
INLINE_GAIN = 0.25     # microseconds saved per run of an inline instruction
CALL_GAIN = 0.04       # ... of an instruction compiled as a handler call
MAX_COMPILES = 3       # compilations of one region (see ProgramJit)
# A program whose loops each visit a whole table (Program.whole_table_loops)
# compiles them after this many runs: enough for the blocks a row takes to
# have run (only those are compiled).  At speedtest1's size 1 (500-row
# tables) this took integrity_check 44-45 -> 36-39 ms of CPU time, the five
# CREATE INDEX 52-53 -> 44-47 ms.
WHOLE_TABLE_RUNS = 12


def executor_mode() -> str:
    """The executor chosen by ``PYRITE_EXECUTOR``: ``interp`` (the
    interpreter only), ``compiled`` (the default: loops and programs are
    compiled once they have run often, see :data:`LOOP_THRESHOLD`) or ``eager`` (every program is compiled on its first step:
    what the test suite uses to cover the compiled forms)."""
    mode = os.environ.get("PYRITE_EXECUTOR", "compiled").strip().lower() or "compiled"
    if mode not in ("interp", "compiled", "eager"):
        raise ValueError(f"PYRITE_EXECUTOR must be interp, compiled or eager, not {mode!r}")
    return mode


MODE = executor_mode()


def set_mode(mode: str) -> str:
    """Switch executors for VMs created from now on (tests); returns the old mode."""
    global MODE
    if mode not in ("interp", "compiled", "eager"):
        raise ValueError(mode)
    old, MODE = MODE, mode
    _COMPILED_SHAPES.clear()    # (each policy starts from nothing compiled)
    return old


class ProgramJit:
    """The compiled state of one program, shared by all its VMs.

    ``handlers[pc]`` is what the mixed interpreter loop (``VM._run_mixed``)
    calls for instruction ``pc``: the opcode's handler, a hotness counter at
    a loop head or at the entry, or -- at every block start of a compiled
    region -- the region's function, which runs the region's blocks and
    returns the address where control left it (or an exit code).

    Only code that has run is compiled (``ran``, see :meth:`_seen`): error
    paths, constraint checks and the like, never taken while a loop warmed
    up, stay interpreted and cost nothing to compile.  A region leaves for
    the interpreter where it meets one of them; one that turns out to run
    often after all gets the region compiled again with it (at most
    :data:`MAX_COMPILES` times)."""

    __slots__ = ("program", "handlers", "entries", "regions", "ran", "block_starts",
                 "shape", "_held", "_watched", "_compiles")

    def __init__(self, program: Any) -> None:
        opcodes._load()
        self.program = program
        ops = program.instructions
        table = opcodes.HANDLERS
        self.handlers: list[Any] = [table[op.opcode] for op in ops]
        self.entries: set[int] = set()      # pcs whose handler is a region
        self.regions: list[tuple[int, int]] = []
        # Basic-block starts that have run (None: compile every block).
        self.ran: set[int] | None = None
        self.block_starts: set[int] = set()
        self._held: dict[int, Any] = {}     # pc -> handler under a _seen marker
        self._watched: set[int] = set()     # cold pcs counting towards a recompile
        self._compiles: dict[tuple[int, int], int] = {}
        if not ops:
            return
        self.shape = _shape(program) if MODE == "compiled" else None
        if MODE == "eager" or self.shape in _COMPILED_SHAPES:
            # (a shape compiled before in this process: see _COMPILED_SHAPES)
            self.compile_region(0, len(ops))
            return
        self.ran = set()
        self.block_starts = block_starts(ops)
        loops = loop_ranges(ops)
        whole_tables = program.whole_table_loops
        for start, end in loops:
            limit = runs_to_pay_off(ops, start, end)
            if whole_tables:
                limit = min(limit, WHOLE_TABLE_RUNS)
            for head in sorted(_back_edge_targets(ops, start, end)):
                self._count_at(head, limit, (start, end), estimate=not whole_tables)
        if not any(start <= 0 < end for start, end in loops):
            self._count_at(0, runs_to_pay_off(ops, 0, len(ops)), (0, len(ops)), estimate=True)
        seen = self._seen
        held = self._held
        handlers = self.handlers
        for pc in self.block_starts:
            held[pc] = handlers[pc]
            handlers[pc] = seen

    def _seen(self, vm: Any, op: Any, at: int) -> int:
        """The first run of block start ``at``: note that it ran, put its
        handler back and run that."""
        handler = self.handlers[at] = self._held.pop(at)
        self.ran.add(at)  # type: ignore[union-attr]
        return handler(vm, op, at)  # type: ignore[no-any-return]

    def _count_at(self, pc: int, limit: int, region: tuple[int, int],
                  estimate: bool = False) -> None:
        """Count the runs of instruction ``pc``; at ``limit``, compile
        ``region``.  With ``estimate``, the limit is first weighed again by
        what has run of the region by then (:func:`runs_to_pay_off`)."""
        held = pc in self._held
        handler = self._held[pc] if held else self.handlers[pc]
        runs = 0

        def counter(vm: Any, op: Any, at: int) -> int:
            nonlocal runs, limit, estimate
            runs += 1
            if runs >= limit and self.handlers[at] is counter:
                if self._compiles.get(region, 0) >= MAX_COMPILES:
                    self.handlers[at] = handler     # compiled often enough
                    return handler(vm, op, at)  # type: ignore[no-any-return]
                if estimate:
                    # Weigh again by what has run (all that is compiled).
                    estimate = False
                    limit = runs_to_pay_off(self.program.instructions, *region, self.ran,
                                            self.block_starts)
                    if runs < limit:
                        return handler(vm, op, at)  # type: ignore[no-any-return]
                self.compile_region(*region)
                if self.handlers[at] is counter:
                    # ``at`` is no entry of the region (a fall-through): done counting.
                    self.handlers[at] = handler
                return self.handlers[at](vm, op, at)  # type: ignore[no-any-return]
            return handler(vm, op, at)  # type: ignore[no-any-return]

        if held:
            self._held[pc] = counter
        else:
            self.handlers[pc] = counter

    def compile_region(self, start: int, end: int) -> None:
        """Compile instructions [start, end) and enter them at their block
        starts; a block start in it that has not run yet counts its runs
        towards compiling the region again (see the class docstring)."""
        fn, starts = compile_region(self.program, start, end, self.ran, self.block_starts)
        if self.shape is not None:
            if len(_COMPILED_SHAPES) >= _CODE_CACHE_SIZE:
                _COMPILED_SHAPES.clear()
            _COMPILED_SHAPES.add(self.shape)
        for pc in starts:
            self.handlers[pc] = fn
            self.entries.add(pc)
        self.regions.append((start, end))
        region = (start, end)
        n = self._compiles[region] = self._compiles.get(region, 0) + 1
        if self.ran is None or n >= MAX_COMPILES:
            return
        limit = runs_to_pay_off(self.program.instructions, start, end)
        for pc in sorted(self.block_starts):
            if start <= pc < end and pc not in self.ran and pc not in self._watched:
                self._watched.add(pc)
                self._count_at(pc, limit, region)


def state_for(program: Any) -> ProgramJit:
    """The :class:`ProgramJit` of ``program``, made on first use."""
    state = program.__dict__.get("_jit")
    if state is None:
        state = program.__dict__["_jit"] = ProgramJit(program)
    return state  # type: ignore[no-any-return]


def runs_to_pay_off(ops: list[Any], start: int, end: int, ran: set[int] | None = None,
                    starts: set[int] | None = None) -> int:
    """How many runs of instructions [start, end) pay for compiling them:
    all of them assumed to run each time, or with ``ran`` (and the
    program's ``starts``, see :func:`block_starts`) only the basic blocks
    that have run, which are all that is compiled."""
    pcs = _ran_pcs(start, end, ran, starts) if ran is not None and starts else range(start, end)
    inline = n = 0
    for pc in pcs:
        n += 1
        if _emitter(opcodes.SPECS[ops[pc].opcode].name) is not None:
            inline += 1
    gain = INLINE_GAIN * inline + CALL_GAIN * (n - inline)
    return max(1, int(COMPILE_COST * n / gain)) if gain else 1


def _ran_pcs(start: int, end: int, ran: set[int], starts: set[int]) -> list[int]:
    """The instructions of [start, end) in basic blocks that have run."""
    out = []
    live = True
    for pc in range(start, end):
        if pc in starts:
            live = pc in ran
        if live:
            out.append(pc)
    return out


def _leaders(ops: list[Any]) -> set[int]:
    """Addresses where an extended basic block starts (see the module
    docstring): every address a jump or a return can reach."""
    specs = opcodes.SPECS
    starts = {0}
    for pc, op in enumerate(ops):
        spec = specs[op.opcode]
        name = spec.name
        if spec.jump:
            starts.add(op.p2)
        if name == "Jump":
            starts.update((op.p1, op.p3))
        elif name == "InitCoroutine":
            starts.add(op.p3)
        if name in _ENDS_BLOCK:
            starts.add(pc + 1)
    return starts


def block_starts(ops: list[Any]) -> set[int]:
    """Addresses where a basic block starts: the extended blocks' leaders
    and the fall-through of every conditional jump.  Each block runs whole
    or not at all, so these are where :meth:`ProgramJit._seen` notes what
    has run."""
    specs = opcodes.SPECS
    starts = _leaders(ops)
    for pc, op in enumerate(ops):
        if specs[op.opcode].jump:
            starts.add(pc + 1)
    n = len(ops)
    return {s for s in starts if 0 <= s < n}


def _back_edge_targets(ops: list[Any], start: int, end: int) -> set[int]:
    specs = opcodes.SPECS
    out = set()
    for pc in range(start, end):
        op = ops[pc]
        if specs[op.opcode].jump and start <= op.p2 <= pc:
            out.add(op.p2)
    return out


def loop_ranges(ops: list[Any]) -> list[tuple[int, int]]:
    """The loops of a program as disjoint ranges [start, end): each backward
    jump (Next, Prev, a Goto back...) spans a loop from its target to
    itself; overlapping spans merge.  The jump from the end of the
    program's init section back to its start (Init's pattern) is no loop."""
    specs = opcodes.SPECS
    init_section = len(ops)
    if ops and specs[ops[0].opcode].name == "Init" and 0 < ops[0].p2 < len(ops):
        init_section = ops[0].p2
    spans = []
    for pc, op in enumerate(ops):
        if pc >= init_section:
            break
        if specs[op.opcode].jump and 0 <= op.p2 <= pc:
            spans.append((op.p2, pc + 1))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


# Code objects by source text: a statement prepared again (another
# connection, a schema change, the test suite's many databases) compiles to
# the same source and reuses the code; only its constants are bound anew.
_CODE_CACHE: dict[str, Any] = {}
_CODE_CACHE_SIZE = 512

# The shapes (_shape) of the programs that have had code compiled in this
# process: one was hot enough to repay a compilation, so a program of the
# same shape made later (another connection, the statement prepared again
# after a schema change or cache eviction) is compiled whole on its first
# step, as under ``eager``.  Its source is written from its own
# instructions, so a shape shared by a different program costs at most a
# compilation, never a wrong result.
_COMPILED_SHAPES: set[tuple] = set()


def _shape(program: Any) -> tuple:
    """What identifies a program's code to _COMPILED_SHAPES: its SQL and
    every instruction's opcode and integer operands."""
    return (program.sql, *[(op.opcode, op.p1, op.p2, op.p3, op.p5)
                            for op in program.instructions])


# Whole programs' code by what their source is written from (_region_key):
# a statement prepared again, of a shape compiled whole before, reuses the
# source and code and binds its own values in a namespace made from the
# generator's bindings (_Generator.bind), without writing the source again.
_REGIONS: dict[tuple, tuple[str, Any, dict[str, Any], dict[str, tuple], list[int]]] = {}


def _region_key(program: Any, start: int, end: int) -> tuple | None:
    """What the source of instructions [start, end) of ``program``,
    compiled whole, is written from: each instruction's opcode, integer
    operands and handler (an emitter restates only its own, see
    _emitter), and what the emitters read of its P4 (_p4_key).  None when
    a P4 is of a kind _p4_key does not know."""
    handlers = opcodes.HANDLERS
    out = []
    for op in program.instructions:
        p4 = _p4_key(op.p4)
        if p4 is None:
            return None
        out.append((op.opcode, op.p1, op.p2, op.p3, op.p5, p4, handlers[op.opcode]))
    return (program.sql, start, end, *out)


def _p4_key(p4: Any) -> Any:
    """What the emitters read of an instruction's P4: a plain value
    itself (literals, affinity strings, key lengths), whether a collation
    is BINARY, a function's flags and kind of callable; None for any
    other object."""
    t = type(p4)
    if p4 is None or t is int or t is str or t is float or t is bytes:
        return (t, p4)
    if p4 is values.BINARY:
        return "BINARY"
    if t is values.KeyInfo or t is values.Collation:
        return t
    if t is _func_def_class():
        f = p4.func
        return (t, p4.flags, isinstance(f, type), f is _count_star_class(),
                getattr(f, "like_plans", None) is not None)
    return None


def compile_region(program: Any, start: int, end: int, ran: set[int] | None = None,
                   starts: set[int] | None = None) -> tuple[Callable[..., int], list[int]]:
    """Translate instructions [start, end) of ``program`` into a Python
    function ``run(vm, op, pc)`` (see the module docstring); also answer its
    block starts.  With ``ran``, only the basic blocks (``starts``) that
    have run are compiled: the others are left for the interpreter."""
    opcodes._load()
    key = _region_key(program, start, end) if ran is None else None
    known = _REGIONS.get(key) if key is not None else None
    if known is not None:
        source, code, fixed, bound, region_starts = known
        namespace = dict(fixed)
        ops = program.instructions
        for name, (pc, get) in bound.items():
            namespace[name] = get(ops[pc])
    else:
        gen = _Generator(program, start, end, ran, starts)
        source = gen.source()
        namespace = gen.namespace
        region_starts = gen.starts
        code = _CODE_CACHE.get(source)
        if code is None:
            if len(_CODE_CACHE) >= _CODE_CACHE_SIZE:
                _CODE_CACHE.clear()
            code = _CODE_CACHE[source] = compile(source, f"<vdbe {program.sql[:60]!r}>", "exec")
        if key is not None:
            if len(_REGIONS) >= _CODE_CACHE_SIZE:
                _REGIONS.clear()
            fixed = {k: v for k, v in namespace.items() if k not in gen.bound}
            _REGIONS[key] = (source, code, fixed, gen.bound, region_starts)
    exec(code, namespace)
    fn = namespace["run"]
    fn.source = source  # (for debugging: print(fn.source))
    return fn, region_starts


def compile_program(program: Any) -> Callable[..., int]:
    """The whole of ``program`` as one compiled function (tests, debugging)."""
    return compile_region(program, 0, len(program.instructions))[0]


class _NoHost:
    """Stands for a host without ``interrupted`` (a bare VM in tests), which
    getattr(host, 'interrupted', False) reads as False."""
    interrupted = False


_NO_HOST = _NoHost()


def _interrupted(vm: Any) -> None:
    errors.raise_error(errors.SQLITE_INTERRUPT, "interrupted")


class _Generator:
    """Writes the source of one program's ``run`` function."""

    def __init__(self, program: Any, start: int, end: int, ran: set[int] | None = None,
                 starts: set[int] | None = None) -> None:
        self.program = program
        self.start = start
        self.end = end
        # The cold basic blocks (not run yet), where compiled code hands over.
        self.cold: set[int] = set()
        if ran is not None and starts:
            self.cold = {pc for pc in starts if start <= pc < end and pc not in ran}
        self.starts: list[int] = []
        self.ops = program.instructions
        self.specs = opcodes.SPECS
        self.names = [self.specs[op.opcode].name for op in self.ops]
        self.bound: dict[str, tuple[int, Callable[[Any], Any]]] = {}
        self.namespace: dict[str, Any] = {
            "__builtins__": __builtins__,
            "_interrupted": _interrupted,
            "_is_true": values.is_true,
            "_apply_affinity": values.apply_affinity,
            "_to_integer": values.to_integer,
            "_add": values.add, "_subtract": values.subtract, "_multiply": values.multiply,
            "_remainder": values.remainder,
            "EXIT_ROW": EXIT_ROW, "EXIT_HALT": EXIT_HALT,
            "_NO_HOST": _NO_HOST, "_MAX_ROWID": (1 << 63) - 1,
        }
        # Only ElseEq reads the outcome of Eq..Ge: keep it only then.
        self.keep_compare = "ElseEq" in self.names
        # Cursors whose current row a Column earlier in the block left in
        # the local ``row<N>`` (see _column).
        self.row_locals: set[int] = set()
        # The MakeRecord that left its values in ``mrow`` for the Insert
        # after it (see _make_row_record), and the leaders, once asked.
        self.made_row = -1
        self.fused: dict[int, int] = {}     # fused scan loops: head -> Next
        self._leader_set: set[int] | None = None
        # In a fused loop's body: its cursor and its Next (which names its
        # locals, see fused_loop), and the registers that hold, so far in
        # the body, a value of the cursor's row or another value a record
        # gives back unchanged (see record_values_kept).
        self.scan: tuple[int, int] | None = None
        self.kept: set[int] = set()
        # In a fused loop's body: the DISTINCT sets (hash cursors) its
        # Found and IdxInsert use, read once before the loop (fused_loop).
        self.hashed: set[int] = set()

    # -- names bound in the function's globals -------------------------------

    def bind(self, name: str, pc: int, get: Callable[[Any], Any]) -> str:
        """Bind ``name`` to ``get(instruction pc)``: a value of this
        program's own, which a program of the same shape binds anew
        (compile_region); anything else in the namespace is the same for
        every program whose source is the same."""
        self.namespace[name] = get(self.ops[pc])
        self.bound[name] = (pc, get)
        return name

    def op(self, pc: int) -> str:
        return self.bind(f"O{pc}", pc, _itself)

    def handler(self, pc: int) -> str:
        return self.bind(f"H_{self.names[pc]}", pc, _handler_of)

    def const_p4(self, pc: int) -> str:
        """A literal for instruction ``pc``'s P4 (ints, None) or a bound name."""
        value = self.ops[pc].p4
        if value is None or type(value) is int:
            return repr(value)
        return self.bind(f"K{pc}", pc, _p4_of)

    def call(self, pc: int) -> list[str]:
        """Run instruction ``pc`` through its handler and follow its answer."""
        return [f"pc = {self.handler(pc)}(vm, {self.op(pc)}, {pc})",
                f"if pc != {pc + 1}: continue"]

    # -- blocks --------------------------------------------------------------

    def leaders(self) -> list[int]:
        """Addresses where a block starts (see the module docstring)."""
        n = len(self.ops)
        starts = _leaders(self.ops) | {self.start}
        return sorted(s for s in starts if self.start <= s < min(n, self.end))

    def leader_set(self) -> set[int]:
        """Every address a jump can reach (_leaders), computed once."""
        if self._leader_set is None:
            self._leader_set = _leaders(self.ops)
        return self._leader_set

    def block(self, start: int, end: int, pad: str, out: list[str],
              rows: set[int] | None = None) -> None:
        """Append the code of the block [start, end) to ``out``, noting for
        each line the instruction it belongs to.  ``rows``: cursors whose
        row is in its local ``row<N>`` throughout the block (a fused loop's)."""
        line_pc = self.line_pc
        cold = self.cold
        for pc in range(start, end):
            if pc in cold:
                # Not run yet: the interpreter takes over here.
                out.append(f"{pad}return {pc}")
                line_pc.append(pc)
                return
            name = self.names[pc]
            self.track_rows(name, pc == start)
            if rows:
                self.row_locals |= rows
            emit = _emitter(name)
            body, ends = emit(self, self.ops[pc], pc) if emit else (self.call(pc), False)
            for line in body:
                out.append(pad + line)
                line_pc.append(pc)
            if self.scan is not None:
                self.record_values_kept(pc)
            if ends:
                return
        out.append(f"{pad}pc = {end}; continue")
        line_pc.append(end - 1)

    def record_values_kept(self, pc: int) -> None:
        """Follow, through a fused loop's body, the registers whose values
        a record gives back unchanged (cursor.record_round_trips), so that
        a MakeRecord into a sorter need not check them (_make_record): a
        Column of the loop's cursor (a field of a record read from the
        database, or its default when that comes back unchanged), a Rowid,
        an Integer.  Those of _KEEPS_RECORD_VALUES change nothing; any
        other instruction forgets them all."""
        name = self.names[pc]
        op = self.ops[pc]
        k = self.scan[0]  # type: ignore[index]
        kept = self.kept
        if name == "Column":
            kept.discard(op.p3)
            if op.p1 == k and _record_round_trips()([op.p4]):
                kept.add(op.p3)
        elif name == "Rowid" and op.p1 == k or name == "Integer":
            kept.add(op.p2)
        elif name not in _KEEPS_RECORD_VALUES:
            kept.clear()

    def fusable_loops(self) -> dict[int, int]:
        """The scan loops to write as a Python loop (fused_loop), as
        {head: Next}: a Next over a cursor only OpenRead opens, whose body
        -- head up to the Next -- is one block (every jump out of it goes to
        the Next or leaves the loop), has run, and holds only instructions
        that never move that cursor nor write to its B-tree (_FUSABLE;
        ResultRow last).  Their rows are taken from the leaf's decoded
        records with no dispatch and no cursor lookups per row."""
        if _emitter("Next") is None:
            return {}
        names = self.names
        ops = self.ops
        opened: dict[int, set[str]] = {}
        for pc, name in enumerate(names):
            if name.startswith(("Open", "SorterOpen")):
                opened.setdefault(ops[pc].p1, set()).add(name)
        ephemeral = {k for k, how in opened.items() if how <= {"OpenEphemeral", "OpenAutoindex"}}
        leaders = self.leader_set()
        out = {}
        for nxt in range(self.start, min(self.end, len(ops))):
            if names[nxt] != "Next":
                continue
            op = ops[nxt]
            head, k = op.p2, op.p1
            if not self.start <= head < nxt or opened.get(k) != {"OpenRead"} or head in out:
                continue
            if any(pc in leaders for pc in range(head + 1, nxt)) \
                    or any(pc in self.cold for pc in range(head, nxt + 1)):
                continue
            if all(_fusable(names[pc], ops[pc], k, ephemeral, pc == nxt - 1)
                   for pc in range(head, nxt)):
                out[head] = nxt
        return out

    def fused_loop(self, head: int, nxt: int, pad: str, out: list[str]) -> None:
        """A scan loop as a Python ``while``: at the Next, the following
        cell of the leaf the cursor rests on becomes its row (from the
        leaf's decoded records, as the Next emitter takes it) and the body
        runs again (_step_in_leaf, as the Next emitter) with no dispatch
        and no cursor lookup.  The leaf is looked up each time (a function
        in the body may run SQL that writes to the table: the cursor is
        saved and found again, on a leaf edited or split).  The Next's
        handler moves to the next leaf (or finds the end) and takes any
        cursor not on an entry.  Any other address leaves the loop for
        the dispatcher.  The body's code is the block's (its jumps to the
        Next continue the loop)."""
        k = self.ops[nxt].p1
        c, bt = f"fc{nxt}", f"fbt{nxt}"
        # The hash cursors of the body (DISTINCT sets): no body instruction
        # opens, closes or empties one, so their sets and key lengths are
        # read once (hs<N>, hn<N>; hs<N> None when it is no hash cursor).
        self.hashed = {self.ops[pc].p1 for pc in range(head, nxt)
                       if self.names[pc] in ("Found", "NotFound", "IdxInsert")}
        hashes = []
        for e in sorted(self.hashed):
            hashes += [f"c = cursors[{e}]",
                       f"hs{e} = c.sorter if c is not None and c.kind == 'hash' else None",
                       f"hn{e} = -1 if hs{e} is None else c.key_info.n_key_field"]
        lines = [
            f"if pc != {head} and pc != {nxt}: return pc",
            f"{c} = cursors[{k}]",
            f"{bt} = {c}.bt",
            f"fu{nxt} = {bt}.pager.text_encoding == 'utf-8'",
            *hashes,
            "while True:",
            f"    if pc != {head}:",
            f"        if pc != {nxt}: break",
        ] + ["        " + x for x in _step_in_leaf(c, bt, head, scan=True)] + [
            f"        if pc != {head}:",
            f"            pc = {self.handler(nxt)}(vm, {self.op(nxt)}, {nxt})",
            f"            if pc != {head}: break",
        ]
        for line in lines:
            out.append(pad + line)
            self.line_pc.append(nxt)
        self.line_pc[-len(lines)] = head
        # The body's Columns of the cursor read its row from a local (see
        # _column): no body instruction moves the cursor.
        out.append(f"{pad}    row{k} = None if {c}.null_row else {c}.row")
        self.line_pc.append(head)
        self.scan = (k, nxt)
        self.kept = set()
        self.block(head, nxt, pad + "    ", out, {k})
        self.scan = None
        self.hashed = set()
        out.append(f"{pad}continue")
        self.line_pc.append(nxt)

    def track_rows(self, name: str, first: bool) -> None:
        """Forget the rows Columns left in locals (see _column) at a
        block's first instruction, where control may come from elsewhere,
        and at an instruction that may move a cursor."""
        if first or name not in _KEEPS_ROWS:
            self.row_locals.clear()

    def weights(self, starts: list[int]) -> list[int]:
        """How often each block start is likely dispatched to, relatively:
        8 to the power of the number of loops (backward jumps' spans) of
        the region around it, so that an inner loop's blocks, run once per
        row of the inner table, outweigh an outer loop's."""
        specs = self.specs
        spans = []
        for pc in range(self.start, min(self.end, len(self.ops))):
            op = self.ops[pc]
            if specs[op.opcode].jump and self.start <= op.p2 <= pc:
                spans.append((op.p2, pc))
        return [8 ** sum(1 for a, b in spans if a <= s <= b) for s in starts]

    def tree(self, starts: list[int], ends: list[int], indent: int, out: list[str],
             weights: list[int] | None = None) -> None:
        """Dispatch on ``pc`` by bisection over the block starts, split where
        the likely dispatches (see weights) balance, so that the blocks run
        once per row take the fewest tests; each side keeps a quarter of
        the starts at least, so that the tree's depth stays logarithmic (a
        program of a thousand blocks nests no deeper than Python allows)."""
        pad = "    " * indent
        if len(starts) == 1:
            nxt = self.fused.get(starts[0])
            if nxt is not None:
                self.fused_loop(starts[0], nxt, pad, out)
                return
            out.append(f"{pad}if pc != {starts[0]}: return pc")
            self.line_pc.append(starts[0])
            self.block(starts[0], ends[0], pad, out)
            return
        if weights is None:
            weights = self.weights(starts)
        total = sum(weights)
        n = len(starts)
        low = max(1, n // 4)
        mid, best, left = low, None, sum(weights[:low - 1])
        for i in range(low, n - low + 1):
            left += weights[i - 1]
            if best is None or abs(total - 2 * left) < best:
                mid, best = i, abs(total - 2 * left)
        out.append(f"{pad}if pc < {starts[mid]}:")
        self.line_pc.append(starts[mid])
        self.tree(starts[:mid], ends[:mid], indent + 1, out, weights[:mid])
        out.append(f"{pad}else:")
        self.line_pc.append(starts[mid])
        self.tree(starts[mid:], ends[mid:], indent + 1, out, weights[mid:])

    def source(self) -> str:
        leaders = self.leaders()
        ends = dict(zip(leaders, leaders[1:] + [self.end]))
        starts = self.starts = [pc for pc in leaders if pc not in self.cold]
        self.fused = self.fusable_loops()
        # A fused loop's Next is entered through its head's leaf (fused_loop).
        inner = set(self.fused.values())
        starts = [pc for pc in starts if pc not in inner]
        ends = [ends[pc] for pc in starts]
        out = [
            "def run(vm, op, pc):",
            "    r = vm.r",
            "    cursors = vm.cursors",
            "    host = vm.host",
            "    batch = vm.batch",
            "    ih = host if hasattr(host, 'interrupted') else _NO_HOST",
            "    try:",
            "        while pc >= 0:",
        ]
        # line_pc[i] is the instruction of source line i + 1 (0 before the loop).
        self.line_pc = [0] * len(out)
        if starts:
            self.tree(starts, ends, 3, out)
        else:
            out.append("            return pc")
            self.line_pc.append(0)
        out += [
            "        return pc",
            "    except BaseException as exc:",
            "        # The instruction running when it raised, by its source line:",
            "        # an IOPending re-runs it, an error names it (as the interpreter).",
            "        vm.pc = LINE_PC[exc.__traceback__.tb_lineno - 1]",
            "        raise",
        ]
        self.line_pc += [0] * 6
        self.namespace["LINE_PC"] = self.line_pc
        return "\n".join(out) + "\n"


# -- inline opcodes ------------------------------------------------------------
#
# An emitter returns (lines, ends_block).  Each must do exactly what the
# opcode's handler does (ops/*.py), or call the handler where it would not.

Emitted = tuple[list[str], bool]

# Opcodes after which control never falls through inline.
_ENDS_BLOCK = {"Goto", "Init", "Halt", "ResultRow", "Return", "Yield", "Gosub",
               "EndCoroutine", "Program", "Jump", "InitCoroutine"}


def _goto(g: _Generator, op: Any, pc: int) -> Emitted:
    if op.p2 <= pc:
        # A backward jump checks for an interrupt (op_goto).
        return ["if ih.interrupted: _interrupted(vm)",
                f"pc = {op.p2}", "continue"], True
    return [f"pc = {op.p2}", "continue"], True


def _init(g: _Generator, op: Any, pc: int) -> Emitted:
    return [f"pc = {op.p2}", "continue"], True


def _integer(g: _Generator, op: Any, pc: int) -> Emitted:
    return [f"r[{op.p2}] = {op.p1!r}"], False


def _load_p4(g: _Generator, op: Any, pc: int) -> Emitted:
    return [f"r[{op.p2}] = {g.const_p4(pc)}"], False


def _null(g: _Generator, op: Any, pc: int) -> Emitted:
    last = max(op.p2, op.p3)
    if last - op.p2 > 8:
        return [f"r[{op.p2}:{last + 1}] = [None] * {last + 1 - op.p2}"], False
    return [f"r[{i}] = None" for i in range(op.p2, last + 1)], False


def _soft_null(g: _Generator, op: Any, pc: int) -> Emitted:
    return [f"r[{op.p1}] = None"], False


def _variable(g: _Generator, op: Any, pc: int) -> Emitted:
    return ["v = vm.vars",
            f"r[{op.p2}] = v[{op.p1}] if {op.p1} < len(v) else None"], False


def _scopy(g: _Generator, op: Any, pc: int) -> Emitted:
    return [f"r[{op.p2}] = r[{op.p1}]"], False


def _copy(g: _Generator, op: Any, pc: int) -> Emitted:
    if op.p3 > 8:
        return g.call(pc), False
    return [f"r[{op.p2 + i}] = r[{op.p1 + i}]" for i in range(op.p3 + 1)], False


def _move(g: _Generator, op: Any, pc: int) -> Emitted:
    if op.p3 > 8:
        return g.call(pc), False
    out = []
    for i in range(op.p3):
        out += [f"r[{op.p2 + i}] = r[{op.p1 + i}]", f"r[{op.p1 + i}] = None"]
    return out, False


def _result_row(g: _Generator, op: Any, pc: int) -> Emitted:
    """A row goes to the step's batch when it has one (fetchall, see
    VM.step) and the run goes on; else the step ends with it."""
    regs = "".join(f"r[{i}], " for i in range(op.p1, op.p1 + op.p2))
    return [f"row = ({regs})",
            "if batch is not None:",
            "    batch.append(row)",
            f"    pc = {pc + 1}",
            "    continue",
            "vm.result = row",
            f"vm.pc = {pc + 1}",
            "return EXIT_ROW"], True


def _affinity(g: _Generator, op: Any, pc: int) -> Emitted:
    """Affinity: values that already have the affinity's type are left as
    they are without a call (ints under NUMERIC/INTEGER, non-zero reals
    under REAL, text under TEXT); others go through values.apply_affinity."""
    aff = op.p4 or ""
    n = min(op.p2, len(aff))
    if n > 8:
        return g.call(pc), False
    out = []
    for i in range(n):
        a, reg = aff[i], op.p1 + i
        if a in ("C", "D"):
            keep = "type(v) is int"
        elif a == "E":
            keep = "type(v) is float and v != 0.0"
        elif a == "B":
            keep = "type(v) is str"
        else:
            continue           # BLOB: no change
        out += [f"v = r[{reg}]",
                f"if v is not None and not ({keep}):",
                f"    r[{reg}] = _apply_affinity(v, {a!r})"]
    return out, False


def _real_affinity(g: _Generator, op: Any, pc: int) -> Emitted:
    return [f"v = r[{op.p1}]",
            "if type(v) is int:",
            f"    r[{op.p1}] = float(v)"], False


def _arith(symbol: str, fallback: str, swap: bool) -> Callable[[_Generator, Any, int], Emitted]:
    """Add/Subtract/Multiply: two 64-bit integers whose result fits inline."""
    def emit(g: _Generator, op: Any, pc: int) -> Emitted:
        a, b = (op.p2, op.p1) if swap else (op.p1, op.p2)
        return [f"a = r[{a}]", f"b = r[{b}]",
                "if type(a) is int and type(b) is int:",
                f"    x = a {symbol} b",
                f"    r[{op.p3}] = x if {_MIN_INT} <= x <= {_MAX_INT} else {fallback}(a, b)",
                "else:",
                f"    r[{op.p3}] = {fallback}(a, b)"], False
    return emit


def _remainder_emit(g: _Generator, op: Any, pc: int) -> Emitted:
    """r[P3] = r[P2] % r[P1]: Python's % where it is C's (a dividend not
    negative, a positive divisor); values.remainder otherwise."""
    return [f"a = r[{op.p2}]", f"b = r[{op.p1}]",
            "if type(a) is int and type(b) is int and a >= 0 and b > 0:",
            f"    r[{op.p3}] = a % b",
            "else:",
            f"    r[{op.p3}] = _remainder(a, b)"], False


def _add_imm(g: _Generator, op: Any, pc: int) -> Emitted:
    return [f"v = r[{op.p1}]",
            f"r[{op.p1}] = (v if type(v) is int else (_to_integer(v) or 0)) + {op.p2}"], False


def _if(jump_when_true: bool) -> Callable[[_Generator, Any, int], Emitted]:
    def emit(g: _Generator, op: Any, pc: int) -> Emitted:
        cond = "" if jump_when_true else "not "
        lines = [f"v = r[{op.p1}]"]
        if op.p3:
            lines += ["if v is None:", f"    pc = {op.p2}", "    continue"]
            test = f"if v is not None and {cond}(v != 0 if type(v) is int else _is_true(v)):"
        else:
            test = f"if v is not None and {cond}(v != 0 if type(v) is int else _is_true(v)):"
        lines += [test, f"    pc = {op.p2}", "    continue"]
        return lines, False
    return emit


def _is_null(g: _Generator, op: Any, pc: int) -> Emitted:
    return [f"if r[{op.p1}] is None:", f"    pc = {op.p2}", "    continue"], False


def _not_null(g: _Generator, op: Any, pc: int) -> Emitted:
    return [f"if r[{op.p1}] is not None:", f"    pc = {op.p2}", "    continue"], False


_CMP_TESTS = {"Eq": "==", "Ne": "!=", "Lt": "<", "Le": "<=", "Gt": ">", "Ge": ">="}


def _compare(g: _Generator, op: Any, pc: int) -> Emitted:
    """Eq..Ge: two ints or two floats (or two texts compared as BINARY under no
    numeric affinity) compare inline; anything else, NULLs included, runs the
    handler.  Floats use the handler's three-way form (a NaN compares equal)."""
    test = _CMP_TESTS[g.names[pc]]
    direct = "t is int"
    if (op.p4 is None or op.p4 is values.BINARY) and (op.p5 & _AFF_MASK) < 0x43:
        direct = "(t is int or t is str)"
    lines = [f"a = r[{op.p3}]", f"b = r[{op.p1}]", "t = type(a)"]
    if g.keep_compare:
        lines += [f"if t is type(b) and ({direct} or t is float):",
                  "    c = (a > b) - (a < b)",
                  "    vm.last_compare = c",
                  f"    if c {test} 0:", f"        pc = {op.p2}", "        continue"]
    else:
        lines += [f"if t is type(b) and {direct}:",
                  f"    if a {test} b:", f"        pc = {op.p2}", "        continue",
                  "elif t is float and type(b) is float:",
                  f"    if ((a > b) - (a < b)) {test} 0:", f"        pc = {op.p2}", "        continue"]
    lines.append("else:")
    lines += ["    " + line for line in g.call(pc)]
    return lines, False


def _column(g: _Generator, op: Any, pc: int) -> Emitted:
    """op_column with its row fetch written out for B-tree cursors and for
    a pseudo cursor over a sorter's row (SorterData leaves a list, which
    is read as it is: nothing writes to it); NULL rows and other cursor
    kinds run the handler.  A table cursor with a DeferredSeek pending
    moves to its index cursor's rowid here (op_column's _finish_deferred);
    when that rowid is missing the handler runs, and reports the
    corruption, with the seek still pending.

    The first Column of a cursor in a block leaves the row it read in the
    local ``row<P1>`` (the row the handler left on the cursor when it ran,
    None on a NULL row); the cursor's row cannot change before the next
    instruction outside _KEEPS_ROWS, so the Columns after it in the block
    read that local (a scan reading several columns of a row fetches the
    row once)."""
    p4 = g.const_p4(pc)
    local = f"row{op.p1}"

    def read(row: str) -> list[str]:
        # (A record shorter than the table, from before an ADD COLUMN, has
        # the column's default P4.)
        return [f"    try: r[{op.p3}] = {row}[{op.p2}]",
                f"    except IndexError: r[{op.p3}] = {p4}"]
    if op.p1 in g.row_locals:
        return [f"if {local} is not None:"] + read(local) + [
                "else:"] + ["    " + x for x in g.call(pc)], False
    g.row_locals.add(op.p1)
    return [f"c = cursors[{op.p1}]",
            "row = c.row",
            "if row is None and not c.null_row:",
            "    k = c.kind",
            "    if k == 'table' or k == 'index':",
            "        bt = c.bt",
            "        d = c.deferred",
            "        if d is None:",
            "            if not bt.eof: row = c.row = bt.record()",
            "        elif bt.table_move_to(d.bt.record()[-1]) == 0:",
            "            c.deferred = None",
            "            row = c.row = bt.record()",
            "    elif k == 'pseudo':",
            "        v = r[c.pseudo_reg]",
            "        if type(v) is list: row = c.row = v",
            "if row is None or c.null_row:"] + ["    " + x for x in g.call(pc)] + [
            f"    {local} = None if c.null_row else c.row",
            "else:",
            f"    {local} = row"] + read("row"), False


def _rowid(g: _Generator, op: Any, pc: int) -> Emitted:
    """Rowid of a table cursor: BTreeCursor.rowid(), read from the leaf's
    keys in a fused loop over the cursor (its locals, see fused_loop)."""
    if g.scan is not None and g.scan[0] == op.p1:
        c, bt = f"fc{g.scan[1]}", f"fbt{g.scan[1]}"
        return [f"if {c}.null_row or {c}.deferred is not None or {c}.kind != 'table' "
                f"or {bt}.state != {_BT_VALID} or {bt}.eof:"] + [
                "    " + x for x in g.call(pc)] + [
                "else:",
                f"    t = {bt}.stack[-1]",
                "    v = t[1].keys",
                f"    r[{op.p2}] = v[t[2]] if v is not None else {bt}.rowid()"], False
    return [f"c = cursors[{op.p1}]",
            "if c.null_row or c.deferred is not None or c.kind != 'table':"] + [
            "    " + x for x in g.call(pc)] + [
            "else:",
            "    bt = c.bt",
            f"    r[{op.p2}] = None if bt.eof else bt.rowid()"], False


def _next(g: _Generator, op: Any, pc: int) -> Emitted:
    """Next on a B-tree cursor to the next cell of the same leaf
    (BTreeCursor.next's own fast path) is written out, and it leaves the
    cursor's row as the page's cached record of that cell when there is one
    (what Column would fetch: a scan over decoded pages makes no call per
    row).  Anything else -- the end of a leaf, a NULL row, a sorter, a
    cursor not on an entry -- runs the handler (op_next)."""
    return [f"c = cursors[{op.p1}]", "bt = c.bt"] + _step_in_leaf("c", "bt", op.p2) + [
            "        continue"] + g.call(pc), False


def _step_in_leaf(c: str, bt: str, head: int, scan: bool = False) -> list[str]:
    """Next's step to the next cell of the same leaf (cursor and B-tree
    cursor in the locals ``c`` and ``bt``): the row becomes that cell's
    cached record and ``pc`` the loop's ``head``; else nothing changes.
    ``scan``: a fused loop's (_Generator.fused_loop), whose OpenRead cursor
    has a B-tree cursor and whose body sets no DeferredSeek on it."""
    return [f"if {'' if scan else f'{bt} is not None and '}{bt}.state == {_BT_VALID} "
            f"and not {c}.null_row and not {bt}.eof:",
            f"    top = {bt}.stack[-1]",
            "    info = top[1]",
            "    i = top[2] + 1",
            "    if info.leaf and i < info.ncell:",
            "        top[2] = i",
            "        v = info.records",
            f"        {c}.row = None if v is None else v[i]"] + (
            [] if scan else [f"        {c}.deferred = None"]) + [
            "        if ih.interrupted: _interrupted(vm)",
            f"        pc = {head}"]


def _gosub(g: _Generator, op: Any, pc: int) -> Emitted:
    return [f"r[{op.p1}] = {pc}", f"pc = {op.p2}", "continue"], True


def _return(g: _Generator, op: Any, pc: int) -> Emitted:
    return [f"v = r[{op.p1}]",
            "if type(v) is int:",
            "    pc = v + 1",
            "    continue"] + g.call(pc) + ["continue"], True


def _yield(g: _Generator, op: Any, pc: int) -> Emitted:
    return [f"v = r[{op.p1}]",
            f"r[{op.p1}] = {pc}",
            "pc = v + 1",
            "continue"], True


def _init_coroutine(g: _Generator, op: Any, pc: int) -> Emitted:
    target = op.p2 if op.p2 else pc + 1
    return [f"r[{op.p1}] = {op.p3 - 1}", f"pc = {target}", "continue"], True


def _halt(g: _Generator, op: Any, pc: int) -> Emitted:
    call = [f"pc = {g.handler(pc)}(vm, {g.op(pc)}, {pc})", "continue"]
    if op.p1:
        return call, True
    # The plain end of the program: no error, no trigger frame to return
    # from and no foreign key violation to report (op_halt).
    return [
        "if not (vm.frames or vm.fk_constraints or getattr(host, 'fk_deferred', 0)",
        "        or getattr(host, 'fk_deferred_imm', 0)):",
        f"    vm.pc = {pc}",
        "    return EXIT_HALT",
    ] + call, True


def _ends(g: _Generator, op: Any, pc: int) -> Emitted:
    """An opcode that never falls through inline: its handler, then dispatch."""
    return g.call(pc) + [f"pc = {pc + 1}", "continue"], True


def _if_pos(g: _Generator, op: Any, pc: int) -> Emitted:
    return [f"v = r[{op.p1}]",
            "if type(v) is int and v > 0:",
            f"    r[{op.p1}] = v - {op.p3}",
            f"    pc = {op.p2}",
            "    continue",
            "if v is not None and type(v) is not int:"] + [
            "    " + x for x in g.call(pc)], False


_IDX_TESTS = {"IdxGE": ">=", "IdxGT": ">", "IdxLE": "<=", "IdxLT": "<"}


def _idx_compare(g: _Generator, op: Any, pc: int) -> Emitted:
    """IdxGE..IdxLT on a one-field key: a plain (BINARY, ASC) index entry
    against a key of its own type, int or text, compares inline (the range
    scan's end test, as _idx_compare's fast path); anything else runs the
    handler.  The entry is the cursor's row when Next left it there (see
    _next), else the B-tree cursor's record, which becomes the cursor's
    row (what a Column of the entry reads next, as op_column would)."""
    if op.p4 != 1:
        return g.call(pc), False
    test = _IDX_TESTS[g.names[pc]]
    return [f"c = cursors[{op.p1}]",
            "e = c.row",
            "if e is None: e = c.row = c.bt.record()",
            "x = e[0] if e and c.key_info._plain else None",
            f"y = r[{op.p3}]",
            "t = type(x)",
            "if t is type(y) and (t is int or t is str):",
            f"    if x {test} y:",
            f"        pc = {op.p2}",
            "        continue",
            "else:"] + ["    " + line for line in g.call(pc)], False


# SeekGE..SeekLT: the tie-break an index seek uses (see ops/cursor._seek),
# and when and how a cursor the seek left on the wrong side of the key
# steps to the first entry on the right one.
_SEEK_RC = {"SeekGE": 1, "SeekGT": -1, "SeekLE": -1, "SeekLT": 1}
_SEEK_FIX = {"SeekGE": ("res < 0", "next"), "SeekGT": ("res <= 0", "next"),
             "SeekLE": ("res > 0", "prev"), "SeekLT": ("res >= 0", "prev")}


def _seek(g: _Generator, op: Any, pc: int) -> Emitted:
    """SeekGE..SeekLT (ops/cursor._seek) on an index cursor, or on a table
    cursor with an integer key, call the B-tree's move inline; other keys
    (a table cursor's real or text key) and other cursor kinds run the
    handler."""
    name = g.names[pc]
    test, step = _SEEK_FIX[name]
    n = op.p4 if type(op.p4) is int else 0
    if 1 <= n <= 8:
        key = f"[{', '.join(f'r[{op.p3 + i}]' for i in range(n))}]"
        lines = [f"c = cursors[{op.p1}]",
                 "k = None if c is None else c.kind",
                 "if k == 'index':",
                 "    bt = c.bt",
                 f"    res = bt.index_move_to({key}, {_SEEK_RC[name]})",
                 f"elif k == 'table' and type(r[{op.p3}]) is int:",
                 "    bt = c.bt",
                 f"    res = bt.table_move_to(r[{op.p3}])",
                 "else:"] + ["    " + x for x in g.call(pc)]
    else:
        lines = [f"c = cursors[{op.p1}]",
                 f"if c is not None and c.kind == 'table' and type(r[{op.p3}]) is int:",
                 "    bt = c.bt",
                 f"    res = bt.table_move_to(r[{op.p3}])",
                 "else:"] + ["    " + x for x in g.call(pc)]
    # (The handler has done all of it when it ran: res is None then.)
    return lines + [
            "    res = None",
            "if res is not None:",
            "    c.null_row = False",
            "    c.row = None",
            "    c.deferred = None",
            f"    if bt.eof or ({test} and not bt.{step}()):",
            f"        pc = {op.p2}",
            "        continue"], False


def _seek_rowid(g: _Generator, op: Any, pc: int) -> Emitted:
    """SeekRowid with an integer key: the table seek inline (op_seek_rowid);
    other keys run the handler."""
    return [f"c = cursors[{op.p1}]",
            f"v = r[{op.p3}]",
            "if c is not None and type(v) is int:",
            "    bt = c.bt",
            "    res = bt.table_move_to(v)",
            "    c.null_row = False",
            "    c.row = None",
            "    c.deferred = None",
            "    if res != 0 or bt.eof:",
            f"        pc = {op.p2}",
            "        continue",
            "else:"] + ["    " + x for x in g.call(pc)], False


def _deferred_seek(g: _Generator, op: Any, pc: int) -> Emitted:
    """DeferredSeek: table cursor P3 notes index cursor P1 (op_deferred_seek);
    a Column of it moves it (see _column)."""
    return [f"c = cursors[{op.p3}]",
            f"d = cursors[{op.p1}]",
            "if c is not None and d is not None:",
            "    c.deferred = d",
            "    c.row = None",
            "    c.null_row = False",
            "else:"] + ["    " + x for x in g.call(pc)], False


def _function(g: _Generator, op: Any, pc: int) -> Emitted:
    """Function/PureFunc of a function wanting neither the connection nor a
    collation: its callable bound as a constant and called on the argument
    registers, the result stored as op_function stores it (a bool as an
    integer, a NaN as NULL)."""
    fd = op.p4
    if fd.flags & 0x12 or op.p5 > 8:
        return g.call(pc), False
    name = g.bind(f"F{pc}", pc, _func_of)
    if op.p5 == 2 and getattr(fd.func, "like_plans", None) is not None:
        return _like(g, op, pc, name), False
    args = ", ".join(f"r[{op.p2 + i}]" for i in range(op.p5))
    return [f"v = {name}({args})",
            "t = type(v)",
            "if t is bool: v = int(v)",
            "elif t is float and v != v: v = None",
            f"r[{op.p3}] = v"], False


def _like(g: _Generator, op: Any, pc: int, func: str) -> list[str]:
    """``text LIKE pattern`` (like(pattern, text), no ESCAPE) whose pattern
    has been seen: a '%literal%' pattern is a substring test written out
    for ASCII text without a NUL (lower-cased first when the pattern folds
    case), any other pattern or text its compiled test (functions.core
    _LIKE_PLANS); an unseen pattern, or a value that is no text, goes
    through like() itself, which makes the plan."""
    plans = g.bind(f"LP{pc}", pc, _like_plans_of)
    pat, text = f"r[{op.p2}]", f"r[{op.p2 + 1}]"
    return [f"s = {text}",
            f"p = {pat}",
            f"lp = {plans}.get(p) if type(s) is str and type(p) is str else None",
            "if lp is None:",
            f"    v = {func}(p, s)",
            "elif lp[0] and s.isascii() and '\\0' not in s:",
            "    v = 1 if lp[0] in (s.lower() if lp[1] else s) else 0",
            "else:",
            "    v = lp[2](s)",
            f"r[{op.p3}] = v"]


def _agg_step(g: _Generator, op: Any, pc: int) -> Emitted:
    """AggStep of an aggregate whose state is already made (an instance of
    its class): step() called inline (count(*)'s increment written out);
    the first row, which makes the state, and AggInverse run the
    handler."""
    cls = op.p4.func
    if op.p1 or not isinstance(cls, type) or op.p5 > 8:
        return g.call(pc), False
    name = g.bind(f"A{pc}", pc, _func_of)
    args = ", ".join(f"r[{op.p2 + i}]" for i in range(op.p5))
    step = "a.n += 1" if cls is _count_star_class() else f"a.step({args})"
    return [f"a = r[{op.p3}]",
            f"if type(a) is {name}:",
            f"    {step}",
            "else:"] + ["    " + x for x in g.call(pc)], False


def _count_star_class() -> type:
    from pyrite.vdbe.functions.aggregates import CountStar
    return CountStar


def _coll_seq(g: _Generator, op: Any, pc: int) -> Emitted:
    return [f"vm.coll = {g.const_p4(pc)}"], False


def _make_record(g: _Generator, op: Any, pc: int) -> Emitted:
    """MakeRecord whose record only feeds the SorterInsert right after it
    (ORDER BY's rows, an index's keys being built): the register gets the
    values themselves (after the affinities P4, applied as MakeRecord
    applies them: data.record_values), as SorterData leaves a sorter's row,
    when they come back unchanged from a record
    (cursor.record_round_trips); the sorter keeps them instead of encoding
    and decoding them again.  A table row the Insert right after it writes
    keeps its values for that Insert (_make_row_record); any other
    MakeRecord is encoded in line (_make_record_encoded)."""
    nxt = pc + 1
    if nxt >= g.end or g.ops[nxt].p2 != op.p3 or op.p2 < 1:
        return _make_record_encoded(g, op, pc), False
    nop = g.ops[nxt]
    if g.names[nxt] == "Insert" and nxt not in g.leader_set():
        return _make_row_record(g, op, pc), False
    if g.names[nxt] == "SorterInsert":
        g.namespace["_round_trips"] = _record_round_trips()
        test = "_round_trips(v)"
        if g.scan is not None and g.kept.issuperset(range(op.p1, op.p1 + op.p2)):
            # Values of the scan's row (_Generator.record_values_kept):
            # they come back unchanged from a record in a UTF-8 database.
            test = f"fu{g.scan[1]} or {test}"
    elif g.names[nxt] == "IdxInsert" and nop.p3 == op.p1 and nop.p4 == op.p2 and not op.p4:
        # A DISTINCT set kept as a hash (cursor.op_idx_insert) takes its key
        # from these registers anyway: the record is never read.
        if nop.p1 in g.hashed:
            test = f"hs{nop.p1} is not None"
        else:
            test = f"cursors[{nop.p1}] is not None and cursors[{nop.p1}].kind == 'hash'"
    else:
        return _make_record_encoded(g, op, pc), False
    # (A record made after all: the handler applies the affinities again,
    # which changes nothing the second time.)
    return [f"v = {_record_values_of(g, op, pc)}",
            f"if {test}:",
            f"    r[{op.p3}] = v",
            "else:"] + ["    " + x for x in g.call(pc)], False


def _record_values_of(g: _Generator, op: Any, pc: int) -> str:
    """The expression for MakeRecord's values: r[P1..P1+P2-1] with the
    affinities P4 applied as the handler applies them (data.record_values,
    which writes them back to the registers too)."""
    if not op.p4:
        return f"r[{op.p1}:{op.p1 + op.p2}]"
    g.namespace["_record_values"] = _record_values_fn()
    name = g.bind(f"AFF{pc}", pc, _p4_of)
    return f"_record_values(r, {op.p1}, {op.p2}, {name})"


def _make_record_encoded(g: _Generator, op: Any, pc: int) -> list[str]:
    """The usual MakeRecord: the affinities P4 applied (data.record_values)
    and the record encoded, without the handler's call.  The handler's
    other outcome, values for a DISTINCT set's IdxInsert right after it
    (data.op_make_record), needs that IdxInsert: then it runs."""
    nxt = pc + 1
    if (nxt < len(g.ops) and g.names[nxt] == "IdxInsert" and g.ops[nxt].p3 == op.p1
            and g.ops[nxt].p2 == op.p3):
        return g.call(pc)
    g.namespace["_encode_record"] = _encode_record_fn()
    general = f"_encode_record({_record_values_of(g, op, pc)})"
    enc = _record_encoder(g, op, pc)
    if enc is None:
        return [f"r[{op.p3}] = {general}"]
    return [f"v = {enc}(r)",
            f"r[{op.p3}] = v if v is not None else {general}"]


def _make_row_record(g: _Generator, op: Any, pc: int) -> list[str]:
    """MakeRecord of a table row that the Insert right after it writes (no
    jump lands between them): the record, and its values left in the local
    ``mrow`` for that Insert (see _insert), as the handler builds it."""
    g.namespace["_encode_record"] = _encode_record_fn()
    g.namespace["_round_trips"] = _record_round_trips()
    g.made_row = pc
    general = [f"mrow = {_record_values_of(g, op, pc)}",
               f"r[{op.p3}] = _encode_record(mrow)",
               "if not _round_trips(mrow):",
               "    mrow = None"]
    enc = _record_encoder(g, op, pc)
    if enc is None:
        return general
    # (the compiled encoder's values always come back the same)
    return [f"v = {enc}(r)",
            "if v is None:"] + ["    " + x for x in general] + [
            "else:",
            f"    mrow = r[{op.p1}:{op.p1 + op.p2}]",
            f"    r[{op.p3}] = v"]


def _record_encoder(g: _Generator, op: Any, pc: int) -> str | None:
    """The name of MakeRecord's compiled encoder in the namespace
    (recenc.record_encoder: None when the record has none)."""
    if _encoder_of(op) is None:
        return None
    return g.bind(f"ENC{pc}", pc, _encoder_of)


# What _Generator.bind binds, from an instruction.
def _itself(op: Any) -> Any:
    return op


def _handler_of(op: Any) -> Any:
    return opcodes.HANDLERS[op.opcode]


def _p4_of(op: Any) -> Any:
    return op.p4


def _func_of(op: Any) -> Any:
    return op.p4.func


def _like_plans_of(op: Any) -> Any:
    return op.p4.func.like_plans


def _encoder_of(op: Any) -> Any:
    return record_encoder(op.p1, op.p2, op.p4)


def _func_def_class() -> type:
    from pyrite.vdbe.functions.base import FuncDef
    return FuncDef


def _encode_record_fn() -> Callable[..., bytes]:
    from pyrite.storage.record import encode_record
    return encode_record


def _record_values_fn() -> Callable[..., list[Any]]:
    from pyrite.vdbe.ops.data import record_values
    return record_values


def _idx_insert(g: _Generator, op: Any, pc: int) -> Emitted:
    """IdxInsert of a row of values (see _make_record) into a hash cursor
    adds its key tuple; anything else runs the handler."""
    if op.p5 & 0x01:        # OPFLAG_NCHANGE: the handler counts the change
        return g.call(pc), False
    g.namespace["_hash_key"] = _hash_key_fn()
    e = op.p1
    if e in g.hashed:
        # (a fused loop's DISTINCT set, see fused_loop)
        test, n, keys = f"hs{e} is not None", f"hn{e}", f"hs{e}"
    else:
        test, n, keys = "c is not None and c.kind == 'hash'", "c.key_info.n_key_field", "c.sorter"
    out = [f"c = cursors[{e}]",
           f"v = r[{op.p2}]",
           f"if type(v) is list and {test}:",
           f"    k = tuple(v[:{n}])",
           "    try:",
           f"        {keys}.add(k)",
           "    except TypeError:",
           f"        {keys}.add(_hash_key(k))"]
    n = op.p4
    if not op.p5 & 0x08 and type(n) is int and 0 < n <= 16 and op.p3:
        # An index entry from MakeRecord, its fields still in r[P3..]:
        # the B-tree takes them as the key (as op_idx_insert checks).
        g.namespace["_record_fields"], g.namespace["_KEY_TYPES"] = _idx_insert_helpers()
        types = " and ".join(f"type(k[{i}]) in _KEY_TYPES" for i in range(n))
        # (a header of n + 1 bytes, each type one byte: n fields)
        short = " and ".join([f"v[0] == {n + 1}"] + [f"v[{i}] < 128" for i in range(1, n + 1)])
        out += ["elif type(v) is bytes and c is not None and c.kind == 'index':",
                f"    k = r[{op.p3}:{op.p3 + n}]",
                f"    c.bt.insert(None, v, k if ({short} or _record_fields(v) == {n}) and {types}"
                " else None)",
                "    c.row = None"]
    return out + ["else:"] + ["    " + x for x in g.call(pc)], False


def _no_conflict(g: _Generator, op: Any, pc: int) -> Emitted:
    """NoConflict with a key of P4 registers on an index cursor: jump when
    a field is NULL, else seek the key and jump unless an entry has it
    (op_no_conflict, _found); another cursor kind runs the handler."""
    n = op.p4
    if type(n) is not int or not 0 < n <= 16 or op.p5 & 0x02:   # OPFLAG_WHOLE_ENTRY
        return g.call(pc), False
    nulls = " or ".join(f"k[{i}] is None" for i in range(n))
    return [f"k = r[{op.p3}:{op.p3 + n}]",
            f"if {nulls}:",
            f"    pc = {op.p2}",
            "    continue",
            f"c = cursors[{op.p1}]",
            "if c is not None and c.kind == 'index':",
            "    b = c.bt",
            "    v = b.index_move_to(k, 0)",
            "    c.null_row = False",
            "    c.row = None",
            "    if v or b.eof:",
            f"        pc = {op.p2}",
            "        continue",
            "else:"] + ["    " + x for x in g.call(pc)], False


def _insert(g: _Generator, op: Any, pc: int) -> Emitted:
    """Insert of a record (MakeRecord's bytes) into a table: the B-tree
    call, the change count and last_insert_rowid as op_insert does them;
    any other value of r[P2] (or no cursor) runs the handler.  The record
    its MakeRecord just built (_make_row_record: no jump lands between
    them) also gives the B-tree the row's values, which the table leaf
    keeps decoded when they come back the same from the record (as
    cursor._row_of_record)."""
    row = "None"
    if g.made_row == pc - 1 and pc not in g.leader_set():
        row = "mrow if mrow is not None and c.bt.pager.text_encoding == 'utf-8' else None"
    out = [f"c = cursors[{op.p1}]",
           f"v = r[{op.p2}]",
           "if type(v) is bytes and c is not None:",
           f"    c.bt.insert(r[{op.p3}], v, {row})",
           "    c.row = None"]
    if op.p5 & 0x01:        # OPFLAG_NCHANGE
        out.append("    vm.n_change += 1")
    if op.p5 & 0x20:        # OPFLAG_LASTROWID
        out.append(f"    host.last_insert_rowid = r[{op.p3}]")
    return out + ["else:"] + ["    " + x for x in g.call(pc)], False


def _new_rowid(g: _Generator, op: Any, pc: int) -> Emitted:
    """NewRowid without AUTOINCREMENT: one more than the table's largest
    rowid (BTreeCursor.largest_rowid, which answers from the leaf an
    append left the cursor on); the handler when there is no cursor or
    the largest rowid is taken (its random search, SQLITE_FULL)."""
    if op.p3:
        return g.call(pc), False
    return [f"c = cursors[{op.p1}]",
            "v = c.bt.largest_rowid() if c is not None else _MAX_ROWID",
            "if v < _MAX_ROWID:",
            f"    r[{op.p2}] = v + 1",
            "    c.row = None",
            "else:"] + ["    " + x for x in g.call(pc)], False


def _idx_insert_helpers() -> tuple[Callable[[bytes], int], frozenset]:
    from pyrite.vdbe.ops.cursor import _KEY_TYPES, _record_fields
    return _record_fields, _KEY_TYPES


def _hash_key_fn() -> Callable[[Any], tuple]:
    from pyrite.vdbe.ops.cursor import _hash_key
    return _hash_key


def _found(g: _Generator, op: Any, pc: int) -> Emitted:
    """Found/NotFound on a hash cursor (a DISTINCT set) with a key of
    registers as long as its KeyInfo: a set lookup; else the handler."""
    if op.p4 is None or type(op.p4) is not int or op.p4 < 1 or op.p4 > 8:
        return g.call(pc), False
    g.namespace["_hash_found"] = _hash_found_fn()
    key = "".join(f"r[{op.p3 + i}], " for i in range(op.p4))
    want = "" if g.names[pc] == "Found" else "not "
    whole: list[str] = []
    if want == "" and op.p5 & _OPFLAG_WHOLE_ENTRY:
        # integrity_check's probe of a whole entry, once per row and index:
        # the entry map's look-up inline (ops/cursor.py _found_whole_entry
        # builds the map on the handler's first call, and answers the
        # cases this leaves to it: no map, a stale one, a miss).
        whole = ["em = c.entry_map if c is not None and c.kind == 'index' else None",
                 f"if em and em.sentinel.state == {_BT_VALID}:",
                 "    try:",
                 f"        at = em.positions.get(({key}))",
                 "    except TypeError:",
                 "        at = None",
                 "    if at is not None:",
                 "        bt = c.bt",
                 "        bt.stack = [*map(list, at[0]), [at[1], at[2], at[3]]]",
                 f"        bt.state, bt.eof, bt.skip = {_BT_VALID}, False, 0",
                 "        c.null_row = False",
                 "        c.row = None",
                 f"        pc = {op.p2}",
                 "        continue"]
    e = op.p1
    if e in g.hashed and not whole:
        # (a fused loop's DISTINCT set, see fused_loop)
        first, test, keys = [], f"hn{e} == {op.p4}", f"hs{e}"
    else:
        first, keys = [f"c = cursors[{e}]", *whole], "c.sorter"
        test = f"c is not None and c.kind == 'hash' and c.key_info.n_key_field == {op.p4}"
    return [*first,
            f"if {test}:",
            f"    k = ({key})",
            "    try:",
            f"        hit = k in {keys}",
            "    except TypeError:",
            f"        hit = _hash_found(cursors[{e}], list(k))",
            f"    if {want}hit:",
            f"        pc = {op.p2}",
            "        continue",
            "else:"] + ["    " + x for x in g.call(pc)], False


def _hash_found_fn() -> Callable[[Any, list[Any]], bool]:
    from pyrite.vdbe.ops.cursor import _hash_found
    return _hash_found


def _record_round_trips() -> Callable[[list[Any]], bool]:
    from pyrite.vdbe.ops.cursor import record_round_trips
    return record_round_trips


def _sorter_insert(g: _Generator, op: Any, pc: int) -> Emitted:
    """SorterInsert of a row of values (see _make_record) appends it; a
    record runs the handler."""
    return [f"c = cursors[{op.p1}]",
            f"v = r[{op.p2}]",
            "if type(v) is list and c is not None and c.kind == 'sorter':",
            "    c.sorter.append(v)",
            "else:"] + ["    " + x for x in g.call(pc)], False


def _sorter_data(g: _Generator, op: Any, pc: int) -> Emitted:
    """SorterData: the sorter's current row into r[P2]; the pseudo cursor
    P3 that reads it forgets its row (op_sorter_data)."""
    out = [f"c = cursors[{op.p1}]", f"r[{op.p2}] = c.sorter[c.sorter_pos]"]
    if op.p3:
        out += [f"c = cursors[{op.p3}]", "if c is not None: c.row = None"]
    return out, False


def _sorter_next(g: _Generator, op: Any, pc: int) -> Emitted:
    """SorterNext: step the sorter's position; jump while rows remain."""
    return [f"c = cursors[{op.p1}]",
            "v = c.sorter_pos + 1",
            "c.sorter_pos = v",
            "if v < len(c.sorter):",
            f"    pc = {op.p2}",
            "    continue"], False


_EMITTERS: dict[str, Callable[[_Generator, Any, int], Emitted]] = {
    "Goto": _goto,
    "Init": _init,
    "Integer": _integer,
    "String8": _load_p4, "Int64": _load_p4, "Real": _load_p4, "String": _load_p4,
    "Null": _null,
    "SoftNull": _soft_null,
    "Variable": _variable,
    "SCopy": _scopy, "IntCopy": _scopy,
    "Copy": _copy,
    "Move": _move,
    "ResultRow": _result_row,
    "RealAffinity": _real_affinity,
    "Affinity": _affinity,
    "Add": _arith("+", "_add", False),
    "Subtract": _arith("-", "_subtract", True),
    "Multiply": _arith("*", "_multiply", False),
    "Remainder": _remainder_emit,
    "AddImm": _add_imm,
    "If": _if(True),
    "IfNot": _if(False),
    "IsNull": _is_null,
    "NotNull": _not_null,
    "Eq": _compare, "Ne": _compare, "Lt": _compare, "Le": _compare, "Gt": _compare,
    "Ge": _compare,
    "Column": _column,
    "Rowid": _rowid,
    "Next": _next,
    "Gosub": _gosub,
    "Return": _return,
    "Yield": _yield,
    "InitCoroutine": _init_coroutine,
    "Halt": _halt,
    "EndCoroutine": _ends, "Program": _ends, "Jump": _ends,
    "IfPos": _if_pos,
    "IdxGE": _idx_compare, "IdxGT": _idx_compare, "IdxLE": _idx_compare,
    "IdxLT": _idx_compare,
    "Function": _function, "PureFunc": _function,
    "AggStep": _agg_step, "CollSeq": _coll_seq,
    "MakeRecord": _make_record, "SorterInsert": _sorter_insert,
    "IdxInsert": _idx_insert, "Found": _found, "NotFound": _found, "Insert": _insert,
    "NoConflict": _no_conflict, "NewRowid": _new_rowid,
    "SorterData": _sorter_data, "SorterNext": _sorter_next,
    "SeekGE": _seek, "SeekGT": _seek, "SeekLE": _seek, "SeekLT": _seek,
    "SeekRowid": _seek_rowid, "DeferredSeek": _deferred_seek,
}

# The handler each inline emitter restates (its __qualname__): an opcode
# whose handler is another one now (redeclared, replaced) runs its handler.
_RESTATES: dict[str, str] = {
    "Goto": "op_goto", "Init": "op_init", "Integer": "op_integer",
    "String8": "op_load_p4", "Int64": "op_load_p4", "Real": "op_load_p4",
    "String": "op_load_p4", "Null": "op_null", "SoftNull": "op_soft_null",
    "Variable": "op_variable", "SCopy": "op_scopy", "IntCopy": "op_scopy",
    "Copy": "op_copy", "Move": "op_move", "ResultRow": "op_result_row",
    "RealAffinity": "op_real_affinity",
    "Affinity": "op_affinity",
    "Add": "_binop.<locals>.handler", "Subtract": "_binop.<locals>.handler",
    "Multiply": "_binop.<locals>.handler", "Remainder": "_binop.<locals>.handler",
    "AddImm": "op_add_imm", "If": "op_if",
    "IfNot": "op_if_not", "IsNull": "op_is_null", "NotNull": "op_not_null",
    "Eq": "_cmp_handler.<locals>.handler", "Ne": "_cmp_handler.<locals>.handler",
    "Lt": "_cmp_handler.<locals>.handler", "Le": "_cmp_handler.<locals>.handler",
    "Gt": "_cmp_handler.<locals>.handler", "Ge": "_cmp_handler.<locals>.handler",
    "Column": "op_column", "Rowid": "op_rowid", "Next": "op_next", "Gosub": "op_gosub",
    "Return": "op_return", "Yield": "op_yield", "InitCoroutine": "op_init_coroutine",
    "Halt": "op_halt", "EndCoroutine": "op_end_coroutine", "Program": "op_program",
    "Jump": "op_jump", "IfPos": "op_if_pos",
    "IdxGE": "_idx_cmp_op.<locals>.handler", "IdxGT": "_idx_cmp_op.<locals>.handler",
    "IdxLE": "_idx_cmp_op.<locals>.handler", "IdxLT": "_idx_cmp_op.<locals>.handler",
    "Function": "op_function", "PureFunc": "op_function", "AggStep": "op_agg_step",
    "CollSeq": "op_coll_seq",
    "MakeRecord": "op_make_record", "SorterInsert": "op_sorter_insert",
    "IdxInsert": "op_idx_insert", "Found": "op_found", "NotFound": "op_not_found",
    "Insert": "op_insert", "NoConflict": "op_no_conflict", "NewRowid": "op_new_rowid",
    "SorterData": "op_sorter_data", "SorterNext": "op_sorter_next",
    "SeekGE": "_seek_op.<locals>.handler", "SeekGT": "_seek_op.<locals>.handler",
    "SeekLE": "_seek_op.<locals>.handler", "SeekLT": "_seek_op.<locals>.handler",
    "SeekRowid": "op_seek_rowid", "DeferredSeek": "op_deferred_seek",
}


# Opcodes that leave every cursor's current row as it is, even through
# their handlers (they read cursors or registers, call functions): a row a
# Column left in a local stays valid across them (see _column).
_KEEPS_ROWS = {
    "Column", "Rowid", "Integer", "String8", "Int64", "Real", "String", "Null",
    "SoftNull", "Variable", "SCopy", "IntCopy", "Copy", "Move", "RealAffinity",
    "Affinity", "Add", "Subtract", "Multiply", "AddImm", "If", "IfNot", "IsNull",
    "NotNull", "Eq", "Ne", "Lt", "Le", "Gt", "Ge", "Function", "PureFunc",
    "AggStep", "CollSeq", "MakeRecord", "SorterInsert",
}


# Opcodes after which registers holding values a record gives back
# unchanged still do (_Generator.record_values_kept): they write no
# register, or (RealAffinity) make an integer a real.
_KEEPS_RECORD_VALUES = {"Eq", "Ne", "Lt", "Le", "Gt", "Ge", "If", "IfNot", "IsNull",
                       "NotNull", "IdxGE", "IdxGT", "IdxLE", "IdxLT", "Noop", "RealAffinity"}


# Instructions a fused scan loop's body may hold (see
# _Generator.fusable_loops) besides _KEEPS_ROWS, which move no cursor.
_FUSABLE = {"IdxGE", "IdxGT", "IdxLE", "IdxLT", "IfPos", "DecrJumpZero", "IfNotZero",
            "Divide", "Remainder", "Concat", "BitAnd", "BitOr", "ShiftLeft", "ShiftRight",
            "BitNot", "Not", "And", "Or", "IsTrue", "Cast", "MustBeInt", "ZeroOrNull",
            "ElseEq", "Noop"}


def _fusable(name: str, op: Any, k: int, ephemeral: set[int], last: bool) -> bool:
    """Whether instruction ``op`` may be in the body of a fused loop over
    cursor ``k``: it leaves ``k`` where it is and writes at most to an
    ephemeral table (DISTINCT, IN lists); a row goes out last."""
    if name in _KEEPS_ROWS or name in _FUSABLE:
        return True
    if name == "ResultRow":
        return last
    if name == "DeferredSeek":
        return op.p3 != k
    if name in ("IdxInsert", "Found", "NotFound"):
        return op.p1 in ephemeral
    return False


def _emitter(name: str) -> Callable[[_Generator, Any, int], Emitted] | None:
    """The inline emitter for opcode ``name`` if it still restates the
    opcode's handler."""
    emit = _EMITTERS.get(name)
    if emit is None:
        return None
    handler = opcodes.HANDLERS[opcodes.BY_NAME[name].number]
    return emit if handler.__qualname__ == _RESTATES.get(name) else None
