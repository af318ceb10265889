"""Terms per field class on each SearchDocument: BM25F's length normalisation (search.scoring).
The analyser version moved with it: `migrate` then reindexes every sheet, which fills them.
On SQLite, adding the columns remakes the table, which drops its trigger: made again."""

from django.db import migrations, models

DOCUMENT_DELETE_TRIGGER = (
    "CREATE TRIGGER search_document_delete AFTER DELETE ON search_searchdocument "
    "BEGIN DELETE FROM search_terms WHERE id = old.sheet_id; END"
)


def restore_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS search_document_delete")
        schema_editor.execute(DOCUMENT_DELETE_TRIGGER)


def stale_index(apps, schema_editor):
    IndexState = apps.get_model("search", "IndexState")
    IndexState.objects.filter(pk=1).update(analyser="")


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0006_terms_stored_once"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="title_length",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="who_length",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="summary_length",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="body_length",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(restore_trigger, restore_trigger),
        migrations.RunPython(stale_index, stale_index),
    ]
