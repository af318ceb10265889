"""The field's thesaurus: expanded at query time, below the typed words, editable in the admin."""

import io

from django.core.management import call_command
from django.urls import reverse

from catalogue.signals import sheets_changed
from contrib.models import User
from essaimage.test import make_sheet
from search.models import SearchDocument, ThesaurusEntry
from search.service import SheetQuery, search_sheets
from search.tests.base import SearchTestCase


def found(q):
    return search_sheets(SheetQuery(q=q), with_facets=False).sheets


class ThesaurusTestCase(SearchTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.bicyclettes = make_sheet(
            cls.marais, "Atelier bicyclettes", summary="Réparer sa bicyclette avec des bénévoles."
        )
        cls.sortie = make_sheet(
            cls.loiron, "Sortie familiale", summary="Une balade à vélo le long du canal."
        )
        cls.patinette = make_sheet(
            cls.nancy, "Prêt de matériel", summary="Des patinettes prêtées aux enfants."
        )
        sheets_changed.send(
            sender=None, sheet_ids=[cls.bicyclettes.pk, cls.sortie.pk, cls.patinette.pk]
        )
        cls.admin = User.objects.create_superuser("admin@example.org", "motdepasse-solide")

    def test_the_shipped_thesaurus_is_loaded(self):
        self.assertGreater(ThesaurusEntry.objects.count(), 200)
        self.assertTrue(
            ThesaurusEntry.objects.filter(expressions__contains="France Travail").exists()
        )
        self.assertTrue(ThesaurusEntry.objects.filter(kind="sigle", expressions__startswith="CAF,"))

    def test_a_query_finds_a_sheet_only_through_a_synonym(self):
        self.assertNotIn("vélo", self.bicyclettes.title + self.bicyclettes.summary)
        self.assertIn(self.bicyclettes, found("vélo"))

    def test_the_typed_word_ranks_above_a_synonym(self):
        # "vélo" is only in the summary of one sheet; the synonym is in the other's title.
        self.assertEqual(found("vélo")[:2], [self.sortie, self.bicyclettes])
        self.assertEqual(found("bicyclette")[:2], [self.bicyclettes, self.sortie])

    def test_a_moderator_edit_takes_effect_without_reindexing(self):
        indexed = dict(SearchDocument.objects.values_list("pk", "indexed_at"))
        # A word neither the sheets nor the general dictionary (search.dictionary) know.
        self.assertEqual(found("gyropode"), [])
        self.client.force_login(self.admin)
        r = self.client.post(
            reverse("admin:search_thesaurusentry_add"),
            {"kind": "synonymes", "expressions": "gyropode, patinette"},
        )
        self.assertEqual(r.status_code, 302)
        self.assertEqual(found("gyropode"), [self.patinette])
        entry = ThesaurusEntry.objects.get(expressions="gyropode, patinette")
        r = self.client.post(
            reverse("admin:search_thesaurusentry_delete", args=[entry.pk]), {"post": "yes"}
        )
        self.assertEqual(found("gyropode"), [])
        self.assertEqual(dict(SearchDocument.objects.values_list("pk", "indexed_at")), indexed)

    def test_the_admin_lists_the_thesaurus_in_french(self):
        self.client.force_login(self.admin)
        r = self.client.get(reverse("admin:search_thesaurusentry_changelist"), {"q": "potager"})
        self.assertContains(r, "thésaurus")
        self.assertContains(r, "jardin, jardinage, potager")

    def test_the_command_reloads_the_shipped_file(self):
        ThesaurusEntry.objects.all().delete()
        self.assertNotIn(self.bicyclettes, found("vélo"))
        out = io.StringIO()
        call_command("load_thesaurus", stdout=out)
        self.assertIn("Thésaurus chargé", out.getvalue())
        self.assertIn(self.bicyclettes, found("vélo"))
