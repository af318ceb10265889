"""Bulk writes of new rows, shared by the SENACS importer, the synthetic generator and the
followers of `sheets_changed` (search index, similarity profiles, statistics figures).

Thousands of sheets per second: one executemany per table and batch, no model instance per
row (bulk_create builds one, and sends no m2m_changed either: the writers send `sheets_changed`).
"""

from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db import connection, models
from django.db.backends.utils import CursorWrapper

from catalogue.models import ActionSheet


def bulk_cursor() -> CursorWrapper:
    """A cursor for bulk writes. With DEBUG, Django logs every statement with its values, and
    SQLite's quoting of thousands of texts cost more than writing them (the writers emptied the
    log after each batch anyway): these statements stay out of it, unless a test counts
    queries (`assertNumQueries` forces the log on)."""
    if settings.DEBUG and not connection.force_debug_cursor:
        connection.ensure_connection()
        connection.validate_thread_sharing()
        with connection.wrap_database_errors:
            return connection.make_cursor(connection.create_cursor())
    return connection.cursor()


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
    with bulk_cursor() as cursor:
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
    with bulk_cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "
            f"VALUES ({', '.join(['%s'] * (len(fields) + len(others)))})",
            prepared,
        )
    return len(prepared)


def create_sheets(sheets: list[ActionSheet]) -> list[ActionSheet]:
    """What `ActionSheet.objects.bulk_create(sheets)` does (the same values, each field's
    pre_save and preparation, ids given back in order by RETURNING), without the ORM's SQL
    compiler per row and value, which cost the importer and the generator more than the
    database's own work."""
    if not sheets:
        return sheets
    opts = ActionSheet._meta
    fields = [f for f in opts.concrete_fields if f is not opts.pk]
    # Text goes as it is (what CharField and TextField prepare a str to).
    plain = [isinstance(f, models.CharField | models.TextField) for f in fields]
    rows = []
    for sheet in sheets:
        row = []
        for field, is_plain in zip(fields, plain, strict=True):
            value = field.pre_save(sheet, True)
            if is_plain and value.__class__ is str:
                row.append(value)
            else:
                row.append(field.get_db_prep_save(value, connection))
        rows.append(row)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    placeholder = f"({', '.join(['%s'] * len(fields))})"
    size = max(1, connection.ops.bulk_batch_size(fields, sheets))
    ids = []
    with bulk_cursor() as cursor:
        for start in range(0, len(rows), size):
            part = rows[start : start + size]
            cursor.execute(
                f"INSERT INTO {quote(opts.db_table)} ({columns}) "
                f"VALUES {', '.join([placeholder] * len(part))} RETURNING {quote(opts.pk.column)}",
                [value for row in part for value in row],
            )
            ids.extend(pk for (pk,) in cursor.fetchall())
    for sheet, pk in zip(sheets, ids, strict=True):
        sheet.pk = pk
        sheet._state.adding = False
        sheet._state.db = connection.alias
    return sheets
