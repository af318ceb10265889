"""The import report lists the probable duplicates it did not merge (issue #14, item 3).

The sample prints "Repair Café" (CENTRE SOCIAL DES MARAIS) twice: same title, structure and
year, so the parser merges the copies ("doublons fusionnés : 1"). Given two years, or a new
title for one copy, they are two sheets: the report must then name the pair for a moderator.
"""

from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from catalogue.models import ActionSheet, PublicationStatus, Structure
from essaimage.test import SAMPLE_PATH, make_sheet
from ingest.importer import import_bytes, import_paths

SAMPLE = SAMPLE_PATH.read_text(encoding="utf-8")
TWO_YEARS = (
    "Les actions des centres sociaux\nNom | Département | Année |\n--- | --- | --- |\n"
    "Repair Café | Ille-et-Vilaine | 2019 |\nRepair Café | Ille-et-Vilaine | 2020 |\n"
)


def retitled_second_copy() -> str:
    """The sample with its second "Repair Café" given another title."""
    first = SAMPLE.index("Actions\nRepair Café\n")
    second = SAMPLE.index("Actions\nRepair Café\n", first + 1)
    return SAMPLE[:second] + SAMPLE[second:].replace(
        "Actions\nRepair Café\n", "Actions\nAtelier de réparation du quartier\n", 1
    )


class ImportReportDuplicatesTestCase(TestCase):
    def test_the_sample_lists_no_probable_duplicate_once_its_copy_is_merged(self):
        report = import_paths([SAMPLE_PATH]).files[0]
        self.assertEqual(report.duplicates, 1)
        self.assertEqual(report.probable_duplicates, [])
        # A second import of the same file changes nothing, so it reports nothing either.
        self.assertEqual(import_paths([SAMPLE_PATH]).files[0].probable_duplicates, [])

    def test_the_duplicated_repair_cafe_imported_without_merging_is_listed(self):
        report = import_bytes((TWO_YEARS + SAMPLE.split("\n", 1)[1]).encode(), name="annees.txt")
        self.assertEqual(report.duplicates, 0)  # two years: not merged
        first, second = ActionSheet.objects.filter(title="Repair Café").order_by("year")
        self.assertEqual((first.year, second.year), (2019, 2020))
        self.assertEqual(
            report.probable_duplicates,
            [
                f"« Repair Café » (n° {first.pk}, 2019) et « Repair Café » (n° {second.pk}, "
                "2020), CENTRE SOCIAL DES MARAIS : même titre, même structure ; textes presque "
                "identiques (100 %), même structure"
            ],
        )
        # Nothing merged or archived behind the moderators' back.
        self.assertEqual(
            ActionSheet.objects.filter(
                title="Repair Café", publication_status=PublicationStatus.PUBLISHED
            ).count(),
            2,
        )

    def test_a_retitled_copy_is_listed_for_its_near_identical_text(self):
        report = import_bytes(retitled_second_copy().encode(), name="renommee.txt")
        self.assertEqual(report.duplicates, 0)
        [line] = report.probable_duplicates
        self.assertIn("« Repair Café »", line)
        self.assertIn("« Atelier de réparation du quartier »", line)
        self.assertRegex(line, r": textes presque identiques \(\d+ %\), même structure$")

    def test_an_imported_sheet_close_to_an_existing_one_is_listed(self):
        marais = Structure.objects.create(name="CENTRE SOCIAL DES MARAIS", departement_id="35")
        existing = make_sheet(marais, "Repair cafés", year=2019)
        report = import_paths([SAMPLE_PATH]).files[0]
        imported = ActionSheet.objects.get(title="Repair Café")
        [line] = report.probable_duplicates
        self.assertIn(f"« Repair cafés » (n° {existing.pk}, 2019)", line)
        self.assertIn(f"« Repair Café » (n° {imported.pk})", line)
        self.assertIn("titre proche", line)

    def test_archived_sheets_and_other_structures_are_left_out(self):
        marais = Structure.objects.create(name="CENTRE SOCIAL DES MARAIS", departement_id="35")
        make_sheet(marais, "Repair Café", publication_status=PublicationStatus.ARCHIVED)
        elsewhere = Structure.objects.create(name="Centre social de Vitré", departement_id="35")
        make_sheet(elsewhere, "Repair Café")
        self.assertEqual(import_paths([SAMPLE_PATH]).files[0].probable_duplicates, [])

    def test_the_command_prints_them_and_a_dry_run_too(self):
        path = self.enterContext(_temporary_file(TWO_YEARS + SAMPLE.split("\n", 1)[1]))
        out = StringIO()
        call_command("import_senacs", path, "--dry-run", stdout=out)
        printed = out.getvalue()
        self.assertIn("  doublon probable, non fusionné : « Repair Café » (n° ", printed)
        self.assertIn(
            "À vérifier : 1 doublon probable non fusionné (même structure, titre ou texte très "
            "proche).",
            printed,
        )
        self.assertEqual(ActionSheet.objects.count(), 0)


def _temporary_file(text: str):
    import tempfile
    from contextlib import contextmanager
    from pathlib import Path

    @contextmanager
    def made():
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "annees.txt"
            path.write_text(text, encoding="utf-8")
            yield str(path)

    return made()
