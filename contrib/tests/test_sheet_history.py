import tempfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from catalogue.models import Keyword, Public
from contrib import editing, moderation
from contrib.models import Revision
from contrib.tests.helpers import ContribTestCase

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="essaimage-test-"))
class SheetHistoryTestCase(ContribTestCase):
    def test_it_lists_every_version_with_author(self):
        editing.save_draft(self.draft, {"summary": "Deux"}, self.alice, self.draft.version)
        self.client.force_login(self.alice)
        r = self.client.get(f"/contribuer/fiches/{self.draft.pk}/historique/")
        self.assertContains(r, "Création")
        self.assertContains(r, "Enregistrement")
        self.assertContains(r, "Alice")
        self.assertNotContains(r, "Restaurer cette version")

    def test_it_restores_an_old_version_exactly(self):
        famille = Keyword.objects.get(label="Famille")
        enfance = Public.objects.get(label="Enfance")
        upload = SimpleUploadedFile("bilan.pdf", PDF, content_type="application/pdf")
        attachment = editing.add_attachment(self.draft, upload, self.alice)
        editing.save_draft(
            self.draft,
            {
                "summary": "Version A\n- ligne",
                "keywords": [famille],
                "publics": [enfance.pk],
                "year": 2021,
            },
            self.alice,
            self.draft.version,
        )
        self.draft.refresh_from_db()
        version_a = editing.snapshot(self.draft)
        revision_a = self.draft.revisions.first()
        editing.save_draft(
            self.draft,
            {"summary": "Version B", "keywords": [], "year": None},
            self.alice,
            self.draft.version,
        )
        editing.remove_attachment(self.draft, attachment, self.alice)
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.attachments.filter(removed_at=None).count(), 0)

        self.client.force_login(self.mona)
        url = f"/contribuer/fiches/{self.draft.pk}/historique/{revision_a.pk}/"
        self.assertContains(self.client.get(url), "Restaurer cette version")
        r = self.client.post(url + "restaurer/", {"confirmation": "oui"})
        self.assertEqual(r.status_code, 302)
        self.draft.refresh_from_db()
        self.assertEqual(editing.snapshot(self.draft), version_a)
        self.assertEqual(self.draft.summary, "Version A\n- ligne")
        self.assertEqual(list(self.draft.attachments.filter(removed_at=None)), [attachment])
        self.assertEqual(self.draft.revisions.first().kind, Revision.Kind.RESTORED)

    def test_contributors_cannot_restore(self):
        first = self.draft.revisions.last()
        editing.save_draft(self.draft, {"summary": "Deux"}, self.alice, self.draft.version)
        self.client.force_login(self.alice)
        r = self.client.post(f"/contribuer/fiches/{self.draft.pk}/historique/{first.pk}/restaurer/")
        self.assertEqual(r.status_code, 403)
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.summary, "Deux")

    def test_an_imported_sheet_can_go_back_to_its_original(self):
        editing.save_draft(self.sheet, {"title": "Autre titre"}, self.alice, self.sheet.version)
        moderation.publish(self.sheet, self.mona)
        baseline = self.sheet.revisions.get(kind=Revision.Kind.BASELINE)
        moderation.restore(self.sheet, baseline, self.mona)
        self.sheet.refresh_from_db()
        self.assertEqual(self.sheet.title, "Repair Café")
        self.assertEqual(editing.snapshot(self.sheet), baseline.data)
