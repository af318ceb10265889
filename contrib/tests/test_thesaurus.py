"""National administrators edit the search thesaurus (every search in France uses it);
moderators read it. The next search uses a change."""

from catalogue.signals import sheets_changed
from contrib.tests.helpers import ContribTestCase
from essaimage.test import make_sheet
from search.models import ThesaurusEntry

URL = "/contribuer/vocabulaire/thesaurus/"


class ThesaurusTestCase(ContribTestCase):
    def setUp(self):
        self.sheet = make_sheet(
            self.adesir, "Atelier tricot solidaire", summary="Des aiguilles et de la laine."
        )
        sheets_changed.send(sender=None, sheet_ids=[self.sheet.pk])

    def found(self, q: str) -> list[int]:
        return [s.pk for s in self.client.get("/actions/", {"q": q}).context["result"].sheets]

    def test_it_requires_a_moderator(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(URL).status_code, 403)
        r = self.client.post(URL, {"kind": "synonymes", "expressions": "tricot, crochet"})
        self.assertEqual(r.status_code, 403)
        self.assertFalse(ThesaurusEntry.objects.filter(expressions__contains="crochet").exists())

    def test_a_departement_moderator_reads_but_does_not_edit_it(self):
        entry = ThesaurusEntry.objects.create(expressions="tricot, crochet")
        self.client.force_login(self.mona)
        r = self.client.get(URL)
        self.assertContains(r, "tricot, crochet")
        self.assertContains(r, "seuls les administrateurs nationaux le modifient")
        self.assertNotContains(r, "Ajouter le groupe")
        self.assertNotContains(r, f"{URL}{entry.pk}/supprimer/")
        r = self.client.post(URL, {"kind": "synonymes", "expressions": "zorglub, zorglab"})
        self.assertEqual(r.status_code, 403)
        self.assertFalse(ThesaurusEntry.objects.filter(expressions__contains="zorglub").exists())
        r = self.client.post(f"{URL}{entry.pk}/", {"kind": "synonymes", "expressions": "a, b"})
        self.assertEqual(r.status_code, 403)
        self.assertEqual(self.client.post(f"{URL}{entry.pk}/supprimer/").status_code, 403)
        entry.refresh_from_db()
        self.assertEqual(entry.expressions, "tricot, crochet")

    def test_an_added_group_is_used_by_the_next_search(self):
        self.assertNotIn(self.sheet.pk, self.found("crochet"))
        self.client.force_login(self.ada)
        r = self.client.post(URL, {"kind": "synonymes", "expressions": " tricot ,crochet, , "})
        self.assertRedirects(r, URL)
        entry = ThesaurusEntry.objects.get(expressions="tricot, crochet")
        self.assertIn(self.sheet.pk, self.found("crochet"))
        listed = self.client.get(URL, {"q": "croch"})
        self.assertContains(listed, "1 groupe contenant « croch »")
        self.assertContains(listed, "tricot, crochet")

        r = self.client.post(
            f"{URL}{entry.pk}/", {"kind": "synonymes", "expressions": "tricot, laine"}
        )
        self.assertRedirects(r, URL)
        self.assertNotIn(self.sheet.pk, self.found("crochet"))

        self.client.post(f"{URL}{entry.pk}/supprimer/")
        self.assertFalse(ThesaurusEntry.objects.filter(pk=entry.pk).exists())

    def test_bad_groups_are_refused_in_french(self):
        self.client.force_login(self.ada)
        count = ThesaurusEntry.objects.count()
        for expressions, message in (
            ("tricot", "Il faut au moins deux expressions différentes"),
            ("tricot, Tricot", "Il faut au moins deux expressions différentes"),
            ("tricot, les des", "ne contient aucun mot cherchable"),
            ("tricot, " + "x" * 201, "est trop longue"),
        ):
            r = self.client.post(URL, {"kind": "synonymes", "expressions": expressions})
            self.assertContains(r, message, status_code=400)
        r = self.client.post(URL, {"kind": "inconnu", "expressions": "tricot, crochet"})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(ThesaurusEntry.objects.count(), count)

    def test_what_moderators_wrote_is_escaped(self):
        entry = ThesaurusEntry.objects.create(expressions="<script>x</script>, tricot")
        self.client.force_login(self.ada)
        r = self.client.get(URL, {"q": "<script>"})
        self.assertNotContains(r, "<script>x</script>")
        self.assertContains(r, "&lt;script&gt;x&lt;/script&gt;, tricot")
        self.assertEqual(self.client.get(f"{URL}{entry.pk + 1000}/").status_code, 404)


class ThesaurusHierarchyTestCase(ContribTestCase):
    """A "générique" group: the broader term finds the narrower ones, not the reverse at full
    weight, and narrower terms never each other."""

    def setUp(self):
        self.tricot = make_sheet(self.adesir, "Atelier tricot", summary="Aiguilles et laine.")
        self.broderie = make_sheet(self.adesir, "Atelier broderie", summary="Fils et motifs.")
        self.loisirs = make_sheet(self.adesir, "Travaux d'aiguille", summary="Loisirs créatifs.")
        sheets_changed.send(
            sender=None, sheet_ids=[self.tricot.pk, self.broderie.pk, self.loisirs.pk]
        )

    def found(self, q: str) -> list[int]:
        return [s.pk for s in self.client.get("/actions/", {"q": q}).context["result"].sheets]

    def test_broader_finds_narrower_and_siblings_stay_apart(self):
        self.client.force_login(self.ada)
        r = self.client.post(
            URL,
            {"kind": "générique", "expressions": " loisirs créatifs >tricot ,  broderie"},
        )
        self.assertRedirects(r, URL)
        self.assertTrue(
            ThesaurusEntry.objects.filter(expressions="loisirs créatifs > tricot, broderie")
        )
        broader = self.found("loisirs créatifs")
        self.assertEqual(broader[0], self.loisirs.pk)  # typed words first
        self.assertLessEqual({self.tricot.pk, self.broderie.pk}, set(broader))
        # A narrower term finds the broader sheet after its own, never its sibling.
        self.assertEqual(self.found("tricot"), [self.tricot.pk, self.loisirs.pk])

    def test_bad_hierarchies_are_refused_in_french(self):
        self.client.force_login(self.ada)
        count = ThesaurusEntry.objects.count()
        for kind, expressions, message in (
            ("générique", "tricot, broderie", "le signe « &gt; » puis les termes spécifiques"),
            ("générique", "> tricot", "Écrivez le terme générique avant"),
            ("générique", "loisirs, couture > tricot", "Un seul terme générique"),
            ("générique", "loisirs > ", "au moins un terme spécifique"),
            ("générique", "loisirs > loisir", "à la fois générique et spécifique"),
            ("synonymes", "loisirs > tricot", "ne sert que pour un groupe"),
        ):
            with self.subTest(expressions):
                r = self.client.post(URL, {"kind": kind, "expressions": expressions})
                self.assertContains(r, message, status_code=400)
        self.assertEqual(ThesaurusEntry.objects.count(), count)
