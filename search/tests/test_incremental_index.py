"""The in-memory index follows writes without a full rebuild (search.changes, search.engines.memory):
published sheets that are created, edited, archived or deleted update its bits and orders, and
it keeps answering exactly what the database engine answers. Drafts change nothing."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from bench import synthetic
from catalogue.models import ActionSheet, ActionStatus, Dimension, Keyword, Structure
from contrib import editing, moderation
from contrib.models import User
from essaimage.test import BaseTestCase, make_structure
from search.changes import current_generation, log_state
from search.engines import memory
from search.query import SheetQuery
from search.service import search_sheets
from search.tests.test_fast_path import facets_of
from search.tests.test_text_index import assert_same_match

QUERIES = [
    SheetQuery(),
    SheetQuery(sort="year"),
    SheetQuery(sort="recent"),
    SheetQuery(sort="departement", keywords=["parentalite"]),
    SheetQuery(q="jardin partagé"),
    SheetQuery(q="grainothèque", sort="title"),
    SheetQuery(departement=["35", "974"], sort="title"),
]
TITLES = ["Grainothèque du quartier", "Jardin partagé", "Aide aux devoirs", "Atelier vélo"]
TEXTS = [
    "grainothèque",
    "jardin partagé parents",
    "aide aux devoirs",
    "atelier velo",
    "grainoteque",
]
OPERATIONS = ["create", "edit", "pending", "archive", "delete"]


def assert_same_answers(case, context: str) -> None:
    for query in QUERIES:
        slow = search_sheets(query, page=2, per_page=10, fast=False)
        quick = search_sheets(query, page=2, per_page=10, fast=True)
        label = f"{context} {query.querystring()}"
        case.assertEqual(quick.total, slow.total, label)
        case.assertEqual([s.pk for s in quick.sheets], [s.pk for s in slow.sheets], label)
        case.assertEqual(facets_of(quick), facets_of(slow), label)
    # The text index followed too: same sheets, ranks, flags and corrections as the database.
    case.assertIsNotNone(memory.get_index().text)
    for text in TEXTS:
        assert_same_match(case, text)


def make_people():
    author = User.objects.create_user("autrice@example.org", "mot-de-passe-solide-42")
    moderator = User.objects.create_user("moderateur@example.org", "mot-de-passe-solide-42")
    return author, moderator


class IncrementalIndexTestCase(HypothesisTestCase):
    @classmethod
    def setUpTestData(cls):
        synthetic.generate_sheets(200, seed=5, batch_size=200)
        cls.author, cls.moderator = make_people()
        cls.structures = [
            make_structure("Centre social du Lac", dep="35"),
            make_structure("Maison des familles", dep="974"),
        ]

    def content(self, data, title: str) -> dict:
        keywords = list(Keyword.objects.order_by("pk").values_list("pk", flat=True)[:12])
        return {
            "title": f"{title} {data.draw(st.integers(1, 99))}",
            "summary": f"{title} : une action au jardin partagé, pour les parents.",
            "year": data.draw(st.one_of(st.none(), st.integers(2010, 2026))),
            "keywords": data.draw(st.lists(st.sampled_from(keywords), max_size=3)),
            "status": data.draw(
                st.sampled_from([None, *ActionStatus.objects.values_list("pk", flat=True)])
            ),
            "dimension": data.draw(
                st.sampled_from([None, *Dimension.objects.values_list("pk", flat=True)])
            ),
        }

    @settings(
        max_examples=12,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def test_random_writes_are_followed_without_a_rebuild(self, data):
        memory.get_index()  # built (or rebuilt after the previous example's rollback)
        builds = memory.builds
        token = log_state()[0]
        operations = data.draw(st.lists(st.sampled_from(OPERATIONS), min_size=1, max_size=6))
        for step, operation in enumerate(operations):
            published = list(ActionSheet.objects.published().order_by("pk"))
            sheet = data.draw(st.sampled_from(published))
            title = data.draw(st.sampled_from(TITLES))
            if operation == "create":
                structure = data.draw(st.sampled_from(self.structures))
                draft = editing.create_draft(structure, self.content(data, title), self.author)
                moderation.publish(draft, self.moderator)
            elif operation in ("edit", "pending"):
                editing.save_draft(sheet, self.content(data, title), self.author, sheet.version)
                if operation == "edit":
                    moderation.publish(sheet, self.moderator)
            elif operation == "archive":
                moderation.archive(sheet, self.moderator)
            else:
                sheet.delete()
            assert_same_answers(self, f"after {operations[: step + 1]}")
        self.assertEqual(log_state()[0], token, "no write above needs a full rebuild")
        self.assertEqual(memory.builds, builds, "the index followed without a full rebuild")


class DraftSaveTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.author, cls.moderator = make_people()

    def test_a_draft_save_does_not_change_the_index_generation(self):
        memory.get_index()
        before = current_generation()
        builds = memory.builds
        draft = editing.create_draft(self.adesir, {"title": "Atelier cuisine"}, self.author)
        editing.save_draft(draft, {"title": "Atelier cuisine du lundi"}, self.author, 1)
        editing.submit(draft, self.author)
        # The published sheet's edit waits for a moderator: the public sheet is unchanged.
        editing.save_draft(self.sheet, {"title": "Repair Café du jeudi"}, self.author, None)
        editing.autosave(self.sheet, {"title": "Repair…"}, self.author, self.sheet.version)
        self.assertEqual(current_generation(), before)
        self.assertEqual(search_sheets(SheetQuery(q="cuisine")).total, 0)
        self.assertEqual(memory.builds, builds)

    def test_publishing_moves_the_generation_without_a_rebuild(self):
        memory.get_index()
        before = current_generation()
        builds = memory.builds
        draft = editing.create_draft(self.marais, {"title": "Atelier cuisine"}, self.author)
        moderation.publish(draft, self.moderator)
        self.assertNotEqual(current_generation(), before)
        result = search_sheets(SheetQuery(q="cuisine"), fast=True)
        self.assertEqual([s.pk for s in result.sheets], [draft.pk])
        self.assertEqual(memory.builds, builds)

    def test_renaming_a_structure_rebuilds(self):
        index = memory.get_index()
        Structure.objects.filter(pk=self.adesir.pk).update(name="ADESIR 974")
        self.adesir.refresh_from_db()
        self.adesir.save()
        self.assertIsNot(memory.get_index(), index)
        result = search_sheets(SheetQuery(structure=[self.adesir.pk]), fast=True)
        self.assertIn("ADESIR 974", result.facets["structure"][0].label)
