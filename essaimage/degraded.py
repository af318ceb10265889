"""Degraded mode: the database still answers reads but refuses writes (read-only, disk full).

Pages keep rendering and say that editing is unavailable; a write that fails this way answers
a French 503 page instead of a 500; /healthz reports it. The state is noticed three ways:
a write that failed (remembered for RETRY_SECONDS), the database file or its disk (SQLite, no
query), and the server's `default_transaction_read_only` (PostgreSQL reports it on the open
connection, no query either). `probe()`, used by /healthz, also tries a write that changes
nothing.
"""

import errno
import os
import shutil
import sqlite3
import time
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, transaction

READ_ONLY = "read-only"
DISK_FULL = "disk-full"
REASONS = {
    READ_ONLY: "la base de données est en lecture seule",
    DISK_FULL: "le disque du serveur est plein",
}
RETRY_SECONDS = 30
# Errors that say the database takes no writes (PostgreSQL SQLSTATE codes).
PG_READ_ONLY = {"25006"}  # read_only_sql_transaction
PG_DISK_FULL = {"53100"}  # disk_full
SQLITE_READ_ONLY = ("readonly database", "read-only database")
SQLITE_DISK_FULL = ("database or disk is full",)
# SQLite says "disk I/O error" when it cannot create its WAL files on a full disk.
SQLITE_IO_ERROR = "disk i/o error"

_last_failure: dict[str, float | str | None] = {"reason": None, "until": 0.0}


def failure_reason(error: BaseException | None) -> str | None:
    """READ_ONLY or DISK_FULL when `error`, or an error it was raised from, is a refused write."""
    seen = 0
    while error is not None and seen < 5:
        reason = _own_reason(error)
        if reason == READ_ONLY and getattr(connection, "opened_read_only_because", None):
            # Opened read-only because the disk is full (essaimage.db.sqlite3): say why.
            return connection.opened_read_only_because
        if reason:
            return reason
        error = error.__cause__ or error.__context__
        seen += 1
    return None


def _own_reason(error: BaseException) -> str | None:
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return DISK_FULL
    if isinstance(error, OSError) and error.errno == errno.EROFS:
        return READ_ONLY
    if not isinstance(error, DatabaseError | sqlite3.DatabaseError):
        return None
    # Django's DatabaseError wraps the driver's, which carries the SQLSTATE.
    cause = error.__cause__ if isinstance(error, DatabaseError) and error.__cause__ else error
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate in PG_READ_ONLY:
        return READ_ONLY
    if sqlstate in PG_DISK_FULL:
        return DISK_FULL
    message = str(cause).lower()
    if any(text in message for text in SQLITE_READ_ONLY):
        return READ_ONLY
    if any(text in message for text in SQLITE_DISK_FULL):
        return DISK_FULL
    if SQLITE_IO_ERROR in message and _sqlite_file_state() == DISK_FULL:
        return DISK_FULL
    return None


def note_failure(reason: str) -> None:
    _last_failure["reason"] = reason
    _last_failure["until"] = time.monotonic() + RETRY_SECONDS


def forget_failure() -> None:
    _last_failure["reason"] = None
    _last_failure["until"] = 0.0


def _sqlite_file_state() -> str | None:
    name = str(connection.settings_dict["NAME"])
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    path = Path(name)
    if path.exists() and not os.access(path, os.W_OK):
        return READ_ONLY
    try:
        if shutil.disk_usage(path.parent).free < settings.DEGRADED_MIN_FREE_BYTES:
            return DISK_FULL
    except OSError:
        return None
    return None


def _postgres_state() -> str | None:
    raw = connection.connection
    if raw is None or raw.closed:
        return None
    status = raw.info.parameter_status
    if status("default_transaction_read_only") == "on" or status("in_hot_standby") == "on":
        return READ_ONLY
    return None


def current_state() -> str | None:
    """READ_ONLY, DISK_FULL or None (writable as far as we know), without querying."""
    if _last_failure["reason"] and time.monotonic() < _last_failure["until"]:
        return _last_failure["reason"]
    if connection.vendor == "sqlite":
        return _sqlite_file_state()
    if connection.vendor == "postgresql":
        return _postgres_state()
    return None


def probe() -> str | None:
    """current_state(), then a write that changes no row: the database refuses it or not."""
    state = current_state()
    if state:
        return state
    is_sqlite = connection.vendor == "sqlite"
    try:
        with connection.cursor() as cursor:
            if is_sqlite:
                # A writer holding the lock is not a degraded database: do not wait long.
                cursor.execute("PRAGMA busy_timeout = 1000")
            try:
                with transaction.atomic():
                    cursor.execute(
                        "UPDATE search_indexstate SET generation = generation WHERE 1 = 0"
                    )
            finally:
                if is_sqlite:
                    timeout = connection.settings_dict.get("OPTIONS", {}).get("timeout", 5)
                    cursor.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    except DatabaseError as error:
        reason = failure_reason(error)
        if reason is None:
            raise
        note_failure(reason)
        return reason
    forget_failure()
    return None


def describe(reason: str | None) -> str:
    return REASONS.get(reason or "", "la base de données n'accepte plus d'enregistrement")
