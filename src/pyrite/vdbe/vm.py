"""VDBE layer: the interpreter (SQLite's ``vdbe.c`` sqlite3VdbeExec and ``vdbeapi.c``).

A :class:`VM` runs one :class:`~pyrite.vdbe.program.Program` against its host
(``engine.Database``, see :mod:`pyrite.vdbe.host`).  ``step()`` answers ROW,
DONE, IO, BUSY or INTERRUPT.  When storage raises IOPending inside a handler,
the program counter stays on that instruction and ``step()`` answers IO; the
caller completes ``vm.pending`` and steps again, re-running the instruction
from its start (handlers change no state before their storage calls).

The hot loop binds what it touches to locals and dispatches through a list
of handlers indexed by opcode number; each handler returns the next program
counter.  A second loop, chosen when ``step()`` starts, counts instructions
per opcode for profiling (``vm.profile``, or the host's ``opcode_counts``
for every statement of a connection) and tracing.
"""

from __future__ import annotations

import enum
from typing import Any

from pyrite import errors
from pyrite.io.base import IOPending
from pyrite.vdbe import jit, opcodes
from pyrite.vdbe.opcodes import EXIT_FRAME, EXIT_ROW
from pyrite.vdbe.ops.trigger import unwind_frames
from pyrite.vdbe.program import Program, register_file_size


class StepResult(enum.IntEnum):
    ROW = 100
    DONE = 101
    IO = 1000
    BUSY = 5
    INTERRUPT = 9


# step()'s answers as module constants: reading a member through its enum
# class costs several times a global's lookup, on every step.
_ROW, _DONE, _IO, _BUSY, _INTERRUPT = (StepResult.ROW, StepResult.DONE, StepResult.IO,
                                       StepResult.BUSY, StepResult.INTERRUPT)


def _counts_changes(program: Program) -> bool:
    """Whether the program counts row changes (an INSERT, UPDATE or DELETE)."""
    specs = opcodes.SPECS
    for op in program.instructions:
        name = specs[op.opcode].name
        if name in ("Insert", "IdxInsert") and op.p5 & 0x01:
            return True
        if name == "Delete" and op.p2 & 0x01:
            return True
        if name == "Clear" and op.p3:
            return True
    return False


class VdbeCursor:
    """A VM cursor (SQLite's VdbeCursor): a B-tree cursor, a sorter or a pseudo-table."""

    __slots__ = ("bt", "kind", "null_row", "row", "n_field", "key_info", "btree",
                 "sorter", "sorter_pos", "pseudo_reg", "seq", "rowid_cache", "root",
                 "writable", "deferred", "vtab", "entry_map", "on_db", "closed_bt")

    def __init__(self, kind: str) -> None:
        self.kind = kind          # 'table', 'index', 'sorter', 'pseudo', 'vtab'
        self.bt: Any = None       # storage BTreeCursor
        self.btree: Any = None    # the BTree (ephemeral tables own theirs)
        self.null_row = False
        self.row: list[Any] | None = None   # decoded record cache
        self.n_field = 0
        self.key_info: Any = None
        self.sorter: list[Any] | None = None
        self.sorter_pos = 0
        self.pseudo_reg = 0
        self.seq = 0
        self.rowid_cache: Any = None
        self.root = 0
        self.writable = False
        self.deferred: Any = None  # (index cursor) for DeferredSeek
        self.vtab: Any = None      # virtual-table cursor (ops/vtab.py)
        self.entry_map: Any = None  # (index cursor) see ops/cursor.py _found_whole_entry
        self.on_db = False         # opened on a database's tree (OpenRead/OpenWrite)
        self.closed_bt: Any = None  # the B-tree cursor, closed, of a spare cursor (VM.spare)

    def close(self) -> None:
        if self.entry_map:
            self.entry_map.sentinel.close()
            self.entry_map = None
        bt = self.bt
        if bt is not None:
            bt.close()
            self.bt = None
            if self.on_db:
                self.closed_bt = bt


