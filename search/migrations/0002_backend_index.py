"""Backend-specific parts of the index, created only on the vendor that uses them.

SQLite: the FTS5 table `search_fts` (French terms computed in Python, rowid = sheet id) and a
trigger removing a sheet's row with its SearchDocument (so deletes and test flushes stay clean).
PostgreSQL: extensions unaccent and pg_trgm, the `french_unaccent` configuration, the weighted
generated `vector` column with its GIN index, and a trigram index on the words.
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
POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """
    DO $$
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'french_unaccent') THEN
        CREATE TEXT SEARCH CONFIGURATION french_unaccent (COPY = french);
        ALTER TEXT SEARCH CONFIGURATION french_unaccent
          ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
      END IF;
    END
    $$
    """,
    """
    ALTER TABLE search_searchdocument ADD COLUMN vector tsvector GENERATED ALWAYS AS (
      setweight(to_tsvector('french_unaccent'::regconfig, coalesce(title, '')), 'A') ||
      setweight(to_tsvector('french_unaccent'::regconfig, coalesce(keywords, '')), 'A') ||
      setweight(to_tsvector('french_unaccent'::regconfig, coalesce(structure, '')), 'B') ||
      setweight(to_tsvector('french_unaccent'::regconfig, coalesce(summary, '')), 'C') ||
      setweight(to_tsvector('french_unaccent'::regconfig, coalesce(body, '')), 'D')
    ) STORED
    """,
    "CREATE INDEX search_document_vector ON search_searchdocument USING gin (vector)",
    "CREATE INDEX search_word_trgm ON search_searchword USING gin (word gin_trgm_ops)",
]
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
