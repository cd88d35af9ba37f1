"""The ``pyrite`` command: a minimal shell in the manner of ``sqlite3``.

Top layer, beside :mod:`pyrite.dbapi`; it drives :mod:`pyrite.engine`
directly (prepare / step / tail, as ``shell.c``'s ``shell_exec`` does) so
that a line may hold several statements.  SQLite's counterpart is
``src/shell.c.in``; what is reproduced:

* ``pyrite [FILE] [SQL]``: with SQL, run it and exit; otherwise read
  statements from stdin (``sqlite> `` / ``   ...> `` prompts with readline
  when stdin is a terminal), collecting lines until ``complete_statement``;
* list mode (``|`` separator, NULL as empty, reals as SQLite renders them,
  blobs raw up to the first NUL byte) and csv mode (RFC 4180 quoting,
  CRLF row ends);
* error text as ``sqlite3`` 3.40.1 prints it for piped input:
  ``Parse error near line N: <msg>`` for errors while preparing,
  ``Runtime error near line N: <msg>`` while stepping (``Error: in
  prepare, <msg>`` / ``Error: stepping, <msg>`` for SQL given as an
  argument); the exit status is 1 after any error;
* dot-commands ``.quit .exit .tables .schema [PATTERN] .headers on|off
  .mode list|csv .help``.

Not reproduced: the caret context line SQLite prints under syntax errors
(the parser does not report error offsets yet), view comments in
``.schema``, and the many other modes and dot-commands.
"""

from __future__ import annotations

import fnmatch
import os
import sys
from typing import Any, BinaryIO

from pyrite import engine as _engine
from pyrite import errors
from pyrite.sql.parser import complete_statement
from pyrite.values import real_to_text

PROMPT = "sqlite> "
CONTINUE_PROMPT = "   ...> "

HELP = """\
.exit ?CODE?             Exit this program with return-code CODE
.headers on|off          Turn display of headers on or off
.help                    Show this message
.mode MODE               Set output mode: list or csv
.quit                    Exit this program
.schema ?PATTERN?        Show the CREATE statements matching PATTERN
.tables ?TABLE?          List names of tables matching LIKE pattern TABLE
"""


