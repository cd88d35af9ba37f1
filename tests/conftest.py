"""Shared test fixtures: the corpus location; the executor under test.

The suite runs under the compiled executor with every program compiled on
its first step (PYRITE_EXECUTOR=eager), so that the compiled forms of all
its statements are checked, unless PYRITE_EXECUTOR names another executor:
`make test` runs it a second time under the interpreter (interp)."""

from __future__ import annotations

import os
import pathlib
from collections.abc import Iterator

os.environ.setdefault("PYRITE_EXECUTOR", "eager")

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def corpus() -> pathlib.Path:
    if not CORPUS.is_dir():
        pytest.skip("shared corpus not present")
    return CORPUS


@pytest.fixture(params=["interp", "compiled", "eager"])
def executor(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run the test under each executor in turn (a fast path and its
    fallback in compiled code, and the interpreter's reference)."""
    from pyrite.vdbe import jit
    saved = jit.set_mode(request.param)
    yield request.param
    jit.set_mode(saved)
