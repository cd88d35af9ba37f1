"""VDBE layer: opcodes, declared once (SQLite's ``vdbe.c`` Opcode/Synopsis blocks).

Each opcode is declared by the :func:`opcode` decorator on its handler, next
to the code that runs it: SQLite's name, the operand line (which slots mean
something), the synopsis EXPLAIN prints as its comment, flags (P2 is a jump),
and the builder keywords that name the slots.  Everything else derives from
the declarations: opcode numbers, the handler table the interpreter indexes,
the builder's keyword map, EXPLAIN comments and the docs page (see
:func:`opcode_docs`).

Handler convention: ``handler(vm, op, pc) -> next_pc``.  A handler returns
``pc + 1`` to fall through, a jump target to jump, or a negative number to
leave the run loop (``EXIT_ROW`` after ResultRow, ``EXIT_HALT`` at Halt).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

EXIT_ROW = -1
EXIT_HALT = -2
EXIT_FRAME = -3   # a handler switched programs (ops/trigger.py)

Handler = Callable[[Any, Any, int], int]


@dataclass(slots=True)
class OpcodeSpec:
    """The declaration of one opcode."""

    name: str
    number: int
    operands: str                 # e.g. "P1 P2 P3 * *"
    synopsis: str                 # e.g. "r[P3]=r[P2]+r[P1]"
    jump: bool                    # P2 is a jump target
    keywords: dict[str, str] = field(default_factory=dict)  # builder keyword -> slot
    handler: Handler | None = None
    doc: str = ""


SPECS: list[OpcodeSpec] = []
BY_NAME: dict[str, OpcodeSpec] = {}
HANDLERS: list[Handler] = []


def _missing(vm: Any, op: Any, pc: int) -> int:
    from pyrite.errors import SQLITE_INTERNAL, raise_error
    raise_error(SQLITE_INTERNAL, f"opcode {SPECS[op.opcode].name} is not implemented")


def opcode(name: str, operands: str = "* * * * *", synopsis: str = "", *,
           jump: bool = False, **keywords: str) -> Callable[[Handler], Handler]:
    """Declare opcode ``name`` with the decorated function as its handler."""

    def register(fn: Handler) -> Handler:
        spec = BY_NAME.get(name)
        if spec is None:
            spec = OpcodeSpec(name, len(SPECS), operands, synopsis, jump, dict(keywords))
            SPECS.append(spec)
            BY_NAME[name] = spec
            HANDLERS.append(_missing)
        spec.handler = fn
        spec.doc = (fn.__doc__ or "").strip()
        HANDLERS[spec.number] = fn
        return fn

    return register


def declare(name: str, operands: str = "* * * * *", synopsis: str = "", *,
            jump: bool = False, **keywords: str) -> None:
    """Declare an opcode that shares another's handler (set later by ``opcode``)."""
    if name not in BY_NAME:
        spec = OpcodeSpec(name, len(SPECS), operands, synopsis, jump, dict(keywords))
        SPECS.append(spec)
        BY_NAME[name] = spec
        HANDLERS.append(_missing)


def number(name: str) -> int:
    """The opcode number of ``name``."""
    _load()
    return BY_NAME[name].number


_loaded = False


def _load() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        from pyrite.vdbe.ops import control, cursor, data, vtab, window  # noqa: F401  (handlers)
        from pyrite.vdbe.ops import fkey, trigger  # noqa: F401


def opcode_docs() -> str:
    """The opcode reference page, rendered from the declarations."""
    _load()
    lines = ["# Pyrite VDBE opcodes", "",
             "Generated from the declarations in `src/pyrite/vdbe/ops/` "
             "(`pyrite.vdbe.opcodes.opcode_docs`).", ""]
    for spec in sorted(SPECS, key=lambda s: s.name):
        lines.append(f"## {spec.name}")
        lines.append("")
        lines.append(f"Operands: `{spec.operands}`" + (f"  Synopsis: `{spec.synopsis}`" if spec.synopsis else ""))
        if spec.doc:
            lines.append("")
            lines.append(spec.doc)
        lines.append("")
    return "\n".join(lines)