class _Exit(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _needs_csv_quote(text: str) -> bool:
    for ch in text:
        o = ord(ch)
        if o <= 0x20 or o >= 0x7F or ch in "\"',":
            return True
    return False


def _all_whitespace(line: str) -> bool:
    """shell.c's _all_whitespace(): only blanks and complete comments."""
    i, n = 0, len(line)
    while i < n:
        if line[i].isspace():
            i += 1
        elif line.startswith("--", i):
            return True
        elif line.startswith("/*", i):
            end = line.find("*/", i + 2)
            if end < 0:
                return False
            i = end + 2
        else:
            return False
    return True


def _message(exc: errors.Error) -> str:
    """The error text as shell.c's save_err_msg() words it: the primary
    result code is appended when it is not SQLITE_ERROR."""
    code = getattr(exc, "sqlite_errorcode", errors.SQLITE_ERROR) & 0xFF
    return f"{exc} ({code})" if code > 1 else str(exc)


class Shell:
    """One shell session on one database."""

    def __init__(self, path: str, out: BinaryIO | None = None,
                 err: Any = None) -> None:
        self.path = path
        self.db = _engine.Database(path)
        self.out = out if out is not None else sys.stdout.buffer
        self.err = err if err is not None else sys.stderr
        self.mode = "list"
        self.headers = False
        self.failed = False
        self.interactive = False

    # -- output -------------------------------------------------------------

    def _text(self, v: Any) -> bytes:
        if v is None:
            return b""
        if isinstance(v, bytes):
            cut = v.find(b"\0")
            return v if cut < 0 else v[:cut]
        if isinstance(v, float):
            return real_to_text(v).encode()
        if isinstance(v, str):
            # printed with %s, as SQLite does: a NUL character ends the text
            return v.split("\0", 1)[0].encode("utf-8", "surrogateescape")
        return str(v).encode()

    def _csv(self, v: Any) -> bytes:
        if v is None:
            return b""
        if isinstance(v, bytes):
            cut = v.find(b"\0")
            text = (v if cut < 0 else v[:cut]).decode("utf-8", "replace")
        elif isinstance(v, float):
            text = real_to_text(v)
        else:
            text = str(v)
        if _needs_csv_quote(text):
            text = '"' + text.replace('"', '""') + '"'
        return text.encode("utf-8", "surrogateescape")

    def _print_row(self, row: Any) -> None:
        if self.mode == "csv":
            line = b",".join(self._csv(v) for v in row) + b"\r\n"
        else:
            line = b"|".join(self._text(v) for v in row) + b"\n"
        self.out.write(line)

    def _error(self, text: str) -> None:
        self.failed = True
        self.out.flush()
        print(text, file=self.err)
        self.err.flush()

    # -- SQL ------------------------------------------------------------------

    def run_sql(self, sql: str, line: int | None) -> bool:
        """Run every statement of ``sql``; ``line`` is where it started in
        the input (None for SQL given on the command line)."""
        offset = 0
        while offset < len(sql):
            try:
                stmt, tail = self.db.prepare(sql, offset)
            except errors.Error as exc:
                if line is None:
                    self._error(f"Error: in prepare, {_message(exc)}")
                else:
                    where = "" if self.interactive else f" near line {line}"
                    self._error(f"Parse error{where}: {_message(exc)}")
                return False
            if stmt is None:
                break
            try:
                self._run_statement(stmt)
            except errors.Error as exc:
                if line is None:
                    self._error(f"Error: stepping, {_message(exc)}")
                else:
                    where = "" if self.interactive else f" near line {line}"
                    self._error(f"Runtime error{where}: {_message(exc)}")
                return False
            finally:
                stmt.finalize()
            if tail <= offset:
                break
            offset = tail
        self.out.flush()
        return True

    def _run_statement(self, stmt: Any) -> None:
        first = True
        while stmt.step() == _engine.ROW:
            if first and self.headers:
                self._print_row(stmt.column_names)
            first = False
            self._print_row(stmt.row())

    def _query(self, sql: str) -> list[tuple]:
        stmt, _ = self.db.prepare(sql, 0)
        rows = []
        try:
            while stmt.step() == _engine.ROW:
                rows.append(stmt.row())
        finally:
            stmt.finalize()
        return rows

    # -- dot-commands -----------------------------------------------------

    def do_meta(self, line: str) -> None:
        args = line.strip().split()
        cmd = args[0][1:] if args else ""
        if cmd in ("quit", "q"):
            raise _Exit(1 if self.failed else 0)
        if cmd == "exit":
            raise _Exit(int(args[1]) if len(args) > 1 and args[1].lstrip("-").isdigit() else 0)
        if cmd == "headers" or cmd == "header":
            if len(args) != 2:
                self._error("Usage: .headers on|off")
                return
            self.headers = args[1].lower() in ("on", "yes", "1", "true")
            return
        if cmd == "mode":
            if len(args) < 2:
                self.out.write(f"current output mode: {self.mode}\n".encode())
                return
            if args[1] not in ("list", "csv"):
                self._error("Error: mode should be one of: csv list")
                return
            self.mode = args[1]
            return
        if cmd == "help":
            self.out.write(HELP.encode())
            return
        if cmd == "tables":
            self._tables(args[1] if len(args) > 1 else None)
            return
        if cmd == "schema":
            self._schema(args[1] if len(args) > 1 else None)
            return
        self._error(f'Error: unknown command or invalid arguments:  "{cmd}". '
                    f'Enter ".help" for help')

    @staticmethod
    def _like(pattern: str | None, name: str) -> bool:
        if pattern is None:
            return True
        glob = pattern.replace("[", "[[]").replace("*", "[*]").replace("?", "[?]")
        glob = glob.replace("%", "*").replace("_", "?")
        return fnmatch.fnmatchcase(name.lower(), glob.lower())

    def _schema_rows(self) -> list[tuple]:
        try:
            return self._query('SELECT type, name, tbl_name, sql FROM sqlite_schema')
        except errors.Error as exc:
            self._error(f"Error: {exc}")
            return []

    def _tables(self, pattern: str | None) -> None:
        names = sorted(r[1] for r in self._schema_rows()
                       if r[0] in ("table", "view") and not r[1].startswith("sqlite_")
                       and self._like(pattern, r[1]))
        if not names:
            return
        width = max(len(n) for n in names)
        n_col = max(1, 80 // (width + 2))
        n_row = (len(names) + n_col - 1) // n_col
        for i in range(n_row):
            parts = []
            for j in range(i, len(names), n_row):
                sep = "" if j < n_row else "  "
                parts.append(f"{sep}{names[j]:<{width}}")
            self.out.write(("".join(parts) + "\n").encode())

    def _schema(self, pattern: str | None) -> None:
        for _type, name, tbl_name, sql in self._schema_rows():
            if sql is None or name.startswith("sqlite_"):
                continue
            if pattern is not None and not (self._like(pattern, name)
                                            or self._like(pattern, tbl_name)):
                continue
            self.out.write(f"{sql};\n".encode())

    # -- input loop ---------------------------------------------------------

    def process(self, stream: Any, interactive: bool) -> None:
        self.interactive = interactive
        buffer = ""
        start_line = 0
        line_no = 0
        while True:
            try:
                if interactive:
                    line = input(CONTINUE_PROMPT if buffer else PROMPT) + "\n"
                else:
                    line = stream.readline()
            except EOFError:
                line = ""
            except KeyboardInterrupt:
                if not interactive:
                    raise
                print()
                buffer = ""
                continue
            if not line:
                break
            line_no += 1
            if not buffer and line.lstrip().startswith("."):
                self.do_meta(line)
                continue
            if not buffer:
                if _all_whitespace(line):
                    continue
                start_line = line_no
            buffer += line
            if complete_statement(buffer):
                self.run_sql(buffer, start_line)
                buffer = ""
        if buffer.strip():
            # What remains is not a complete statement: prepare says why.
            self.run_sql(buffer, start_line)
        if interactive:
            print()


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``pyrite`` console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("-h", "-help", "--help"):
        print("Usage: pyrite [FILENAME [SQL]]")
        return 0
    path = args[0] if args else ":memory:"
    sql = args[1] if len(args) > 1 else None
    try:
        shell = Shell(path)
    except errors.Error as exc:
        print(f'Error: unable to open database "{path}": {exc}', file=sys.stderr)
        return 1
    try:
        if sql is not None:
            if sql.lstrip().startswith("."):
                shell.do_meta(sql)
            else:
                shell.run_sql(sql, None)
        else:
            interactive = sys.stdin.isatty()
            if interactive:
                try:
                    import readline  # noqa: F401 - line editing for input()
                except ImportError:
                    pass
                print("Pyrite shell (SQLite 3.40.1 compatible)\n"
                      'Enter ".help" for usage hints.')
            shell.process(sys.stdin, interactive)
    except _Exit as exc:
        shell.out.flush()
        shell.db.close()
        return exc.code
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    shell.out.flush()
    shell.db.close()
    return 1 if shell.failed else 0


if __name__ == "__main__":
    sys.exit(main())
