"""Bulk writes of new rows, shared by the SENACS importer, the synthetic generator and the
followers of `sheets_changed` (search index, similarity profiles, statistics figures).

Thousands of sheets per second: one executemany per table and batch, no model instance per
row (bulk_create builds one, and sends no m2m_changed either: the writers send `sheets_changed`).
"""

from collections.abc import Iterable, Sequence

from django.db import connection, models

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


def insert_rows(model: type[models.Model], names: Sequence[str], rows: Iterable[tuple]) -> int:
    """INSERT rows of `model` (none may exist) given as tuples of the fields `names`; every
    other column takes its field's default, and an automatic primary key is left to the
    database. The values written are those bulk_create writes (each field prepares its value
    as the ORM does), for models without auto_now fields. Returns the number of rows."""
    fields = [model._meta.get_field(name) for name in names]
    others = [
        f
        for f in model._meta.concrete_fields
        if f not in fields and not (f.primary_key and isinstance(f, models.AutoField))
    ]
    defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in others)
    # Text and whole numbers go as they are; the rest (decimals, dates…) through the field.
    plain = [
        isinstance(f, models.CharField | models.TextField)
        or f.get_internal_type() in ("ForeignKey", "OneToOneField")
        and f.target_field.get_internal_type() in ("AutoField", "BigAutoField")
        for f in fields
    ]
    if all(plain):
        prepared = [(*row, *defaults) for row in rows]
    else:
        prepared = [
            (
                *(
                    value if is_plain else field.get_db_prep_save(value, connection)
                    for value, field, is_plain in zip(row, fields, plain, strict=True)
                ),
                *defaults,
            )
            for row in rows
        ]
    if not prepared:
        return 0
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in (*fields, *others))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "
            f"VALUES ({', '.join(['%s'] * (len(fields) + len(others)))})",
            prepared,
        )
    return len(prepared)
