"""Corpus runners (slt.py, sqltest.py), the conformance ledger script and
their tests.  The project root goes on sys.path so `tests.corpus.*` imports
work however pytest was started."""

import pathlib
import sys

_ROOT = str(pathlib.Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)
