from django.db import migrations


def read_all(apps, schema_editor):
    from stats.figures import refresh_figures

    Sheet = apps.get_model("catalogue", "ActionSheet")
    models = (
        Sheet,
        apps.get_model("stats", "SheetFigures"),
        apps.get_model("stats", "SheetFunding"),
    )
    refresh_figures(Sheet.objects.values_list("pk", flat=True), models=models)


class Migration(migrations.Migration):
    dependencies = [("stats", "0001_sheet_figures")]

    operations = [migrations.RunPython(read_all, migrations.RunPython.noop)]
