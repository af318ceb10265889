"""The memory engine's text index (search/textindex.py) matches exactly as the database does:
same sheets, same ranks (so the same order), same relaxed/widened flags, corrections and
highlighted words; with its size cap, after writes, and from its cache."""

import sys
from unittest import mock

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from bench import synthetic
from catalogue.models import ActionSheet, PublicationStatus
from catalogue.signals import sheets_changed
from essaimage.test import BaseTestCase, make_sheet
from search import textindex
from search.backends import get_backend
from search.engines import memory
from search.engines.base import text_match
from search.query import SheetQuery
from search.service import search_sheets

TEXTS = [
    "parentalite",  # a word and its thesaurus expansions (phrases among them)
    "aide aux devoirs",  # an expression of the thesaurus
    "jardin partagé",  # two words close together
    "famille enfant",
    "seniors isolés",
    "café -repair",  # an exclusion
    "-famille",  # only an exclusion
    '"fête du jeu"',  # a quoted phrase
    "emploi OR logement",
    "numérique OU informatique",
    "numerik",  # a typo
    "parentalitee",
    "jardn partage",
    "caisse d'allocations familiales",
    "jeunes citoyenneté sport culture vacances",  # relaxed or widened
    "épicerie solidaire",
    "xyzzyq",  # nothing
    "grainothèque zéro",
    "comment faire un jardin partagé avec les familles",  # filler words, soft AND
    "jardiner",  # derived forms (jardin, jardinage)
    "réemploi",  # a prefix written solid
    "sortie famille montgolfière",  # a French word no sheet holds
]


def assert_same_match(case, text: str, *, prefix_last: bool = False) -> None:
    slow = text_match(text, prefix_last=prefix_last)
    index = memory.get_index()
    index.matches.entries.clear()
    quick = memory.MemoryEngine(index).text_match(text, prefix_last=prefix_last)
    label = f"{text!r} prefix={prefix_last}"
    if slow is None:  # nothing to search (stop words, lone letters)
        case.assertIsNone(quick, label)
        return
    case.assertEqual(quick.ranks, slow.ranks, label)
    case.assertEqual((quick.relaxed, quick.widened), (slow.relaxed, slow.widened), label)
    case.assertEqual(quick.corrections, slow.corrections, label)
    case.assertEqual(quick.highlight, slow.highlight, label)
    case.assertEqual(quick.missing, slow.missing, label)


class TextIndexTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        synthetic.generate_sheets(600, seed=8, batch_size=300)
        make_sheet(cls.marais, "Grainothèque zéro déchet", summary="Une grainothèque au jardin.")
        cls.draft = make_sheet(
            cls.marais,
            "Atelier zorglub",
            summary="Le zorglub des parents.",
            publication_status=PublicationStatus.DRAFT,
        )
        sheets_changed.send(
            sender=None, sheet_ids=list(ActionSheet.objects.values_list("pk", flat=True))
        )

    def test_the_memory_engine_has_a_text_index(self):
        index = memory.get_index()
        self.assertIsNotNone(index.text)
        self.assertTrue(index.text.complete)
        self.assertIn("parentalite", index.text.terms)
        self.assertNotIn("zorglub", index.text.terms, "a draft's words are not indexed")

    def test_every_text_matches_as_the_database(self):
        for text in TEXTS:
            with self.subTest(text=text):
                assert_same_match(self, text)
                assert_same_match(self, text, prefix_last=True)

    def test_prefixes_match_as_the_database(self):
        for text in ("pa", "jardin pa", "famille enf", "gr", "zo", "é", "ateliers d"):
            with self.subTest(text=text):
                assert_same_match(self, text, prefix_last=True)

    def test_pages_in_relevance_order_are_those_of_the_database(self):
        for text in TEXTS:
            for page in (1, 3):
                query = SheetQuery(q=text)
                slow = search_sheets(query, page=page, per_page=10, fast=False)
                quick = search_sheets(query, page=page, per_page=10, fast=True)
                with self.subTest(text=text, page=page):
                    self.assertEqual(quick.total, slow.total)
                    self.assertEqual([s.pk for s in quick.sheets], [s.pk for s in slow.sheets])
                    self.assertEqual(
                        (quick.relaxed, quick.widened, quick.suggestion),
                        (slow.relaxed, slow.widened, slow.suggestion),
                    )

    def test_a_capped_index_leaves_rare_terms_to_the_database_and_answers_the_same(self):
        with override_settings(SEARCH_TEXT_INDEX_MB=0.02):
            index = memory.build_index(memory.log_state()[0])
            self.assertFalse(index.text.complete)
            self.assertLess(index.text.nbytes, 0.02 * 1024 * 1024)
            with self.subTest("cap"):
                for text in TEXTS:
                    slow = text_match(text)
                    quick = memory.MemoryEngine(index).text_match(text)
                    self.assertEqual(quick.ranks, slow.ranks, text)
                    self.assertEqual(quick.corrections, slow.corrections, text)

    def test_an_index_read_in_small_chunks_is_the_same(self):
        # PostgreSQL reads the postings per chunk of documents: a term's bitmaps are the union
        # of its chunks' (one chunk holds every document of this base by default).
        whole = memory.build_index(memory.log_state()[0]).text
        with mock.patch.object(textindex, "CHUNK_DOCUMENTS", 7):
            index = memory.build_index(memory.log_state()[0])
        self.assertEqual(index.text.terms, whole.terms)
        for text in TEXTS:
            with self.subTest(text=text):
                quick = memory.MemoryEngine(index).text_match(text)
                slow = text_match(text)
                self.assertEqual(quick.ranks if quick else None, slow.ranks if slow else None)

    def test_thesaurus_expressions_hold_the_sheets_the_database_finds(self):
        # PostgreSQL reads them from the words' positions in the pass over the postings,
        # chunk by chunk; SQLite asks its phrase queries. Either way: the sheets and field
        # classes the database's phrase query gives, read in one chunk or in small ones.
        sheets = [
            make_sheet(self.marais, "Aide aux devoirs du soir", summary="Aide aux devoirs."),
            # A phrase split between two fields (title, then summary) is not a phrase.
            make_sheet(self.marais, "Atelier de l'aide", summary="Devoirs et leçons."),
            # Past its 16,383rd word PostgreSQL keeps one position: nothing follows there.
            make_sheet(
                self.marais,
                "Soirée",
                summary="Soirée.",
                description="mot " * 17000 + "aide aux devoirs",
            ),
        ]
        sheets_changed.send(sender=None, sheet_ids=[s.pk for s in sheets])
        phrases = textindex._thesaurus_phrases()
        self.assertIn(("aide", "devoir"), phrases)
        answers = [
            found
            for start in range(0, len(phrases), 100)  # SQLite: 100 per query at most
            for found in get_backend().term_fields(
                [(terms, False) for terms in phrases[start : start + 100]]
            )
        ]
        for chunk in (textindex.CHUNK_DOCUMENTS, 7):
            with mock.patch.object(textindex, "CHUNK_DOCUMENTS", chunk):
                index = memory.build_index(memory.log_state()[0])
            held = 0
            for terms, found in zip(phrases, answers, strict=True):
                expected = textindex._to_positions(found, index.position_array, index.all)
                with self.subTest(terms=terms, chunk=chunk):
                    self.assertEqual(index.text.phrases[terms], expected)
                held += any(expected)
            self.assertGreater(held, 10, "expressions found in the synthetic sheets")

    def test_without_text_index_the_database_matches(self):
        with override_settings(SEARCH_TEXT_INDEX_MB=0):
            index = memory.build_index(memory.log_state()[0])
            self.assertIsNone(index.text)
            quick = memory.MemoryEngine(index).text_match("parentalite")
            self.assertEqual(quick.ranks, text_match("parentalite").ranks)

    def test_words_and_thesaurus_expressions_ask_no_text_query(self):
        engine = memory.MemoryEngine(memory.get_index())
        engine.index.matches.entries.clear()
        with CaptureQueriesContext(connection) as ctx:
            match = engine.text_match("parentalite")  # its expansions hold phrases
        self.assertTrue(match.ranks)
        sql = " ".join(q["sql"] for q in ctx.captured_queries)
        self.assertNotIn("search_fts", sql)
        self.assertNotIn("@@", sql)
        # Two words close together: asked once, then kept with the index.
        engine.text_match("parentalite famille")
        engine.index.matches.entries.clear()
        with CaptureQueriesContext(connection) as ctx:
            engine.text_match("parentalite famille")
        sql = " ".join(q["sql"] for q in ctx.captured_queries)
        self.assertNotIn("search_fts", sql)
        self.assertNotIn("@@", sql)

    def test_a_search_is_evaluated_once_per_index(self):
        index = memory.get_index()
        engine = memory.MemoryEngine(index)
        first = engine.text_match("jardin partagé")
        with CaptureQueriesContext(connection) as ctx:
            again = engine.text_match("jardin partagé")
        self.assertIs(again, first)
        self.assertLessEqual(len(ctx.captured_queries), 1)  # the thesaurus' state

    def test_a_change_gives_a_new_index_and_fresh_matches(self):
        before = search_sheets(SheetQuery(q="grainothèque"), fast=True).total
        sheet = make_sheet(self.marais, "Grainothèque du lundi", summary="Graines partagées.")
        sheets_changed.send(sender=None, sheet_ids=[sheet.pk])
        after = search_sheets(SheetQuery(q="grainothèque"), fast=True)
        self.assertEqual(after.total, before + 1)
        self.assertIn(sheet.pk, [s.pk for s in after.sheets])
        assert_same_match(self, "grainothèque")
        assert_same_match(self, "graines partagees")

    def test_a_draft_neither_matches_nor_is_suggested(self):
        for fast in (True, False):
            with self.subTest(fast=fast):
                result = search_sheets(SheetQuery(q="zorglub"), fast=fast)
                self.assertEqual(result.total, 0)
                self.assertIsNone(search_sheets(SheetQuery(q="zorglubb"), fast=fast).suggestion)

    def test_a_published_sheet_changes_the_words_it_is_found_by(self):
        texts = ("grainothèque zéro", "bibliothèque semences", '"bibliothèque de semences"')
        for text in texts:  # phrases and close words asked once are kept with the index
            memory.MemoryEngine().text_match(text)
        sheet = ActionSheet.objects.get(title="Grainothèque zéro déchet")
        sheet.title = "Bibliothèque de semences"
        sheet.save()
        sheets_changed.send(sender=None, sheet_ids=[sheet.pk])
        self.assertNotIn(sheet.pk, text_match("grainotheque zero").ranks)
        for text in texts:
            with self.subTest(text=text):
                assert_same_match(self, text)
        self.assertIn(sheet.pk, memory.MemoryEngine().text_match("semences").ranks)

    def test_the_match_cache_stays_under_its_byte_bound(self):
        index = memory.get_index()
        index.matches.entries.clear()
        engine = memory.MemoryEngine(index)
        sizes = {text: engine.text_match(text).nbytes for text in ("famille", "jeunes", "culture")}
        largest = max(sizes.values())
        # What a match counts holds its bitmap too, not only its two arrays.
        match = engine.text_match("famille")
        arrays = match._ps.nbytes + match._rank.nbytes
        self.assertEqual(match.nbytes, arrays + sys.getsizeof(match.positions))
        self.assertGreater(sys.getsizeof(match.positions), 64)
        index.matches.entries.clear()
        with mock.patch.object(textindex, "MAX_CACHE_BYTES", largest + 1):
            for text in sizes:
                engine.text_match(text)
                held = sum(m.nbytes for m, _, _ in index.matches.entries.values())
                self.assertLessEqual(held, largest + 1, text)
            self.assertLess(len(index.matches.entries), len(sizes))

    def test_statistics_and_exports_leave_no_dictionary_of_ranks_in_the_cache(self):
        from search.service import iter_sheet_ids, selected_sheets

        query = SheetQuery(q="famille")
        engine = memory.MemoryEngine(memory.get_index())
        match = engine.text_match("famille")
        self.assertEqual(set(selected_sheets(query).values_list("pk", flat=True)), set(match.ids))
        ids = list(iter_sheet_ids(query))
        self.assertEqual(
            ids, [s.pk for s in search_sheets(query, per_page=None, fast=False).sheets]
        )
        self.assertEqual(match.ranks, text_match("famille").ranks)
        # The cached match holds its arrays and bitmap only (a dict of 600,000 ranks at
        # 1,000,000 sheets held ~60 MB that the cache's bound did not see).
        self.assertIs(engine.text_match("famille"), match)
        held = [v for v in vars(match).values() if isinstance(v, dict) and len(v) > 1]
        self.assertGreater(len(match.positions), 1)
        self.assertFalse(held)
