import sys
from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection

from catalogue.models import ActionSheet, Keyword, PartnerKind, Public, PublicationStatus
from catalogue.signals import sheets_changed
from essaimage.test import make_sheet
from search.backends import get_backend
from search.indexing import _WORD, CASEFOLD_SPLITS
from search.models import SearchDocument, SearchWord
from search.service import SheetQuery, search_sheets
from search.tests.base import SearchTestCase


def found(q):
    return search_sheets(SheetQuery(q=q), with_facets=False).sheets


def _vocabulary(cursor) -> None:
    cursor.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_instances "
        "USING fts5vocab(main, search_fts, 'instance')"
    )


def indexed_ids() -> list[int]:
    """Sheets the database's own index holds (SQLite: the FTS5 inverted index, checked first
    against the terms it was built from; PostgreSQL: a non-empty tsvector)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)")
            _vocabulary(cursor)
            cursor.execute("SELECT DISTINCT doc FROM temp.fts_instances ORDER BY doc")
        else:
            cursor.execute(
                "SELECT sheet_id FROM search_searchdocument WHERE vector <> '' ORDER BY sheet_id"
            )
        return [row[0] for row in cursor.fetchall()]


def indexed_title_terms(pk: int) -> str:
    """The terms the index holds for a sheet's title (weight A on PostgreSQL)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            _vocabulary(cursor)
            cursor.execute(
                "SELECT term FROM temp.fts_instances WHERE doc = %s AND col = 'title' "
                "ORDER BY offset",
                [pk],
            )
            return " ".join(row[0] for row in cursor.fetchall())
        cursor.execute(
            "SELECT lexeme FROM search_searchdocument, unnest(vector) "
            "WHERE sheet_id = %s AND 'A' = ANY(weights) ORDER BY positions[1]",
            [pk],
        )
        return " ".join(row[0] for row in cursor.fetchall())


class IndexingTestCase(SearchTestCase):
    def fts_rowids(self):
        """Sheets in the inverted index itself (not the terms table beside it), after FTS5
        checked that index against the terms."""
        return indexed_ids()

    def test_it_indexes_sheets_announced_by_the_signal(self):
        sheet = make_sheet(
            self.marais, "Jardin partagé", summary="Des potagers au pied des immeubles."
        )
        self.assertEqual(found("potager"), [])
        sheets_changed.send(sender=None, sheet_ids=[sheet.pk])
        self.assertEqual(found("potager"), [sheet])

    def test_it_follows_edits(self):
        self.cafe.title = "Goûter des parents"
        self.cafe.save()
        sheets_changed.send(sender=None, sheet_ids=[self.cafe.pk])
        self.assertEqual(found("goûter"), [self.cafe])
        # The old title left the index. (A phrase skips stop words, so "café des parents" still
        # finds the summary's "café pour les parents".)
        self.assertEqual(indexed_title_terms(self.cafe.pk), "gouter parent")
        self.assertNotIn(self.cafe, found('"café des goûter"'))
        self.assertEqual(indexed_ids(), sorted(SearchDocument.objects.values_list("pk", flat=True)))

    def test_it_hides_unpublished_sheets(self):
        self.cafe.publication_status = PublicationStatus.ARCHIVED
        self.cafe.save()
        sheets_changed.send(sender=None, sheet_ids=[self.cafe.pk])
        self.assertNotIn(self.cafe, found("samedi"))
        self.assertNotIn(self.draft, found("brouillon"))

    def test_it_removes_deleted_sheets(self):
        pk = self.cafe.pk
        self.cafe.delete()
        self.assertFalse(SearchDocument.objects.filter(pk=pk).exists())
        self.assertEqual(found("samedi"), [])
        self.assertNotIn(pk, self.fts_rowids())

    def test_it_forgets_ids_of_sheets_that_no_longer_exist(self):
        pk = self.cafe.pk
        ActionSheet.objects.filter(pk=pk).delete()
        sheets_changed.send(sender=None, sheet_ids=[pk])
        self.assertFalse(SearchDocument.objects.filter(pk=pk).exists())

    def test_it_follows_structure_renames(self):
        self.nancy.name = "MAISON DES HABITANTS DU PLATEAU"
        self.nancy.save()
        self.assertEqual(set(found("plateau")), {self.numerique, self.service})
        self.assertEqual(found("jolibois"), [])

    def test_it_follows_keyword_renames(self):
        keyword = Keyword.objects.get(value="precarite")
        keyword.label = "Précarité énergétique"
        keyword.save()
        self.assertEqual(set(found("énergétique")), {self.numerique, self.service})

    def test_it_follows_partner_and_public_renames(self):
        partner = PartnerKind.objects.create(label="Fondation Lumière")
        public = Public.objects.create(label="Aidants familiaux")
        self.cafe.financial_partners.add(partner)
        self.service.publics.add(public)
        sheets_changed.send(sender=None, sheet_ids=[self.cafe.pk, self.service.pk])
        self.assertEqual(found("lumière"), [self.cafe])
        # Renamed anywhere (the admin, a shell): the sheets using it follow.
        partner.label = "Fondation Horizon"
        partner.save()
        public.label = "Proches aidants"
        public.save()
        self.assertEqual(found("horizon"), [self.cafe])
        self.assertEqual(found("lumière"), [])
        self.assertEqual(found("proches aidants"), [self.service])

    def test_it_follows_admin_saves(self):
        admin = get_user_model().objects.create_superuser("admin@example.org", "pw")
        self.client.force_login(admin)
        url = f"/admin/catalogue/actionsheet/{self.cafe.pk}/change/"
        data = {
            "title": "Café des parents",
            "structure": self.marais.pk,
            "summary": "Un café pour les parents.",
            "keywords": [Keyword.objects.get(value="logement").pk],
            "publication_status": "published",
            "attachments-TOTAL_FORMS": "0",
            "attachments-INITIAL_FORMS": "0",
            "attachments-MIN_NUM_FORMS": "0",
            "attachments-MAX_NUM_FORMS": "1000",
        }
        r = self.client.post(url, data)
        self.assertEqual(r.status_code, 302, r.content.decode()[:2000])
        self.assertEqual(found("logement"), [self.cafe])
        self.assertEqual(found("samedi"), [])

    def test_rebuild_command_rebuilds_the_index(self):
        SearchDocument.objects.all().delete()
        self.assertEqual(found("samedi"), [])
        out = StringIO()
        call_command("rebuild_search_index", stdout=out)
        self.assertIn("6 fiches indexées", out.getvalue())
        self.assertEqual(found("samedi"), [self.cafe])
        self.assertEqual(len(self.fts_rowids()), 6)


