"""VDBE layer: records, transactions, schema and database-level opcodes.

SQLite's counterpart is the corresponding part of ``vdbe.c``.  What these
opcodes need from the connection goes through the host (engine.Database,
see :mod:`pyrite.vdbe.host`).
"""

from __future__ import annotations

from operator import itemgetter, ne, or_
from typing import Any

from pyrite import errors, values
from pyrite.storage.btree import INDEX, INTKEY
from pyrite.storage.record import encode_record
from pyrite.vdbe import opcodes
from pyrite.vdbe.ops.cursor import record_round_trips
from pyrite.vdbe.opcodes import opcode
from pyrite.vdbe.recenc import record_encoder

_apply = values.apply_affinity
# apply_affinity returns these unchanged -- text under TEXT, an
# integer under INTEGER or NUMERIC, NULL and blobs under any affinity, any
# value under BLOB ('A') or none ('@') -- so MakeRecord skips the call.


# (affinity string, type of each value) -> True: shapes of MakeRecord's
# operands under which the affinities change nothing (see above), so that
# the usual record skips the loop over its fields.
_AFFINITY_IDLE: dict[tuple, bool] = {}


@opcode("MakeRecord", "P1 P2 P3 P4 *", "r[P3]=mkrec(r[P1@P2])", start="p1", count="p2", dest="p3")
def op_make_record(vm: Any, op: Any, pc: int) -> int:
    """r[P3] = the record of r[P1..P1+P2-1], after applying the affinity string P4."""
    r = vm.r
    p1 = op.p1
    # When the record only goes to the next instruction, an IdxInsert into
    # a DISTINCT set kept as a hash (cursor.op_idx_insert) that takes the
    # key from the record's own registers (its P3/P4) and never reads the
    # record, or a SorterInsert (ORDER BY's rows, an index being built)
    # when the values come back unchanged from a record, the register gets
    # the values themselves, as the compiled MakeRecord leaves them
    # (jit._make_record), and nothing is encoded (nor decoded again).
    ops = vm.ops
    if pc + 1 < len(ops):
        nxt = ops[pc + 1]
        if nxt.p2 == op.p3:
            no = nxt.opcode
            if no == (_SORTER_INSERT_NUMBER or _sorter_insert_number()):
                if op.p2 >= 1:
                    vals = record_values(r, p1, op.p2, op.p4) if op.p4 else r[p1:p1 + op.p2]
                    r[op.p3] = vals if record_round_trips(vals) else encode_record(vals)
                    return pc + 1
            elif nxt.p3 == p1 and nxt.p4 == op.p2 \
                    and no == (_IDX_INSERT_NUMBER or _idx_insert_number()):
                c = vm.cursors[nxt.p1]
                if c is not None and c.kind == "hash":
                    r[op.p3] = record_values(r, p1, op.p2, op.p4) if op.p4 else r[p1:p1 + op.p2]
                    return pc + 1
    # The usual record in one pass (recenc); else affinities, then encoding.
    enc = record_encoder(p1, op.p2, op.p4)
    rec = enc(r) if enc is not None else None
    if rec is None:
        rec = encode_record(record_values(r, p1, op.p2, op.p4) if op.p4 else r[p1:p1 + op.p2])
    r[op.p3] = rec
    return pc + 1


def record_values(r: list[Any], p1: int, n: int, aff: str) -> list[Any]:
    """r[p1..p1+n-1] after applying the affinity string ``aff``, which
    MakeRecord applies to the registers too (the compiled executor's
    MakeRecord into a sorter keeps these values instead of a record)."""
    vals = r[p1:p1 + n]
    shape = (aff, *map(type, vals))
    if _AFFINITY_IDLE.get(shape) is not None:
        return vals
    idle = True
    for i in range(min(len(aff), len(vals))):
        a = aff[i]
        v = vals[i]
        t = type(v)
        # The usual cases change nothing: no call (see the note at _apply).
        if t is str:
            if a == "B" or a == "A" or a == "@":
                continue
        elif t is int:
            if a == "D" or a == "C" or a == "A" or a == "@":
                continue
        elif v is None or t is bytes or a == "A" or a == "@":
            continue
        idle = False
        nv = _apply(v, a)
        if nv is not v:
            vals[i] = nv
            r[p1 + i] = nv
    if idle:
        if len(_AFFINITY_IDLE) > 4096:
            _AFFINITY_IDLE.clear()
        _AFFINITY_IDLE[shape] = True
    return vals


