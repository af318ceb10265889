import json
from io import StringIO

from django.core.management import CommandError, call_command
from django.test import TestCase

from catalogue.models import ActionSheet, Structure
from catalogue.records import RECORD_KEYS
from essaimage.test import SAMPLE_PATH
from ingest.importer import import_paths


def export(*args) -> str:
    out = StringIO()
    call_command("export_actions", *args, stdout=out)
    return out.getvalue()


class ExportActionsTestCase(TestCase):
    def setUp(self):
        import_paths([SAMPLE_PATH])

    def test_it_writes_every_sheet_as_a_canonical_record(self):
        records = json.loads(export())
        self.assertEqual(len(records), 24)
        self.assertEqual(tuple(records[0]), RECORD_KEYS)
        repair = next(r for r in records if r["title"] == "Repair Café")
        self.assertEqual(repair["keywords"], ["intergénérationnel"])
        self.assertEqual(repair["financial_resources"], "1000 €")
        self.assertEqual(repair["financial_partners"], [])
        self.assertIsNone(repair["year"])
        self.assertEqual(
            repair["structure"]["departement"], {"code": "35", "name": "Ille-et-Vilaine"}
        )
        self.assertEqual(repair["structure"]["region"], {"code": "53", "name": "Bretagne"})
        self.assertTrue(repair["url"].endswith(f"/actions/{repair['id']}-repair-cafe/"))

    def test_jsonl_gives_one_record_per_line(self):
        lines = export("--format", "jsonl").splitlines()
        self.assertEqual(len(lines), 24)
        self.assertEqual(json.loads(lines[0])["id"], ActionSheet.objects.order_by("pk").first().pk)

    def test_export_then_restore_into_an_empty_database_gives_the_same_records(self):
        first = export()
        path = self.id() + ".json"
        with open(f"/tmp/{path}", "w", encoding="utf-8") as f:
            f.write(first)
        ActionSheet.objects.all().delete()
        Structure.objects.all().delete()
        self.assertEqual(ActionSheet.objects.count(), 0)
        call_command("import_actions", f"/tmp/{path}", stdout=StringIO())
        self.assertEqual(json.loads(export()), json.loads(first))

    def test_restore_refuses_a_broken_file_and_writes_nothing(self):
        records = json.loads(export())
        records[3].pop("title")
        ActionSheet.objects.all().delete()
        with open("/tmp/broken-export.json", "w", encoding="utf-8") as f:
            json.dump(records, f)
        with self.assertRaises(CommandError) as caught:
            call_command("import_actions", "/tmp/broken-export.json")
        self.assertIn("enregistrement n° 4", str(caught.exception))
        self.assertEqual(ActionSheet.objects.count(), 0)
