"""Pyrite: a SQLite-compatible database engine in pure Python.

``import pyrite as sqlite3`` gives the Python 3.11 ``sqlite3`` module
surface; everything public lives in :mod:`pyrite.dbapi` and is re-exported
here.
"""

from pyrite import dbapi as dbapi2  # noqa: F401 - as sqlite3.dbapi2
from pyrite.dbapi import *  # noqa: F401,F403