# IdxInsert's opcode number, looked up on first use (0 until then: the
# opcode modules register their numbers as they are imported).
_IDX_INSERT_NUMBER = 0


def _idx_insert_number() -> int:
    """IdxInsert's opcode number (looked up once)."""
    global _IDX_INSERT_NUMBER
    _IDX_INSERT_NUMBER = opcodes.BY_NAME["IdxInsert"].number
    return _IDX_INSERT_NUMBER


_SORTER_INSERT_NUMBER = 0


def _sorter_insert_number() -> int:
    """SorterInsert's opcode number (looked up once)."""
    global _SORTER_INSERT_NUMBER
    _SORTER_INSERT_NUMBER = opcodes.BY_NAME["SorterInsert"].number
    return _SORTER_INSERT_NUMBER


@opcode("TypeCheck", "P1 P2 P3 P4 *", "typecheck(r[P1@P2])")
def op_type_check(vm: Any, op: Any, pc: int) -> int:
    """STRICT tables: check the types of r[P1..P1+P2-1] (affinity already
    applied) against the column types of P4 (compile.checkdef.StrictTypes):
    INT/INTEGER want an integer, REAL a number (an integer becomes a real),
    TEXT text, BLOB a blob; NULL always passes."""
    r = vm.r
    spec = op.p4
    for i in range(op.p2):
        want = spec.types[i]
        v = r[op.p1 + i]
        if not want or v is None:
            continue
        t = type(v)
        if want in ("INT", "INTEGER"):
            ok = t is int
        elif want == "REAL":
            ok = t is float or t is int
            if t is int:
                r[op.p1 + i] = float(v)
        elif want == "TEXT":
            ok = t is str
        else:
            ok = t is bytes
        if not ok:
            kind = ("INT" if t is int else "REAL" if t is float else
                    "TEXT" if t is str else "BLOB")
            errors.raise_error(errors.SQLITE_CONSTRAINT_DATATYPE,
                               f"cannot store {kind} value in {want} column "
                               f"{spec.name}.{spec.columns[i]}")
    return pc + 1


@opcode("Transaction", "P1 P2 P3 P4 P5", "iDb=P1 tx=P2 schema=P3")
def op_transaction(vm: Any, op: Any, pc: int) -> int:
    """Begin a read (P2=0) or write (P2!=0) transaction on database P1.  With
    P5 set, fail with SQLITE_SCHEMA when the schema cookie is not P3."""
    btree = vm.host.begin_transaction(op.p1, bool(op.p2))
    if op.p5:
        # Compare with the cookie in the file: another connection may have
        # changed the schema since this program was compiled.
        if btree.pager.schema_cookie() != op.p3:
            errors.raise_error(errors.SQLITE_SCHEMA, "database schema has changed")
    return pc + 1


