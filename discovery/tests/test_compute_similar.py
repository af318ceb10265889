"""manage.py compute_similar on the bundled SENACS sample."""

from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from catalogue.models import ActionSheet
from discovery.models import SimilarSheet
from essaimage.test import SAMPLE_PATH
from ingest.importer import import_paths


class ComputeSimilarTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        import_paths([SAMPLE_PATH])

    def run_command(self) -> str:
        out = StringIO()
        call_command("compute_similar", stdout=out)
        return out.getvalue()

    def similar(self, title: str, structure: str) -> list[SimilarSheet]:
        sheet = ActionSheet.objects.get(title=title, structure__name__icontains=structure)
        return list(SimilarSheet.objects.filter(sheet=sheet).select_related("other__structure"))

    def test_it_finds_the_other_cafe_des_parents(self):
        self.run_command()
        links = self.similar("Café des parents", "LA BOBINE")
        found = [link for link in links if link.other.title == "le Café des parents"]
        self.assertEqual(len(found), 1)
        self.assertEqual(found[0].other.structure.name, "MJC DE SOCHAUX")
        self.assertIn("mot clé commun : Parentalité", found[0].reasons)

    def test_it_names_the_shared_values_in_the_reasons(self):
        self.run_command()
        links = self.similar("le Café des parents", "SOCHAUX")
        upp = next(link for link in links if link.other.title.startswith("Université Populaire"))
        self.assertEqual(
            upp.reasons,
            [
                "mots clés communs : Éducation / scolarité, Parentalité",
                "même public : familles",
                "même dimension : Citoyenneté",
            ],
        )

    def test_it_only_links_published_sheets_of_other_structures(self):
        self.run_command()
        links = SimilarSheet.objects.select_related("sheet", "other")
        self.assertTrue(links.exists())
        for link in links:
            self.assertNotEqual(link.sheet.structure_id, link.other.structure_id)
            self.assertTrue(link.other.is_published)
            shared = set(link.sheet.keywords.values_list("label", flat=True)) & set(
                link.other.keywords.values_list("label", flat=True)
            )
            if not shared:
                self.assertFalse(any(r.startswith("mot") for r in link.reasons))

    def test_repair_cafe_is_never_similar_to_itself(self):
        self.run_command()
        for sheet in ActionSheet.objects.filter(title="Repair Café"):
            titles = SimilarSheet.objects.filter(sheet=sheet).values_list("other__title", flat=True)
            self.assertNotIn("Repair Café", list(titles))
            self.assertFalse(SimilarSheet.objects.filter(sheet=sheet, other=sheet).exists())

    def test_it_keeps_at_most_six_per_sheet_best_first(self):
        self.run_command()
        for sheet in ActionSheet.objects.all():
            scores = list(SimilarSheet.objects.filter(sheet=sheet).values_list("score", flat=True))
            self.assertLessEqual(len(scores), 6)
            self.assertEqual(scores, sorted(scores, reverse=True))

    def test_it_rebuilds_lost_lists_and_says_how_many(self):
        self.run_command()
        expected = set(SimilarSheet.objects.values_list("sheet_id", "other_id"))
        SimilarSheet.objects.all().delete()
        out = self.run_command()
        self.assertEqual(set(SimilarSheet.objects.values_list("sheet_id", "other_id")), expected)
        self.assertIn(f"24 fiches publiées, {len(expected)} liens", out)
