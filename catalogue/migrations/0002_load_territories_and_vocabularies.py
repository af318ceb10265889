"""Load the INSEE régions and départements and seed the vocabularies of PRODUCT §3 from catalogue/data."""

import csv
import json
from pathlib import Path

from django.db import migrations
from django.utils.text import slugify

from essaimage.lib.text import normalize_key

DATA = Path(__file__).resolve().parent.parent / "data"


def load(apps, schema_editor):
    Region = apps.get_model("catalogue", "Region")
    Departement = apps.get_model("catalogue", "Departement")
    with open(DATA / "regions.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            Region.objects.update_or_create(code=row["code"], defaults={"name": row["name"]})
    with open(DATA / "departements.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            Departement.objects.update_or_create(
                code=row["code"],
                defaults={
                    "name": row["name"],
                    "region_id": row["region"] or None,
                    "population": int(row["population"]),
                },
            )
    vocabularies = json.loads((DATA / "vocabularies.json").read_text(encoding="utf-8"))
    for model_name, labels in vocabularies.items():
        model = apps.get_model("catalogue", model_name)
        for position, label in enumerate(labels):
            model.objects.update_or_create(
                key=normalize_key(label),
                defaults={"label": label, "value": slugify(label), "position": position},
            )


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