@opcode("AutoCommit", "P1 P2 * * *", "")
def op_auto_commit(vm: Any, op: Any, pc: int) -> int:
    """Set autocommit to P1: P1=0 is BEGIN; P1=1 is COMMIT, or ROLLBACK when P2 is 1."""
    host = vm.host
    want = bool(op.p1)
    if want == bool(host.autocommit):
        if not want:
            errors.raise_error(errors.SQLITE_ERROR, "cannot start a transaction within a transaction")
        if op.p2:
            errors.raise_error(errors.SQLITE_ERROR, "cannot rollback - no transaction is active")
        errors.raise_error(errors.SQLITE_ERROR, "cannot commit - no transaction is active")
    if want:
        if op.p2:
            host.autocommit = True
            host.rollback()
        else:
            active = [s for s in getattr(host, "active_statements", ())
                      if getattr(s, "running", False) and s is not getattr(host, "current_statement", None)
                      and not getattr(s, "readonly", True)]
            if active:
                errors.raise_error(errors.SQLITE_BUSY,
                                   "cannot commit transaction - SQL statements in progress")
            if getattr(host, "fk_deferred", 0) or getattr(host, "fk_deferred_imm", 0):
                # Deferred foreign key violations: COMMIT fails, the
                # transaction stays open (OP_AutoCommit's sqlite3VdbeCheckFk).
                from pyrite.vdbe.ops.fkey import raise_fk_error
                raise_fk_error()
            host.autocommit = True
            host.commit()
    else:
        host.autocommit = False
    vm.pc = pc
    return -2


@opcode("Savepoint", "P1 * * P4 *", "")
def op_savepoint(vm: Any, op: Any, pc: int) -> int:
    """SAVEPOINT (P1=0), RELEASE (1) or ROLLBACK TO (2) the savepoint named P4."""
    vm.host.savepoint(op.p1, op.p4)
    return pc + 1


@opcode("ReadCookie", "P1 P2 P3 * *", "", db="p1", dest="p2", cookie="p3")
def op_read_cookie(vm: Any, op: Any, pc: int) -> int:
    """r[P2] = header value P3 of database P1 (1 schema cookie, 6 user version...)."""
    btree = vm.host.btree(op.p1)
    value = btree.pager.get_meta(op.p3)
    vm.r[op.p2] = value - (1 << 32) if value >= 1 << 31 else value   # read as a signed int
    return pc + 1


@opcode("SetCookie", "P1 P2 P3 * *", "", db="p1", cookie="p2", value="p3")
def op_set_cookie(vm: Any, op: Any, pc: int) -> int:
    """Set header value P2 of database P1 to P3."""
    host = vm.host
    host.btree(op.p1).pager.set_meta(op.p2, op.p3)
    if op.p2 == 1 and hasattr(host, "set_schema_cookie"):
        host.set_schema_cookie(op.p1, op.p3)
    return pc + 1


@opcode("CreateBtree", "P1 P2 P3 * *", "r[P2]=root iDb=P1 flags=P3", db="p1", dest="p2", flags="p3")
def op_create_btree(vm: Any, op: Any, pc: int) -> int:
    """Create a B-tree in database P1 (P3: 1 table, 2 index); r[P2] = its root page."""
    btree = vm.host.btree(op.p1)
    vm.r[op.p2] = btree.create_table(INTKEY if op.p3 & 1 else INDEX)
    return pc + 1


@opcode("Destroy", "P1 P2 P3 * *", "", root="p1", dest="p2", db="p3")
def op_destroy(vm: Any, op: Any, pc: int) -> int:
    """Delete the B-tree rooted at P1 in database P3; r[P2] = 0 (no root moved)."""
    vm.host.btree(op.p3).drop_table(op.p1)
    vm.r[op.p2] = 0
    return pc + 1


@opcode("Clear", "P1 P2 P3 * *", "", root="p1", db="p2")
def op_clear(vm: Any, op: Any, pc: int) -> int:
    """Delete every entry of the B-tree rooted at P1 in database P2; with P3,
    count the deleted rows as changes, and when P3 > 0 add them to r[P3]."""
    n = vm.host.btree(op.p2).clear_table(op.p1)
    if op.p3:
        vm.n_change += n
        if op.p3 > 0:
            vm.r[op.p3] += n
    return pc + 1