class VM:
    """One execution of a program."""

    def __init__(self, program: Program, host: Any) -> None:
        opcodes._load()
        self.program = program
        self.host = host
        self.ops = program.instructions
        self.n_vars = len(program.variables)
        self.vars: list[Any] = [None] * (self.n_vars + 1)
        self.pending: Any = None
        self.profile: dict[str, int] | None = None
        self.trace: Any = None
        self.count_changes = program.counts_changes if program.counts_changes is not None \
            else _counts_changes(program)
        self.n_mem = register_file_size(program)
        # Run compiled forms of programs (vdbe/jit.py) unless PYRITE_EXECUTOR=interp.
        self.use_compiled = jit.MODE != "interp"
        # The host counts opcodes or has a progress handler (a connection may).
        self.host_hooks = hasattr(host, "opcode_counts") and hasattr(host, "progress_handler")
        self._init_state()

    # -- API ----------------------------------------------------------------

    def reset(self) -> None:
        """Rewind to the first instruction, closing cursors (sqlite3_reset)."""
        if not self.started:
            return      # nothing has run since the last reset
        if self.frames:
            unwind_frames(self)
            self.frames = []
        if not self.done:
            self._close_cursors()   # (a halted run closed them: _halt_cleanup)
        if self.once:
            self.once = set()
        if self.fk_frames:
            self.fk_frames = []
        self._rewind()

    def _init_state(self) -> None:
        """The run state of a VM that has not run yet."""
        self.frames: list[Any] = []   # callers of running sub-programs (ops/trigger.py)
        self.cursors: list[VdbeCursor | None] = [None] * max(self.program.n_cursors, 1)
        # The cursors of the last run, closed, by number: the next run's
        # OpenRead/OpenWrite of the same tree reopens one instead of making
        # a new one (ops/cursor.py _open).
        self.spare: list[VdbeCursor | None] = [None] * len(self.cursors)
        self.once: set[int] = set()
        self.fk_frames: list[list[Any]] = []   # saved registers (FkPushFrame)
        self._rewind()

    def _rewind(self) -> None:
        """Registers and per-run values as at the start of a run."""
        self.pc = 0
        self.r: list[Any] = [None] * self.n_mem
        self.result: tuple[Any, ...] = ()
        self.done = False
        self.last_compare = 0
        self.permutation: Any = None
        self.coll: Any = None
        self.n_change = 0
        self.fk_constraints = 0     # immediate FK violations (FkCounter P1=0)
        self.pending = None
        self.explain_pc = 0
        self.started = False
        self.n_vm_step = 0          # instructions run, for the progress handler
        self.batch: list[Any] | None = None   # where ResultRow puts rows (see step)

    def bind(self, i: int, value: Any) -> None:
        if i >= len(self.vars):
            self.vars.extend([None] * (i + 1 - len(self.vars)))
        self.vars[i] = value

    def row(self) -> tuple[Any, ...]:
        return self.result

    def step(self, rows: list[Any] | None = None) -> StepResult:
        """Run until the next row, the end, or pending I/O.  With ``rows``,
        rows are appended to it as the program makes them and the run goes
        on (fetchall's batch, no return per row); ROW is then still
        answered where rows cannot be batched (tracing, EXPLAIN): the
        caller takes :attr:`result` itself and steps again."""
        if self.done:
            return _DONE
        self.started = True
        explain = self.program.explain
        if explain:
            return self._explain_step(explain)
        try:
            host = self.host
            if self.profile is not None or self.trace is not None or (
                    self.host_hooks and (host.opcode_counts is not None
                                         or host.progress_handler is not None)):
                code = self._run_traced()
            elif self.use_compiled:
                # The compiled executor: an interpreter loop over the
                # program's per-instruction handler list from vdbe/jit.py,
                # where hot loops and programs are compiled regions: a
                # region runs its blocks and answers the address where
                # control left it (the loop carries on there) or an exit code.
                self.batch = rows
                while True:
                    state = jit.state_for(self.program)
                    handlers = state.handlers
                    ops = self.ops
                    pc = self.pc
                    try:
                        while True:
                            while pc >= 0:
                                pc = handlers[pc](self, ops[pc], pc)
                            if pc != EXIT_ROW or rows is None:
                                break
                            rows.append(self.result)
                            pc = self.pc
                    except BaseException:
                        # A compiled region has set vm.pc to its failing instruction.
                        if pc not in state.entries:
                            self.pc = pc
                        raise
                    if pc != EXIT_FRAME:
                        break
                self.batch = None
                code = pc
            else:
                code = self._run(rows)
        except IOPending as p:
            self.pending = p.completion
            return _IO
        except errors.Error as exc:
            primary = exc.sqlite_errorcode & 0xFF
            if primary == errors.SQLITE_BUSY and str(exc) == "database is locked":
                # A lock could not be had: the instruction that asked changed
                # nothing, so the caller may retry (sqlite3_step's SQLITE_BUSY).
                return _BUSY
            self._halt_cleanup()
            self.done = True
            if self.count_changes:
                # sqlite3VdbeHalt: a statement that fails reports the changes
                # it made only under OR FAIL (they are kept); else none.
                fail = getattr(exc, "on_error", 0) == 3
                self.host.set_changes(self.n_change if fail else 0)
                self.n_change = 0
            if primary == errors.SQLITE_INTERRUPT:
                return _INTERRUPT
            raise
        except RecursionError:
            self._halt_cleanup()
            self.done = True
            errors.raise_error(errors.SQLITE_ERROR, "Expression tree is too large (maximum depth 1000)")
        except (IndexError, KeyError, TypeError, AttributeError, ValueError,
                ZeroDivisionError, OverflowError, UnicodeError) as exc:
            # An engine bug must still surface as a PEP 249 error, not a traceback.
            self._halt_cleanup()
            self.done = True
            op = self.ops[self.pc] if 0 <= self.pc < len(self.ops) else None
            where = opcodes.SPECS[op.opcode].name if op is not None else "?"
            raise errors.InternalError(
                f"internal error in {where} at {self.pc}: {type(exc).__name__}: {exc}",
                code=errors.SQLITE_INTERNAL) from exc
        if code == EXIT_ROW:
            return _ROW
        self._halt_cleanup()
        self.done = True
        if self.count_changes:
            # sqlite3VdbeHalt: an INSERT, UPDATE or DELETE reports its changes.
            self.host.set_changes(self.n_change)
        return _DONE

    def _run(self, rows: list[Any] | None = None) -> int:
        ops = self.ops
        handlers = opcodes.HANDLERS
        pc = self.pc
        try:
            while True:
                while pc >= 0:
                    op = ops[pc]
                    pc = handlers[op.opcode](self, op, pc)
                if pc == EXIT_ROW and rows is not None:
                    rows.append(self.result)
                    pc = self.pc
                    continue
                if pc != EXIT_FRAME:
                    break
                ops = self.ops        # entered or left a sub-program
                pc = self.pc
        finally:
            if pc >= 0:
                self.pc = pc
        return pc

    def _run_traced(self) -> int:
        ops = self.ops
        handlers = opcodes.HANDLERS
        specs = opcodes.SPECS
        profile = self.profile
        if profile is None:
            profile = getattr(self.host, "opcode_counts", None)
        trace = self.trace
        progress = getattr(self.host, "progress_handler", None)
        pc = self.pc
        try:
            while True:
                while pc >= 0:
                    op = ops[pc]
                    if progress is not None:
                        self.n_vm_step += 1
                        if self.n_vm_step % progress[1] == 0:
                            self._call_progress(progress[0])
                    if profile is not None:
                        name = specs[op.opcode].name
                        profile[name] = profile.get(name, 0) + 1
                    if trace is not None:
                        trace(self, pc, op)
                    pc = handlers[op.opcode](self, op, pc)
                if pc != EXIT_FRAME:
                    break
                ops = self.ops
                pc = self.pc
        finally:
            if pc >= 0:
                self.pc = pc
        return pc

    @staticmethod
    def _call_progress(handler: Any) -> None:
        """The progress handler, every N instructions: a true answer (or an
        exception) interrupts the statement, as sqlite3's callback does."""
        try:
            stop = handler()
        except Exception:  # noqa: BLE001 - sqlite3 treats it as a request to stop
            stop = True
        if stop:
            errors.raise_error(errors.SQLITE_INTERRUPT, "interrupted")

    def _halt_cleanup(self) -> None:
        if self.frames:
            unwind_frames(self)
        self._close_cursors()

    def _close_cursors(self) -> None:
        """Close the statement's cursors, keeping them as spares."""
        cursors = self.cursors
        spare = self.spare
        for i, c in enumerate(cursors):
            if c is not None:
                c.close()
                cursors[i] = None
                if c.on_db:
                    spare[i] = c

    def _explain_step(self, mode: int) -> StepResult:
        from pyrite.vdbe.explain import explain_row, plan_rows
        if mode == 1:
            if self.explain_pc >= len(self.ops):
                self.done = True
                return _DONE
            self.result = explain_row(self.ops, self.explain_pc)
            self.explain_pc += 1
            return _ROW
        rows = plan_rows(self.ops)
        if self.explain_pc >= len(rows):
            self.done = True
            return _DONE
        self.result = rows[self.explain_pc]
        self.explain_pc += 1
        return _ROW

    # -- helpers for handlers -----------------------------------------------

    def host_fk_pending(self) -> bool:
        """Whether the connection holds deferred FK violations."""
        host = self.host
        return bool(getattr(host, "fk_deferred", 0) or getattr(host, "fk_deferred_imm", 0))

    def function_context(self) -> Any:
        return self.host
