"""Publishing, returning, archiving and restoring ask for confirmation first, without
JavaScript: the first POST shows what will happen; only the confirmed POST acts."""

import re

from catalogue.models import PublicationStatus
from contrib import editing
from contrib.tests.helpers import ContribTestCase


class ConfirmActionsTestCase(ContribTestCase):
    def setUp(self):
        editing.submit(self.draft, self.alice)
        self.review = f"/contribuer/relecture/{self.draft.pk}"
        self.client.force_login(self.mona)

    def confirm(self, response, url: str) -> dict:
        """The confirmation page's form: it posts back to `url` with what was sent first."""
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn(f'action="{url}"', html)
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
        fields.pop("csrfmiddlewaretoken", None)
        self.assertEqual(fields.get("confirmation"), "oui")
        self.assertRegex(html, r'<a href="[^"]+"[^>]*>Annuler</a>')
        return fields

    def test_publishing_asks_first(self):
        url = f"{self.review}/publier/"
        r = self.client.post(url)
        self.assertContains(r, "Publier « Café des parents » ?")
        self.assertContains(r, "visible de tous")
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.publication_status, PublicationStatus.SUBMITTED)
        r = self.client.post(url, self.confirm(r, url))
        self.assertEqual(r.status_code, 302)
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.publication_status, PublicationStatus.PUBLISHED)

    def test_returning_asks_first_and_keeps_the_comment(self):
        url = f"{self.review}/renvoyer/"
        r = self.client.post(url, {"comment": "Ajoutez <b>le public</b>."})
        self.assertContains(r, "Renvoyer « Café des parents » à ses auteurs ?")
        self.assertContains(r, "Ajoutez &lt;b&gt;le public&lt;/b&gt;.")
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.publication_status, PublicationStatus.SUBMITTED)
        fields = self.confirm(r, url)
        self.assertEqual(fields["comment"], "Ajoutez &lt;b&gt;le public&lt;/b&gt;.")
        r = self.client.post(url, {**fields, "comment": "Ajoutez <b>le public</b>."})
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.publication_status, PublicationStatus.RETURNED)

    def test_archiving_asks_first(self):
        url = f"/contribuer/relecture/{self.sheet.pk}/archiver/"
        r = self.client.post(url)
        self.assertContains(r, "Archiver « Repair Café » ?")
        self.sheet.refresh_from_db()
        self.assertEqual(self.sheet.publication_status, PublicationStatus.PUBLISHED)
        self.client.post(url, self.confirm(r, url))
        self.sheet.refresh_from_db()
        self.assertEqual(self.sheet.publication_status, PublicationStatus.ARCHIVED)

    def test_restoring_asks_first(self):
        first = self.draft.revisions.last()
        editing.save_draft(self.draft, {"summary": "Deux"}, self.alice, self.draft.version)
        url = f"/contribuer/fiches/{self.draft.pk}/historique/{first.pk}/restaurer/"
        r = self.client.post(url)
        self.assertContains(r, f"Restaurer la version {first.version}")
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.summary, "Deux")
        self.client.post(url, self.confirm(r, url))
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.summary, "Un café.")

    def test_the_confirmation_page_still_checks_rights(self):
        self.client.force_login(self.nina)
        r = self.client.post(f"{self.review}/publier/")
        self.assertEqual(r.status_code, 404)