class AnalyserVersionTestCase(SearchTestCase):
    def test_migrate_reindexes_an_index_built_by_another_analyser(self):
        from search.indexing import ANALYSER_VERSION, ensure_current_index
        from search.models import IndexState

        IndexState.objects.update_or_create(pk=1, defaults={"analyser": "1-snowball"})
        SearchDocument.objects.all().delete()
        get_backend().clear_index()
        self.assertEqual(found("parentalité"), [])
        ensure_current_index()
        self.assertIn(self.parentalite, found("parentalité"))
        self.assertEqual(IndexState.objects.get(pk=1).analyser, ANALYSER_VERSION)


class RememberedWordsTestCase(SearchTestCase):
    """The words kept for suggestions are those of the casefolded texts, as they always were,
    now taken from the analysis' own pass over the texts."""

    def remembered(self, title: str) -> set[tuple[str, str]]:
        SearchWord.objects.all().delete()
        sheet = make_sheet(self.loiron, title)
        sheets_changed.send(sender=None, sheet_ids=[sheet.pk])
        return set(SearchWord.objects.values_list("word", "display"))

    def test_it_keeps_the_casefolded_words(self):
        words = self.remembered("Ateliers PARENTALITÉ Straße Œuvre 2024")
        self.assertLessEqual(
            {("ateliers", "ateliers"), ("parentalite", "parentalité"), ("strasse", "strasse"),
             ("oeuvre", "œuvre")},
            words,
        )  # fmt: skip
        self.assertNotIn("2024", {w for w, _ in words})

    def test_a_casefold_that_splits_a_word_splits_it_as_before(self):
        # "İ" casefolds to "i" and a combining dot, which is no letter: the casefolded text's
        # words are "i" and "stanbul", not "i̇stanbul".
        words = {w for w, _ in self.remembered("İSTANBUL en fête")}
        self.assertIn("stanbul", words)
        self.assertNotIn("istanbul", words)

    def test_the_splitting_characters_are_those_of_unicode(self):
        splits = set()
        for code in range(sys.maxunicode + 1):
            char = chr(code)
            folded = char.casefold()
            if folded != char:
                is_word = bool(_WORD.fullmatch(char))
                if any(bool(_WORD.fullmatch(c)) != is_word for c in folded):
                    splits.add(char)
        self.assertEqual(splits, set(CASEFOLD_SPLITS))