def _text_operand(value: Any) -> str:
    """ATTACH/DETACH operands as text (NULL is the empty string)."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, float) and value.is_integer():
        return str(value)
    return str(value)


@opcode("Attach", "P1 P2 * * *", "attach r[P1] as r[P2]")
def op_attach(vm: Any, op: Any, pc: int) -> int:
    """ATTACH the database file named by r[P1] under the name r[P2]."""
    vm.host.attach(_text_operand(vm.r[op.p1]), _text_operand(vm.r[op.p2]))
    return pc + 1


@opcode("Detach", "P1 * * * *", "detach r[P1]")
def op_detach(vm: Any, op: Any, pc: int) -> int:
    """DETACH the database named r[P1]."""
    vm.host.detach(_text_operand(vm.r[op.p1]))
    return pc + 1


@opcode("ParseSchema", "P1 * * P4 *", "", db="p1")
def op_parse_schema(vm: Any, op: Any, pc: int) -> int:
    """Re-read the schema of database P1 (the rows matching WHERE P4)."""
    vm.host.reload_schema(op.p1, op.p4)
    return pc + 1


@opcode("LoadAnalysis", "P1 * * * *", "", db="p1")
def op_load_analysis(vm: Any, op: Any, pc: int) -> int:
    """Read the sqlite_stat1 table of database P1 again: the planner's row
    estimates for statements prepared from now on."""
    vm.host.load_analysis(op.p1)
    return pc + 1


@opcode("DropTable", "P1 * * P4 *", "")
def op_drop_table(vm: Any, op: Any, pc: int) -> int:
    """Forget table P4 of database P1 in the in-memory schema."""
    vm.host.drop_table_schema(op.p1, op.p4)
    return pc + 1


@opcode("DropIndex", "P1 * * P4 *", "")
def op_drop_index(vm: Any, op: Any, pc: int) -> int:
    """Forget index P4 of database P1 in the in-memory schema."""
    vm.host.drop_index_schema(op.p1, op.p4)
    return pc + 1


@opcode("DropTrigger", "P1 * * P4 *", "")
def op_drop_trigger(vm: Any, op: Any, pc: int) -> int:
    """Forget trigger P4 of database P1 in the in-memory schema."""
    vm.host.drop_trigger_schema(op.p1, op.p4)
    return pc + 1


@opcode("IntegrityCk", "P1 P2 P3 P4 P5", "")
def op_integrity_ck(vm: Any, op: Any, pc: int) -> int:
    """Check the B-trees whose roots are listed in P4 (database P5; a list
    starting with 0 names only some of the trees); r[P1] =
    the problems found, one per line, or NULL; r[P3] holds one less than the
    number of problems to report, and is lowered by one less than the number
    found (the report of r[P1] counts as the last)."""
    btree = vm.host.btree(op.p5)
    max_err = (vm.r[op.p3] or 0) + 1
    roots = list(op.p4)
    partial = bool(roots) and roots[0] == 0      # a leading 0: some trees only
    problems = btree.integrity_check(roots[1:] if partial else roots, max_err, partial)
    problems = problems[:max_err]
    vm.r[op.p1] = "\n".join(problems) if problems else None
    if problems:
        vm.r[op.p3] = max_err - len(problems)
    return pc + 1


@opcode("Pagecount", "P1 P2 * * *", "", db="p1", dest="p2")
def op_pagecount(vm: Any, op: Any, pc: int) -> int:
    """r[P2] = the number of pages of database P1."""
    vm.r[op.p2] = vm.host.btree(op.p1).pager.page_count
    return pc + 1


@opcode("MaxPgcnt", "P1 P2 P3 * *", "", db="p1", dest="p2")
def op_max_pgcnt(vm: Any, op: Any, pc: int) -> int:
    """r[P2] = the page limit of database P1, first set to P3 when P3 is
    positive (never below the current page count)."""
    vm.r[op.p2] = vm.host.btree(op.p1).pager.set_max_page_count(op.p3)
    return pc + 1


@opcode("JournalMode", "P1 P2 P3 * *", "")
def op_journal_mode(vm: Any, op: Any, pc: int) -> int:
    """r[P2] = the journal mode of database P1 (only 'delete' and 'memory' exist)."""
    pager = vm.host.btree(op.p1).pager
    vm.r[op.p2] = "memory" if pager.memory else "delete"
    return pc + 1


@opcode("Vacuum", "P1 P2 * * *", "", db="p1")
def op_vacuum(vm: Any, op: Any, pc: int) -> int:
    """VACUUM database P1; with P2, VACUUM INTO the file named by r[P2]
    (a text value, else "non-text filename")."""
    into = None
    if op.p2:
        into = vm.r[op.p2]
        if not isinstance(into, str):
            errors.raise_error(errors.SQLITE_ERROR, "non-text filename")
    vm.host.vacuum(op.p1, into)
    return pc + 1


def _count_prefixes(batch: list[Any], prev: Any, distinct: list[int]) -> None:
    """Add to ``distinct[j]`` the entries of ``batch`` (index records in
    order, after ``prev``, None before the first) whose first j+1 fields
    differ from the entry before them, the fields compared as BINARY
    columns are (Python's ==, see op_stat_index): column by column over
    the whole batch in C (map), not entry by entry."""
    seq = batch if prev is None else [prev, *batch]
    changed: Any = None
    for j in range(len(distinct)):
        col = list(map(itemgetter(j), seq))
        differs = map(ne, col, col[1:])
        changed = list(differs) if changed is None else list(map(or_, changed, differs))
        distinct[j] += sum(changed) + (prev is None)


@opcode("StatIndex", "P1 P2 P3 * *", "r[P2]=stat1(P1,P3)", cursor="p1", dest="p2")
def op_stat_index(vm: Any, op: Any, pc: int) -> int:
    """ANALYZE: r[P2] = the sqlite_stat1 text of index cursor P1 over its
    first P3 columns, NULL when the index is empty (SQLite's stat_push and
    stat_get loop folded into one scan).

    The text is the entry count, then for each key prefix the average number
    of entries per distinct prefix value, rounded up, with 2 written as 1
    when nearly every prefix is distinct (the 3.40 rule).  NULLs count as
    equal to each other; each column compares with the index's collation.
    A pending read restarts the scan when the VM re-runs this opcode."""
    from pyrite.vdbe.ops.cursor import _cursor
    c = _cursor(vm, op.p1)
    bt = c.bt
    n = op.p3
    key_info = bt.key_info
    colls = [key_info.collation(i) if key_info is not None else None for i in range(n)]
    compare = values.compare
    # BINARY columns: SQLite's equality is Python's on stored values (numbers
    # by value, text and blobs by content, never each other; NULL == NULL
    # as counted here), so no compare() call per field.
    binary = all(x is None or x is values.BINARY for x in colls)
    rows = 0
    distinct = [0] * n
    prev: Any = None
    empty = bt.first()
    while not empty and not bt.eof:
        rec = bt.record()
        # The rest of a leaf comes from its decoded records (record() filled
        # them), up to one not kept there (it overflows), without a next()
        # per entry.
        top = bt.stack[-1]
        info = top[1]
        at = top[2]
        batch = [rec]
        if info.leaf and info.records is not None and info.records[at] is rec:
            batch = info.records[at:]
            if None in batch:
                batch = batch[:batch.index(None)]
        if binary:
            _count_prefixes(batch, prev, distinct)
        else:
            for rec in batch:
                i = 0
                if prev is not None:
                    while i < n and compare(rec[i], prev[i], colls[i]) == 0:
                        i += 1
                for j in range(i, n):
                    distinct[j] += 1
                prev = rec
        rows += len(batch)
        prev = batch[-1]
        top[2] = at + len(batch) - 1
        if not bt.next():
            break
    if rows == 0:
        vm.r[op.p2] = None
        return pc + 1
    parts = [str(rows)]
    for d in distinct:
        avg = (rows + d - 1) // d
        if avg == 2 and rows * 10 <= d * 11:
            avg = 1
        parts.append(str(avg))
    vm.r[op.p2] = " ".join(parts)
    return pc + 1
