"""On SQLite, the site's writers go before the importer's next batch.

SQLite has one writer at a time and its waiting writers poll (busy timeout), so a bulk importer
that commits and begins again at once can win the lock over and over. Every connection to a
SQLite file holds a shared lock on `<database>.writers` while it waits to begin a write
transaction; between two batches the importer takes that lock exclusively, which it gets only
once no writer is waiting any more. The importer also looks (`writers_waiting`) after each batch
and commits at once when someone waits: a writer thus waits for at most the batch in progress.
"""

import fcntl
import os
import time

# Per process: a forked worker must not share its parent's open file (and so its locks).
_files: dict[tuple[int, str], int | None] = {}


def _gate(connection) -> int | None:
    name = str(connection.settings_dict["NAME"])
    if connection.vendor != "sqlite" or not name or name == ":memory:" or "mode=memory" in name:
        return None
    key = (os.getpid(), name)
    if key not in _files:
        try:
            _files[key] = os.open(f"{name}.writers", os.O_RDWR | os.O_CREAT, 0o660)
        except OSError:  # a read-only directory: no importer can write either
            _files[key] = None
    return _files[key]


def _announce_writer(execute, sql, params, many, context):
    """Execute wrapper: hold the gate shared while this connection waits for the write lock."""
    if not (isinstance(sql, str) and sql.startswith("BEGIN")):
        return execute(sql, params, many, context)
    gate = _gate(context["connection"])
    if gate is None:
        return execute(sql, params, many, context)
    fcntl.flock(gate, fcntl.LOCK_SH)
    try:
        return execute(sql, params, many, context)
    finally:
        fcntl.flock(gate, fcntl.LOCK_UN)


def install(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite" and _announce_writer not in connection.execute_wrappers:
        connection.execute_wrappers.append(_announce_writer)


def writers_waiting(connection) -> bool:
    """Whether another connection waits to begin a write transaction (never on PostgreSQL,
    whose writers do not wait for the importer's transaction)."""
    gate = _gate(connection)
    if gate is None:
        return False
    try:
        fcntl.flock(gate, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    fcntl.flock(gate, fcntl.LOCK_UN)
    return False


def let_writers_through(connection, *, timeout: float) -> None:
    """Wait (at most `timeout` seconds) until no other connection waits to write."""
    gate = _gate(connection)
    if gate is None:
        return
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(gate, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if time.monotonic() > deadline:
                return
            time.sleep(0.005)
        else:
            fcntl.flock(gate, fcntl.LOCK_UN)
            return
