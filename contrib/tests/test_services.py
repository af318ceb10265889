"""The editing and moderation services as the API calls them (no request involved)."""

from catalogue.models import ActionSheet, Keyword, PublicationStatus, Source
from catalogue.signals import sheets_changed
from contrib import access, editing, moderation
from contrib.models import Revision
from contrib.tests.helpers import ContribTestCase


class SignalCatcher:
    def __init__(self):
        self.ids: list[int] = []

    def __call__(self, sender, sheet_ids, **kwargs):
        self.ids.extend(sheet_ids)


class ServicesTestCase(ContribTestCase):
    def setUp(self):
        self.caught = SignalCatcher()
        sheets_changed.connect(self.caught)
        self.addCleanup(sheets_changed.disconnect, self.caught)

    def test_create_draft_takes_labels_and_sends_the_signal(self):
        sheet = editing.create_draft(
            self.adesir,
            {
                "title": "Atelier",
                "keywords": ["parentalite", "Nouveau thème"],
                "status": "En cours",
            },
            self.alice,
            source=Source.API,
        )
        self.assertEqual(sheet.source, Source.API)
        self.assertEqual(sheet.status.label, "En cours")
        labels = sorted(k.label for k in sheet.keywords.all())
        self.assertEqual(labels, ["Nouveau thème", "Parentalité"])
        self.assertTrue(Keyword.objects.get(label="Nouveau thème").needs_review)
        self.assertIn(sheet.pk, self.caught.ids)

    def test_invalid_data_says_what_and_where_in_french(self):
        with self.assertRaises(editing.InvalidSheetData) as caught:
            editing.create_draft(
                self.adesir, {"title": "", "year": "deux mille", "couleur": "x"}, self.alice
            )
        errors = caught.exception.errors
        self.assertEqual(errors["title"], "le titre est obligatoire.")
        self.assertIn("année", errors["year"])
        self.assertEqual(errors["couleur"], "champ inconnu.")
        self.assertIn("Titre de l'action : le titre est obligatoire.", str(caught.exception))

    def test_save_draft_raises_edit_conflict_and_keeps_the_text(self):
        version = self.draft.version
        editing.save_draft(self.draft, {"summary": "Premier"}, self.mona, version)
        with self.assertRaises(editing.EditConflict):
            editing.save_draft(self.draft, {"summary": "Second"}, self.alice, version)
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.summary, "Premier")
        self.assertEqual(
            self.draft.revisions.get(kind=Revision.Kind.CONFLICT).data["summary"], "Second"
        )

    def test_concurrent_edits_of_a_published_sheet_conflict_too(self):
        version = self.sheet.version
        editing.save_draft(self.sheet, {"summary": "Alice"}, self.alice, version)
        with self.assertRaises(editing.EditConflict):
            editing.save_draft(self.sheet, {"summary": "Mona"}, self.mona, version)
        self.assertEqual(self.sheet.pending_edit.data["summary"], "Alice")

    def test_publishing_sends_the_signal_and_pending_edits_do_not(self):
        editing.save_draft(
            self.sheet, {"summary": "Pas encore public"}, self.alice, self.sheet.version
        )
        self.assertNotIn(self.sheet.pk, self.caught.ids)
        editing.submit(self.sheet, self.alice)
        moderation.publish(self.sheet, self.mona)
        self.assertIn(self.sheet.pk, self.caught.ids)
        self.assertEqual(ActionSheet.objects.get(pk=self.sheet.pk).summary, "Pas encore public")

    def test_workflow_errors_are_french(self):
        with self.assertRaisesMessage(editing.WorkflowError, "aucune modification à relire"):
            editing.submit(self.sheet, self.alice)
        with self.assertRaisesMessage(editing.WorkflowError, "Seule une fiche publiée"):
            moderation.archive(self.draft, self.mona)
        moderation.archive(self.sheet, self.mona)
        with self.assertRaisesMessage(editing.WorkflowError, "archivée"):
            editing.save_draft(self.sheet, {"summary": "x"}, self.alice, self.sheet.version)

    def test_access_answers_for_the_api(self):
        self.assertTrue(access.can_edit(self.alice, self.draft))
        self.assertFalse(access.can_edit(self.bob, self.draft))
        self.assertFalse(access.can_publish(self.alice, self.draft))
        self.assertTrue(access.can_publish(self.remi, self.draft))
        self.assertEqual(set(access.editable_sheets(self.bob)), set())
        self.assertEqual(set(access.editable_sheets(self.alice)), {self.sheet, self.draft})
        self.assertEqual(
            access.viewable_sheets(None).filter(publication_status=PublicationStatus.DRAFT).count(),
            0,
        )


class ReviewQueueQueriesTestCase(ContribTestCase):
    def test_the_queue_costs_a_fixed_number_of_queries(self):
        from contrib.tests.helpers import make_draft

        for n in range(5):
            editing.submit(make_draft(self.adesir, f"Fiche {n}", self.alice), self.alice)
        self.client.force_login(self.mona)
        with self.assertNumQueries(5):
            r = self.client.get("/contribuer/relecture/")
        self.assertEqual(len(r.context["sheets"]), 5)
