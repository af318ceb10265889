"""Grow a PostgreSQL benchmark base by copying its sheets inside the server (issue 12, item 6).

    python manage.py generate_synthetic --count 100000 --seed 1      # DATABASE_URL=postgres://…
    python bench/postgres_scale.py --factor 10                       # -> 1,000,000 sheets

Generating a million sheets through the ORM and the French analyser takes hours on a small
machine; here each copy is one `INSERT … SELECT` per table, run by the server: the sheets, their
vocabulary links, search documents (analysed terms and tsvector included: the copy's words are
the original's), figures, fundings and similarity profiles, with ids shifted by copy. Copies
share the original's structures, so each structure gets `factor` times more sheets and every
word `factor` times more sheets: the selectivity of a query stays what it was. The source
reference of a copy gets a suffix (the unique SENACS reference). Revisions, drafts and
attachments are not copied. The search index generation is renewed so every worker rebuilds.
Prints the time of each step; nothing here is a test.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "essaimage.settings")

SHEET = "catalogue_actionsheet"
# Tables copied with their sheets; a column naming a sheet is shifted with it.
SHEET_COLUMNS = {"actionsheet_id", "sheet_id", "other_id", "first_id", "second_id"}


def sheet_tables(cursor) -> list[str]:
    """Tables with a foreign key to the sheets that a search, a page or the statistics read."""
    cursor.execute(
        """
        SELECT DISTINCT conrelid::regclass::text FROM pg_constraint
        WHERE contype = 'f' AND confrelid = %s::regclass
        """,
        [SHEET],
    )
    skipped = {
        "contrib_revision",
        "contrib_autosave",
        "contrib_pendingedit",
        "catalogue_attachment",
    }
    return sorted(t for (t,) in cursor.fetchall() if t not in skipped)


def columns(cursor, table: str) -> list[str]:
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "ORDER BY ordinal_position",
        [table],
    )
    return [c for (c,) in cursor.fetchall()]


def copy_table(cursor, table: str, copy: int, sheet_shift: int, upto: int) -> int:
    names = columns(cursor, table)
    own_id = "id" in names and table != SHEET
    id_shift = 0
    if own_id or table == SHEET:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
        id_shift = cursor.fetchone()[0]
    select = []
    for name in names:
        if name == "id":
            select.append(f"id + {sheet_shift if table == SHEET else id_shift}")
        elif name in SHEET_COLUMNS:
            select.append(f"{name} + {sheet_shift}")
        elif table == SHEET and name == "source_ref":
            select.append(f"CASE WHEN source_ref = '' THEN '' ELSE source_ref || '-{copy}' END")
        else:
            select.append(name)
    key = "id" if table == SHEET else next(c for c in names if c in SHEET_COLUMNS)
    cursor.execute(
        f"INSERT INTO {table} ({', '.join(names)}) "  # noqa: S608
        f"SELECT {', '.join(select)} FROM {table} WHERE {key} <= %s",
        [upto],
    )
    return cursor.rowcount


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--factor", type=int, default=10, help="sheets after = factor × before")
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection, transaction

    from search.changes import bump_generation

    if connection.vendor != "postgresql":
        sys.exit("DATABASE_URL must point to PostgreSQL.")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), MAX(id) FROM {SHEET}")  # noqa: S608
        count, upto = cursor.fetchone()
        tables = [SHEET, *sheet_tables(cursor)]
    print(f"{count} sheets (max id {upto}); copying {args.factor - 1} times: {', '.join(tables)}")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # Secondary indexes (GIN of the tsvectors, foreign keys…) are built once at the end:
        # far cheaper than updating them row by row.
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            WHERE i.indrelid::regclass::text = ANY(%s)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            """,
            [tables],
        )
        secondary = cursor.fetchall()
        for name, _ in secondary:
            cursor.execute(f"DROP INDEX {name}")
    for copy in range(1, args.factor):
        step = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            rows = {t: copy_table(cursor, t, copy, copy * upto, upto) for t in tables}
        print(
            f"copy {copy}: {rows[SHEET]} sheets, {sum(rows.values())} rows in "
            f"{time.perf_counter() - step:.1f} s",
            flush=True,
        )
    with connection.cursor() as cursor:
        step = time.perf_counter()
        for _, definition in secondary:
            cursor.execute(definition)
        print(f"{len(secondary)} secondary indexes built in {time.perf_counter() - step:.1f} s")
        step = time.perf_counter()
        for table in tables:
            if "id" in columns(cursor, table):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT MAX(id) FROM {table}))"
                )
        cursor.execute("ANALYZE")
    bump_generation()  # every worker rebuilds its in-memory index
    with connection.cursor() as cursor:
        print(f"sequences, index generation, ANALYZE: {time.perf_counter() - step:.1f} s")
        cursor.execute(f"SELECT COUNT(*) FROM {SHEET}")  # noqa: S608
        total = cursor.fetchone()[0]
        cursor.execute("SELECT pg_database_size(current_database())")
        size = cursor.fetchone()[0]
    print(
        f"{total} sheets in {time.perf_counter() - started:.0f} s; database {size / 2**30:.2f} GiB"
    )


if __name__ == "__main__":
    main()
