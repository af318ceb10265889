"""Backend-specific parts of the index, created only on the vendor that uses them.

SQLite: the FTS5 table `search_fts` (French terms computed in Python, rowid = sheet id) and a
trigger removing a sheet's row with its SearchDocument (so deletes and test flushes stay clean).
PostgreSQL: nothing any more (see POSTGRES_FORWARD and migration 0004).
"""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
    "title, keywords, structure, summary, body, tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS search_fts_delete AFTER DELETE ON search_searchdocument "
    "BEGIN DELETE FROM search_fts WHERE rowid = old.sheet_id; END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TABLE IF EXISTS search_fts",
]
# PostgreSQL once got here a server-side `french_unaccent` configuration (extensions unaccent and
# pg_trgm) and a generated column. Migration 0004 replaced them by a plain tsvector written by the
# application, and databases that ran this migration are converted there; a new database needs
# neither the extensions nor the configuration, so nothing is created here any more.
POSTGRES_FORWARD: list[str] = []
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_word_trgm",
    "DROP INDEX IF EXISTS search_document_vector",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS vector",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS french_unaccent",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
