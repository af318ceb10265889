"""An archived SENACS sheet (imported from data/senacs_pages/): shown under its own labels,
found by the words of its older questions, exported, and a sheet without structure findable."""

import csv
import io
import json
from pathlib import Path

from django.test import TestCase
from django.urls import reverse

from catalogue.models import ActionSheet, Structure
from contrib.tests.helpers import make_user
from ingest.pages_importer import import_pages

PAGES = Path(__file__).resolve().parents[2] / "data" / "senacs_pages"


class ArchivedSheetTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        import_pages([PAGES])
        cls.sortie = ActionSheet.objects.get(senacs_id=469)
        cls.ludotheque = ActionSheet.objects.get(senacs_id=1099)

    def test_the_page_says_it_is_archived_with_the_senacs_address(self):
        r = self.client.get(self.sortie.get_absolute_url())
        self.assertContains(r, "Fiche archivée de SENACS")
        self.assertContains(
            r, '<a href="http://senacs.fr/action/show/469" rel="nofollow noopener">'
        )

    def test_the_older_questions_are_shown_under_their_own_labels(self):
        r = self.client.get(self.sortie.get_absolute_url())
        self.assertContains(
            r, "<h3>Quels furent les facteurs de réussite de cette expérience ?</h3>"
        )
        self.assertContains(r, "la demande de certains habbitants")
        self.assertContains(r, "<h3>Thèmes</h3>", html=True)
        self.assertContains(r, "<li>Promotion de la culture local</li>", html=True)
        # Placeholders are gone.
        self.assertNotContains(r, "Autres ..")

    def test_the_publisher_is_shown_to_moderators_only(self):
        r = self.client.get(self.sortie.get_absolute_url())
        self.assertNotContains(r, "LABOUBI")
        admin = make_user("ada", is_superuser=True, is_staff=True)
        self.client.force_login(admin)
        r = self.client.get(self.sortie.get_absolute_url())
        self.assertContains(r, "Publiée par Hichem LABOUBI")

    def test_a_sheet_without_structure_says_so_and_a_moderator_can_attach_it(self):
        r = self.client.get(self.ludotheque.get_absolute_url())
        self.assertContains(r, "Structure non précisée")
        self.assertNotContains(r, "Rattacher")
        admin = make_user("ada", is_superuser=True, is_staff=True)
        self.client.force_login(admin)
        r = self.client.get(self.ludotheque.get_absolute_url())
        self.assertContains(r, "Rattacher à la structure n°")
        figeac = Structure.objects.get(name="CENTRE SOCIAL ET DE PRÉVENTION DE FIGEAC")
        r = self.client.post(
            reverse("contrib:attach-structure", args=[self.ludotheque.pk]),
            {"structure": figeac.pk},
        )
        self.assertEqual(r.status_code, 302)
        self.ludotheque.refresh_from_db()
        self.assertEqual(self.ludotheque.structure, figeac)

    def test_a_bad_structure_number_gets_a_french_error(self):
        admin = make_user("ada", is_superuser=True, is_staff=True)
        self.client.force_login(admin)
        r = self.client.post(
            reverse("contrib:attach-structure", args=[self.ludotheque.pk]),
            {"structure": "abc"},
            follow=True,
        )
        self.assertContains(r, "Choisissez une structure existante")
        self.ludotheque.refresh_from_db()
        self.assertTrue(self.ludotheque.structure.is_unspecified)

    def test_words_of_the_older_questions_find_the_sheet(self):
        r = self.client.get(reverse("catalogue:sheet-list"), {"q": "habbitants opéras"})
        self.assertContains(r, "Sortie Spinassienne")
        r = self.client.get(reverse("catalogue:sheet-list"), {"q": "Promotion culture local"})
        self.assertContains(r, "Sortie Spinassienne")

    def test_a_sheet_without_structure_is_findable(self):
        r = self.client.get(reverse("catalogue:sheet-list"), {"q": "structure non précisée"})
        self.assertContains(r, "La Ludothèque")
        r = self.client.get(reverse("catalogue:sheet-list"), {"q": "ludothèque"})
        self.assertContains(r, "La Ludothèque")

    def test_exports_carry_the_older_questions(self):
        r = self.client.get(reverse("catalogue:export-json"))
        records = {rec["id"]: rec for rec in json.loads(b"".join(r.streaming_content))}
        archive = records[self.sortie.pk]["archive"]
        self.assertEqual(archive["senacs_id"], 469)
        self.assertEqual(archive["senacs_url"], "http://senacs.fr/action/show/469")
        self.assertEqual(len(archive["sections"]), 3)
        self.assertEqual(
            archive["sections"][2]["label"],
            "Quels furent les facteurs de réussite de cette expérience ?",
        )
        self.assertNotIn("published_by", records[self.sortie.pk])
        r = self.client.get(reverse("catalogue:export-csv"))
        text = b"".join(r.streaming_content).decode("utf-8-sig")
        rows = {row["Identifiant"]: row for row in csv.DictReader(io.StringIO(text), delimiter=";")}
        row = rows[str(self.sortie.pk)]
        self.assertEqual(row["Adresse SENACS (fiche archivée)"], "http://senacs.fr/action/show/469")
        self.assertIn(
            "Quels furent les facteurs de réussite de cette expérience ? : la demande",
            row["Questions de l'ancienne fiche SENACS"],
        )
