"""Search backends: same functions, one module per database vendor (sqlite_fts5, postgres)."""

from types import ModuleType

from django.db import connection


def get_backend() -> ModuleType:
    if connection.vendor == "postgresql":
        from search.backends import postgres

        return postgres
    from search.backends import sqlite_fts5

    return sqlite_fts5
