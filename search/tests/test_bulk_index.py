"""The bulk writers (SENACS import, synthetic generator) leave the index a rebuild would leave,
and the index rows read as plain rows are those of the sheets read as model instances."""

from django.db import connection

from bench import synthetic
from catalogue.models import ActionSheet, PartnerKind, Public
from catalogue.signals import sheets_changed
from discovery.models import SimilarityProfile
from discovery.similarity import sheet_terms, term_vector
from essaimage.test import SAMPLE_PATH, BaseTestCase
from ingest.importer import import_paths
from search.indexing import build_document, document_terms, rebuild_index
from search.models import SearchWord
from search.service import SheetQuery, search_sheets


def index_rows() -> list[tuple]:
    """Every sheet's stored index row (SQLite: the terms, after FTS5 checked its inverted index
    against them; PostgreSQL: the tsvector)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)")
            cursor.execute(
                "SELECT id, title, keywords, structure, summary, body FROM search_terms ORDER BY id"
            )
        else:
            cursor.execute(
                "SELECT sheet_id, vector::text FROM search_searchdocument ORDER BY sheet_id"
            )
        return cursor.fetchall()


def expected_row(sheet: ActionSheet) -> tuple:
    """The row build_document gives a sheet read with its relations (the reference path)."""
    columns = document_terms(build_document(sheet))
    if connection.vendor == "sqlite":
        return (sheet.pk, *columns)
    from search.backends.postgres import vector_literal

    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::tsvector::text", [vector_literal(columns)])
        return (sheet.pk, cursor.fetchone()[0])


def answers(q: str) -> list[int]:
    return [s.pk for s in search_sheets(SheetQuery(q=q), with_facets=False).sheets]


class BulkIndexTestCase(BaseTestCase):
    def test_import_and_generation_index_as_a_rebuild_does(self):
        sheets_changed.send(sender=None, sheet_ids=[self.sheet.pk])  # the fixture's sheet
        import_paths([SAMPLE_PATH])
        synthetic.generate_sheets(90, seed=4, batch_size=45)
        # Partners and publics go in the "structure" column, in the vocabulary's order.
        sheet = ActionSheet.objects.filter(source_ref__startswith="synth-4-").first()
        sheet.action_partners.add(*PartnerKind.objects.order_by("-pk")[:2])
        sheet.publics.add(*Public.objects.order_by("-pk")[:2])
        sheets_changed.send(sender=None, sheet_ids=[sheet.pk])

        written = index_rows()
        words = sorted(SearchWord.objects.values_list("word", "display"))
        queries = ("parentalité", "aide aux devoirs", "CAF", "jardin partagé", "seniors")
        found = {q: answers(q) for q in queries}
        sheets = ActionSheet.objects.order_by("pk").select_related("structure__departement")
        sheets = sheets.prefetch_related(
            "keywords", "action_partners", "financial_partners", "publics"
        )
        self.assertEqual(len(written), ActionSheet.objects.count())
        self.assertEqual(written, [expected_row(s) for s in sheets])
        self.assertTrue(any(found.values()))
        # The similarity profiles hold the terms of the sheets read as model instances.
        profiles = dict(SimilarityProfile.objects.values_list("sheet_id", "vector"))
        self.assertGreaterEqual(len(profiles), 24 + 90)
        for sheet in ActionSheet.objects.filter(pk__in=profiles):
            self.assertEqual(bytes(profiles[sheet.pk]), term_vector(sheet_terms(sheet)))

        rebuild_index()
        self.assertEqual(index_rows(), written)
        self.assertEqual(sorted(SearchWord.objects.values_list("word", "display")), words)
        self.assertEqual({q: answers(q) for q in queries}, found)

    def test_values_created_after_the_labels_were_read_are_labelled(self):
        from search.indexing import LABELLED_RELATIONS, _documents

        import_paths([SAMPLE_PATH])
        sheet = ActionSheet.objects.filter(keywords__isnull=False, publics__isnull=False).first()
        labels = {name: {} for name in LABELLED_RELATIONS}  # read before any value existed
        self.assertEqual(_documents([sheet.pk], labels), [build_document(sheet)])
