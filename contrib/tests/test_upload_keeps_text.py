"""Adding a file on the edit page keeps what the form holds: the upload button submits the
whole edit form, which saves the draft first, then stores the file (no JavaScript needed)."""

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from catalogue.models import Attachment
from contrib.tests.helpers import ContribTestCase
from contrib.tests.test_upload_attachment import MEDIA_ROOT, PDF


@override_settings(MEDIA_ROOT=MEDIA_ROOT)
class UploadKeepsTextTestCase(ContribTestCase):
    def setUp(self):
        self.url = f"/contribuer/fiches/{self.draft.pk}/modifier/"
        self.client.force_login(self.alice)

    def test_the_upload_button_belongs_to_the_edit_form(self):
        html = self.client.get(self.url).content.decode()
        form_id = re.search(r'<form[^>]+id="([^"]+)"[^>]+action="' + re.escape(self.url), html)
        form_id = form_id or re.search(
            r'<form[^>]+action="' + re.escape(self.url) + r'"[^>]+id="([^"]+)"', html
        )
        self.assertIsNotNone(form_id, "the edit form has an id")
        name = form_id.group(1)
        self.assertRegex(html, rf'<input type="file" name="file"[^>]* form="{name}"')
        self.assertRegex(
            html,
            rf'<button type="submit" form="{name}" name="then" value="attach"'
            r' formenctype="multipart/form-data"[^>]*>Ajouter le fichier</button>',
        )

    def test_typed_text_and_file_are_both_saved(self):
        data = self.sheet_data(self.draft, summary="Un café chaque mardi.", year="2024")
        data["then"] = "attach"
        data["file"] = SimpleUploadedFile("bilan.pdf", PDF)
        r = self.client.post(self.url, data, follow=True)
        self.assertContains(r, "Fichier « bilan.pdf » ajouté.")
        self.assertContains(r, "Un café chaque mardi.")
        self.assertContains(r, 'value="2024"')
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.summary, "Un café chaque mardi.")
        self.assertEqual(self.draft.year, 2024)
        self.assertEqual(list(self.draft.attachments.values_list("name", flat=True)), ["bilan.pdf"])

    def test_a_refused_file_keeps_the_text_too(self):
        data = self.sheet_data(self.draft, summary="Texte gardé malgré le refus.")
        data["then"] = "attach"
        data["file"] = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf")
        r = self.client.post(self.url, data, follow=True)
        self.assertContains(r, "Fichier non ajouté")
        self.assertContains(r, "Texte gardé malgré le refus.")
        self.assertFalse(Attachment.objects.exists())

    def test_an_invalid_form_keeps_the_text_and_says_the_file_waits(self):
        data = self.sheet_data(self.draft, title="", summary="Résumé tapé, titre oublié.")
        data["then"] = "attach"
        data["file"] = SimpleUploadedFile("bilan.pdf", PDF)
        r = self.client.post(self.url, data)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Résumé tapé, titre oublié.")
        self.assertContains(r, "choisissez à nouveau le fichier")
        self.assertFalse(Attachment.objects.exists())
