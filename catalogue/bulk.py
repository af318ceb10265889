"""Bulk writes of new sheets' relations, shared by the SENACS importer and the synthetic generator.

Thousands of sheets per second: one executemany per relation and batch, no model instance per
row (bulk_create builds one, and sends no m2m_changed either: the writers send `sheets_changed`).
"""

from collections.abc import Iterable

from django.db import connection

from catalogue.models import ActionSheet


def add_relation_rows(name: str, rows: Iterable[tuple[int, int]]) -> None:
    """Insert (sheet id, value id) rows of the ActionSheet many-to-many `name` (none may exist)."""
    rows = list(rows)
    if not rows:
        return
    m2m = ActionSheet._meta.get_field(name)
    through = m2m.remote_field.through._meta
    quote = connection.ops.quote_name
    source = through.get_field(m2m.m2m_field_name()).column
    target = through.get_field(m2m.m2m_reverse_field_name()).column
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(through.db_table)} ({quote(source)}, {quote(target)}) "
            "VALUES (%s, %s)",
            rows,
        )
