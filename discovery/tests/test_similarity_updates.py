"""The similar lists follow catalogue.signals.sheets_changed: publication, edit, archive."""

from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from catalogue.models import PublicationStatus
from catalogue.signals import sheets_changed
from discovery.models import SimilarSheet
from discovery.similarity import update_sheets
from essaimage.test import BaseTestCase, make_sheet, make_structure
from public.tests.test_export_jobs import run_worker

SIMILAR_TASK = "discovery.tasks.update_similar"


class SimilarityUpdatesTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.loiron = make_structure("CHALET DES ÉCHANGES", dep="53")
        cls.cafe = make_sheet(
            cls.marais,
            "Papothèque des parents",
            keywords=["Parentalité"],
            summary="Un lieu où les parents échangent sur l'éducation des enfants.",
        )
        cls.ludo = make_sheet(cls.adesir, "Ludothèque", keywords=["Culture"])

    def others(self, sheet) -> list[int]:
        return list(SimilarSheet.objects.filter(sheet=sheet).values_list("other_id", flat=True))

    def publish_new(self, **fields):
        sheet = make_sheet(self.loiron, "Rencontres de parents", **fields)
        sheets_changed.send(sender=None, sheet_ids=[sheet.pk])
        return sheet

    def test_a_published_sheet_enters_its_neighbours_lists(self):
        sheets_changed.send(sender=None, sheet_ids=[self.cafe.pk, self.ludo.pk])
        self.assertEqual(self.others(self.cafe), [])
        new = self.publish_new(
            keywords=["Parentalité"], summary="Les parents parlent de l'éducation des enfants."
        )
        self.assertEqual(self.others(new), [self.cafe.pk])
        self.assertEqual(self.others(self.cafe), [new.pk])
        self.assertEqual(self.others(self.ludo), [])

    def test_an_edit_that_removes_the_common_topic_removes_the_link(self):
        new = self.publish_new(keywords=["Parentalité"])
        self.assertEqual(self.others(self.cafe), [new.pk])
        new.keywords.clear()
        new.title = "Soirée jeux"
        new.summary = "Des jeux de société."
        new.save()
        update_sheets([new.pk])
        self.assertEqual(self.others(self.cafe), [])
        self.assertEqual(self.others(new), [])

    def test_an_archived_sheet_leaves_every_list(self):
        new = self.publish_new(keywords=["Parentalité"])
        new.publication_status = PublicationStatus.ARCHIVED
        new.save()
        sheets_changed.send(sender=None, sheet_ids=[new.pk])
        self.assertFalse(SimilarSheet.objects.filter(other=new).exists())
        self.assertFalse(SimilarSheet.objects.filter(sheet=new).exists())

    def test_a_better_sheet_pushes_the_weakest_out_of_a_full_list(self):
        weak = []
        for i in range(6):
            structure = make_structure(f"Structure {i}", dep="35")
            weak.append(make_sheet(structure, f"Fiche {i}", keywords=["Parentalité", "Culture"]))
        sheets_changed.send(sender=None, sheet_ids=[self.cafe.pk, *(s.pk for s in weak)])
        self.assertEqual(len(self.others(self.cafe)), 6)
        twin = self.publish_new(
            keywords=["Parentalité"],
            summary="Un lieu où les parents échangent sur l'éducation des enfants.",
        )
        listed = self.others(self.cafe)
        self.assertEqual(len(listed), 6)
        self.assertEqual(listed[0], twin.pk)


class SimilarityInBackgroundTestCase(BaseTestCase):
    """By default the job worker (`manage.py db_worker`) updates the lists, not the request."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.cafe = make_sheet(
            cls.marais,
            "Papothèque des parents",
            keywords=["Parentalité"],
            summary="Un lieu où les parents échangent sur l'éducation des enfants.",
        )
        update_sheets([cls.cafe.pk])

    def setUp(self):
        # Over the test settings (conftest.py), which update in the request.
        background = override_settings(SIMILAR_IN_BACKGROUND=True)
        background.enable()
        self.addCleanup(background.disable)

    def test_publishing_queues_the_update_and_the_worker_makes_it(self):
        new = make_sheet(
            self.adesir,
            "Rencontres de parents",
            keywords=["Parentalité"],
            summary="Les parents parlent de l'éducation des enfants.",
        )
        sheets_changed.send(sender=None, sheet_ids=[new.pk])
        self.assertFalse(SimilarSheet.objects.filter(sheet=new).exists())
        self.assertEqual(DBTaskResult.objects.ready().filter(task_path=SIMILAR_TASK).count(), 1)
        run_worker()
        self.assertEqual(
            list(SimilarSheet.objects.filter(sheet=new).values_list("other_id", flat=True)),
            [self.cafe.pk],
        )
        self.assertTrue(SimilarSheet.objects.filter(sheet=self.cafe, other=new).exists())

    def test_a_draft_saved_queues_nothing(self):
        draft = make_sheet(self.adesir, "Brouillon", publication_status=PublicationStatus.DRAFT)
        sheets_changed.send(sender=None, sheet_ids=[draft.pk])
        # (Its probable duplicates are refreshed: discovery.tests.test_duplicate_pairs.)
        self.assertFalse(DBTaskResult.objects.filter(task_path=SIMILAR_TASK).exists())
