"""Compiler layer: the program builder (SQLite's ``vdbeaux.c`` sqlite3VdbeAddOp*).

Code generators emit instructions through :class:`ProgramBuilder`: by slot
(``emit("Add", 1, 2, 3)``) or by the keywords each opcode declares
(``emit("Add", lhs=1, rhs=2, dest=3)``).  Jump targets may be labels
(negative numbers from :meth:`label`), resolved when the program is finished.
"""

from __future__ import annotations

from typing import Any

from pyrite.vdbe import opcodes
from pyrite.vdbe.program import Instruction, Program


class ProgramBuilder:
    """Builds one :class:`Program`."""

    def __init__(self) -> None:
        opcodes._load()
        self.instructions: list[Instruction] = []
        self.labels: list[int] = []          # label -(i+1) -> address or -1
        self.n_registers = 0
        self.n_cursors = 0

    def label(self) -> int:
        self.labels.append(-1)
        return -len(self.labels)

    def resolve(self, label: int) -> None:
        self.labels[-label - 1] = len(self.instructions)

    def current_addr(self) -> int:
        return len(self.instructions)

    def alloc_register(self, n: int = 1) -> int:
        first = self.n_registers + 1
        self.n_registers += n
        return first

    def alloc_cursor(self) -> int:
        c = self.n_cursors
        self.n_cursors += 1
        return c

    def emit(self, opname: str, p1: int = 0, p2: int = 0, p3: int = 0, p4: Any = None,
             p5: int = 0, comment: str | None = None, **keywords: Any) -> int:
        spec = opcodes.BY_NAME.get(opname)
        if spec is None:
            raise KeyError(f"unknown opcode {opname}")
        if keywords:
            slots = {"p1": p1, "p2": p2, "p3": p3, "p4": p4, "p5": p5}
            for key, value in keywords.items():
                slots[spec.keywords.get(key, key)] = value
            p1, p2, p3, p4, p5 = slots["p1"], slots["p2"], slots["p3"], slots["p4"], slots["p5"]
        self.instructions.append(Instruction(spec.number, p1, p2, p3, p4, p5, comment))
        return len(self.instructions) - 1

    def instruction(self, addr: int) -> Instruction:
        return self.instructions[addr]

    def change_p1(self, addr: int, value: int) -> None:
        self.instructions[addr].p1 = value

    def change_p2(self, addr: int, value: int) -> None:
        self.instructions[addr].p2 = value

    def change_p3(self, addr: int, value: int) -> None:
        self.instructions[addr].p3 = value

    def change_p4(self, addr: int, value: Any) -> None:
        self.instructions[addr].p4 = value

    def change_p5(self, addr: int, value: int) -> None:
        self.instructions[addr].p5 = value

    def _target(self, value: int) -> int:
        if value < 0:
            addr = self.labels[-value - 1]
            if addr < 0:
                raise ValueError("unresolved label")
            return addr
        return value

    def finish(self, **attrs: Any) -> Program:
        """Resolve labels in jump slots and return the program."""
        specs = opcodes.SPECS
        for ins in self.instructions:
            spec = specs[ins.opcode]
            if ins.p2 < 0 and spec.jump:
                ins.p2 = self._target(ins.p2)
            if spec.name == "Jump":
                ins.p1 = self._target(ins.p1)
                ins.p3 = self._target(ins.p3)
            elif spec.name == "InitCoroutine" and ins.p3 < 0:
                ins.p3 = self._target(ins.p3)
        prog = Program(self.instructions, self.n_registers + 1, self.n_cursors)
        for k, v in attrs.items():
            setattr(prog, k, v)
        return prog
