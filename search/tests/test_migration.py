"""Migration 0006 converts an index of the old layout (SQLite: an FTS5 table holding its own copy
of the terms; both: text columns in search_searchdocument) and searches the same after."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase

from catalogue.models import ActionSheet
from catalogue.signals import sheets_changed
from essaimage.test import ensure_reference_data, make_sheet, make_structure
from search.service import SheetQuery, search_sheets
from search.tests.test_indexing import indexed_ids

OLD = ("search", "0005_index_change_log")
NEW = ("search", "0006_terms_stored_once")
QUERIES = ("jardin", "potager partagé", '"aide aux devoirs"', "CAF", "parent*", "repair café")


def answers() -> dict[str, list[int]]:
    return {
        q: [s.pk for s in search_sheets(SheetQuery(q=q), with_facets=False).sheets] for q in QUERIES
    }


def migrate(target) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


def migrate_to_latest() -> None:
    """Every app at its latest migration (0006 and what came after it), as other tests expect."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


class TermsStoredOnceMigrationTestCase(TransactionTestCase):
    def setUp(self):
        ensure_reference_data()  # the flush of an earlier transactional test empties them

    def tearDown(self):
        migrate_to_latest()  # whatever happened, leave the schema as the other tests expect it

    def test_an_old_index_converts_and_searches_the_same(self):
        loiron = make_structure("CHALET DES ÉCHANGES", dep="53", commune="Loiron")
        nancy = make_structure("CENTRE SOCIAL JOLIBOIS", dep="54")
        sheets = [
            make_sheet(loiron, "Jardin partagé", summary="Des potagers au pied des immeubles."),
            make_sheet(nancy, "Aide aux devoirs", summary="Avec la CAF, pour les parents."),
            make_sheet(nancy, "Repair café", summary="Réparer ensemble, un samedi par mois."),
            make_sheet(loiron, "Parentalité", summary="Des jardins et des parents."),
        ]
        sheets_changed.send(sender=None, sheet_ids=[s.pk for s in sheets])
        before = answers()
        self.assertTrue(all(before.values()), before)

        migrate(OLD)
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                # The old layout: search_fts is a plain FTS5 table with the terms as its content.
                cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'search_fts'")
                self.assertNotIn("content", cursor.fetchone()[0])
                cursor.execute("SELECT count(*) FROM search_fts")
                self.assertEqual(cursor.fetchone()[0], len(sheets))
            cursor.execute("UPDATE search_searchdocument SET title = 'texte', body = 'texte'")

        migrate_to_latest()
        self.assertEqual(answers(), before)
        self.assertEqual(indexed_ids(), sorted(s.pk for s in sheets))
        columns = [c.name for c in connection.introspection.get_table_description(
            connection.cursor(), "search_searchdocument"
        )]  # fmt: skip
        self.assertNotIn("title", columns)
        self.assertNotIn("body", columns)
        # The index still follows edits and deletions after the conversion.
        ActionSheet.objects.filter(pk=sheets[0].pk).delete()
        self.assertNotIn(sheets[0].pk, answers()["jardin"])
        self.assertEqual(indexed_ids(), sorted(s.pk for s in sheets[1:]))
