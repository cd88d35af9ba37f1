"""Shared test fixtures: the corpus location; the executor under test.

The suite runs under the compiled executor with every program compiled on
its first step (PYRITE_EXECUTOR=eager), so that the compiled forms of all
its statements are checked, unless PYRITE_EXECUTOR names another executor:
`make test` runs it a second time under the interpreter (interp)."""

from __future__ import annotations

import os
import pathlib

os.environ.setdefault("PYRITE_EXECUTOR", "eager")

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def corpus() -> pathlib.Path:
    if not CORPUS.is_dir():
        pytest.skip("shared corpus not present")
    return CORPUS
