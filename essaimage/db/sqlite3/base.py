"""Django's SQLite backend, reading on when the disk is full.

A WAL database needs its `-wal` and `-shm` files to open; SQLite deletes them when the last
connection closes, and on a full disk it cannot create them again: every connection fails with
"disk I/O error", so every page was a 500 and /healthz said the database was unreachable.
When a connection cannot open *and the disk is full*, this backend opens the file read-only
and `immutable` (no lock, no `-shm`: safe, as nothing can write on a full disk, and the WAL was
checkpointed into the file when it was deleted). Pages read on; a write fails ("readonly
database"), which the degraded mode turns into the French 503 (essaimage.degraded). The next
connection, once space is freed, opens normally.
"""

import logging
import shutil
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db.backends.sqlite3.base import Database
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper

logger = logging.getLogger(__name__)


def disk_is_full(database: str) -> bool:
    path = Path(str(database))
    if str(database).startswith("file:") or str(database) == ":memory:":
        return False
    try:
        return shutil.disk_usage(path.parent).free < settings.DEGRADED_MIN_FREE_BYTES
    except OSError:
        return False


class DatabaseWrapper(SQLiteDatabaseWrapper):
    # Set on a connection opened read-only because the disk is full (essaimage.degraded).
    opened_read_only_because: str | None = None

    def get_new_connection(self, conn_params):
        self.opened_read_only_because = None
        try:
            return super().get_new_connection(conn_params)
        except Database.OperationalError as error:
            database = conn_params.get("database", "")
            if not disk_is_full(database):
                raise
            logger.warning("disk full: %s opened read-only (%s)", database, error)
        read_only = {**conn_params, "database": f"file:{quote(str(database))}?immutable=1"}
        commands, self.init_commands = self.init_commands, []  # PRAGMA journal_mode writes
        try:
            connection = super().get_new_connection(read_only)
        finally:
            self.init_commands = commands
        self.opened_read_only_because = "disk-full"
        return connection
