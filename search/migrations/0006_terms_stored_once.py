"""The index stores analysed terms once, never the text (the catalogue holds it; snippets are cut
from the sheets).

SQLite: `search_fts` kept its own copy of the terms and `search_searchdocument` a cleaned copy
of the text. The terms move to the plain table `search_terms` (id = sheet id), and `search_fts`
becomes an external-content FTS5 table over it (same name and columns; only the inverted index
is stored); triggers remove a sheet's terms and index entries with its SearchDocument. The terms
are copied as they are and the inverted index rebuilt from them: no reanalysis.
PostgreSQL: the text columns go; the tsvector `vector` (already the terms) stays.
Run `VACUUM` afterwards on SQLite to give the freed pages back to the file system.
"""

from django.db import migrations

COLUMNS = "title, keywords, structure, summary, body"
TOKENIZE = "tokenize = 'unicode61 remove_diacritics 2'"
SQLITE_TABLES = [
    "CREATE TABLE search_terms (id INTEGER PRIMARY KEY, title TEXT NOT NULL DEFAULT '', "
    "keywords TEXT NOT NULL DEFAULT '', structure TEXT NOT NULL DEFAULT '', "
    "summary TEXT NOT NULL DEFAULT '', body TEXT NOT NULL DEFAULT '')",
]
SQLITE_INDEX = [
    f"CREATE VIRTUAL TABLE search_fts USING fts5({COLUMNS}, content = 'search_terms', "
    f"content_rowid = 'id', {TOKENIZE})",
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
    # A sheet's terms leave with its document, and its entries in the inverted index with its
    # terms (an external-content table is told the old values).
    "CREATE TRIGGER search_document_delete AFTER DELETE ON search_searchdocument "
    "BEGIN DELETE FROM search_terms WHERE id = old.sheet_id; END",
    # (search.backends.sqlite_fts5.TERMS_DELETE_TRIGGER is the same.)
    "CREATE TRIGGER search_terms_delete AFTER DELETE ON search_terms BEGIN "
    f"INSERT INTO search_fts(search_fts, rowid, {COLUMNS}) VALUES ('delete', old.id, "
    "old.title, old.keywords, old.structure, old.summary, old.body); END",
]


def move_terms(apps, schema_editor):
    """Before the table is remade: the terms out of the old FTS5 table into `search_terms`."""
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in SQLITE_TABLES:
        schema_editor.execute(statement)
    schema_editor.execute("DROP TRIGGER IF EXISTS search_fts_delete")
    schema_editor.execute(
        f"INSERT INTO search_terms(id, {COLUMNS}) SELECT rowid, {COLUMNS} FROM search_fts "
        "WHERE rowid IN (SELECT sheet_id FROM search_searchdocument)"
    )
    schema_editor.execute("DROP TABLE search_fts")


def build_index(apps, schema_editor):
    """After the table is remade on SQLite (which drops its triggers)."""
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_INDEX:
            schema_editor.execute(statement)


def unbuild_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in (
            "DROP TRIGGER IF EXISTS search_document_delete",
            "DROP TRIGGER IF EXISTS search_terms_delete",
            "DROP TABLE IF EXISTS search_fts",
        ):
            schema_editor.execute(statement)


def unmove_terms(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in (
        f"CREATE VIRTUAL TABLE search_fts USING fts5({COLUMNS}, {TOKENIZE})",
        f"INSERT INTO search_fts(rowid, {COLUMNS}) SELECT id, {COLUMNS} FROM search_terms",
        "DROP TABLE search_terms",
        "CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchdocument "
        "BEGIN DELETE FROM search_fts WHERE rowid = old.sheet_id; END",
    ):
        schema_editor.execute(statement)


def stale_index(apps, schema_editor):
    # Going back: the restored text columns are empty; the next `migrate` forward or
    # `rebuild_search_index` fills them.
    IndexState = apps.get_model("search", "IndexState")
    IndexState.objects.filter(pk=1).update(analyser="")


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0005_index_change_log"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, stale_index),
        migrations.RunPython(move_terms, unmove_terms),
        migrations.RemoveField(model_name="searchdocument", name="title"),
        migrations.RemoveField(model_name="searchdocument", name="keywords"),
        migrations.RemoveField(model_name="searchdocument", name="structure"),
        migrations.RemoveField(model_name="searchdocument", name="summary"),
        migrations.RemoveField(model_name="searchdocument", name="body"),
        migrations.RunPython(build_index, unbuild_index),
    ]
