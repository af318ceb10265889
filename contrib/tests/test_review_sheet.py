from django.core import mail

from catalogue.models import PublicationStatus
from contrib import editing, moderation
from contrib.models import PendingEdit, Revision
from contrib.tests.helpers import ContribTestCase, make_draft

CONFIRMED = {"confirmation": "oui"}


class ReviewSheetTestCase(ContribTestCase):
    def setUp(self):
        editing.submit(self.draft, self.alice)
        self.url = f"/contribuer/relecture/{self.draft.pk}/"

    def test_it_lists_the_territory_queue_oldest_first(self):
        later = make_draft(self.adesir, "Atelier vélo", self.alice)
        editing.submit(later, self.alice)
        elsewhere = make_draft(self.marais, "Jardin partagé", self.bob)
        editing.submit(elsewhere, self.bob)
        self.client.force_login(self.mona)
        r = self.client.get("/contribuer/relecture/")
        self.assertEqual([s.pk for s in r.context["sheets"]], [self.draft.pk, later.pk])
        self.assertNotContains(r, "Jardin partagé")

    def test_it_shows_the_changes_since_the_published_version(self):
        editing.save_draft(
            self.sheet, {"summary": "Réparer ensemble"}, self.alice, self.sheet.version
        )
        editing.submit(self.sheet, self.alice)
        self.client.force_login(self.mona)
        r = self.client.get(f"/contribuer/relecture/{self.sheet.pk}/")
        self.assertContains(r, "<dt>Résumé</dt>", html=False)
        self.assertContains(
            r,
            '<ins><span class="visually-hidden">[ajouté : </span>Réparer ensemble<span',
            html=False,
        )

    def test_it_publishes_and_tells_the_author(self):
        self.client.force_login(self.mona)
        with self.captureOnCommitCallbacks(execute=True):
            r = self.client.post(f"/contribuer/relecture/{self.draft.pk}/publier/", CONFIRMED)
        self.assertEqual(r.status_code, 302)
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.publication_status, PublicationStatus.PUBLISHED)
        self.assertIsNotNone(self.draft.published_at)
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["alice@example.org"])
        self.assertIn("publiée", mail.outbox[0].subject)
        r = self.client.get(self.draft.get_absolute_url())
        self.assertContains(r, "Café des parents")

    def test_it_returns_with_a_comment(self):
        self.client.force_login(self.mona)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                f"/contribuer/relecture/{self.draft.pk}/renvoyer/",
                {"comment": "Ajoutez le public.", **CONFIRMED},
            )
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.publication_status, PublicationStatus.RETURNED)
        self.assertIn("Ajoutez le public.", mail.outbox[0].body)
        self.client.force_login(self.alice)
        r = self.client.get(f"/contribuer/fiches/{self.draft.pk}/modifier/")
        self.assertContains(r, "Ajoutez le public.")

    def test_it_requires_a_comment_to_return(self):
        self.client.force_login(self.mona)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                f"/contribuer/relecture/{self.draft.pk}/renvoyer/", {"comment": " ", **CONFIRMED}
            )
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.publication_status, PublicationStatus.SUBMITTED)
        self.assertEqual(mail.outbox, [])

    def test_it_requires_a_moderator_of_the_territory(self):
        self.client.force_login(self.alice)
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 403)
        self.client.force_login(self.nina)
        r = self.client.post(f"/contribuer/relecture/{self.draft.pk}/publier/", CONFIRMED)
        self.assertEqual(r.status_code, 404)
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.publication_status, PublicationStatus.SUBMITTED)

    def test_it_rejects_get_on_publish(self):
        self.client.force_login(self.mona)
        r = self.client.get(f"/contribuer/relecture/{self.draft.pk}/publier/")
        self.assertEqual(r.status_code, 405)

    def test_the_published_version_stays_visible_until_the_edit_is_accepted(self):
        editing.save_draft(self.sheet, {"title": "Repair Café 2"}, self.alice, self.sheet.version)
        editing.submit(self.sheet, self.alice)
        self.assertContains(
            self.client.get(self.sheet.get_absolute_url(), follow=True), "Repair Café"
        )
        moderation.return_with_comment(self.sheet, self.mona, "Titre ?")
        self.sheet.refresh_from_db()
        self.assertEqual(self.sheet.title, "Repair Café")
        self.assertEqual(PendingEdit.objects.get().state, PendingEdit.State.RETURNED)
        editing.submit(self.sheet, self.alice)
        moderation.publish(self.sheet, self.mona)
        self.sheet.refresh_from_db()
        self.assertEqual(self.sheet.title, "Repair Café 2")
        self.assertFalse(PendingEdit.objects.exists())
        self.assertEqual(self.sheet.revisions.first().kind, Revision.Kind.PUBLISHED)

    def test_it_archives(self):
        self.client.force_login(self.remi)  # région La Réunion covers 974
        self.client.post(f"/contribuer/relecture/{self.sheet.pk}/archiver/", CONFIRMED)
        self.sheet.refresh_from_db()
        self.assertEqual(self.sheet.publication_status, PublicationStatus.ARCHIVED)
        self.assertEqual(self.client.get(self.sheet.get_absolute_url()).status_code, 404)


class MergeSheetTestCase(ContribTestCase):
    def test_it_offers_likely_duplicates_to_choose_from(self):
        duplicate = make_draft(self.adesir, "Repair Café", self.alice)
        outside = make_draft(self.marais, "Repair Café", self.bob)
        self.client.force_login(self.mona)
        r = self.client.get(f"/contribuer/relecture/{duplicate.pk}/")
        # The stored probable duplicates (discovery), in the moderator's territory only: not
        # every other sheet of the structure.
        self.assertContains(r, f'name="target" value="{self.sheet.pk}"')
        self.assertContains(r, "même titre")
        self.assertNotContains(r, f'name="target" value="{self.draft.pk}"')
        self.assertNotContains(r, f'name="target" value="{outside.pk}"')
        self.assertNotContains(r, f'name="target" value="{duplicate.pk}"')
        r = self.client.get(f"/contribuer/relecture/{duplicate.pk}/", {"doublon": "parents"})
        self.assertContains(r, f'name="target" value="{self.draft.pk}"')
        self.assertNotContains(r, f'name="target" value="{self.sheet.pk}"')

    def test_the_comment_belongs_to_returning_not_to_publishing(self):
        self.client.force_login(self.mona)
        r = self.client.get(f"/contribuer/relecture/{self.draft.pk}/")
        html = r.content.decode()
        publish = html.index("<h3>Publier</h3>")
        give_back = html.index("<h3>Renvoyer à l'auteur</h3>")
        comment = html.index("Commentaire pour l")
        self.assertLess(publish, give_back)
        self.assertLess(give_back, comment)

    def test_it_merges_a_duplicate(self):
        duplicate = make_draft(
            self.adesir, "Repair café (doublon)", self.alice, summary="Objets réparés."
        )
        self.client.force_login(self.mona)
        r = self.client.post(
            f"/contribuer/relecture/{duplicate.pk}/fusionner/", {"target": self.sheet.pk}
        )
        self.assertRedirects(r, f"/contribuer/relecture/{self.sheet.pk}/")
        duplicate.refresh_from_db()
        self.sheet.refresh_from_db()
        self.assertEqual(duplicate.publication_status, PublicationStatus.ARCHIVED)
        self.assertEqual(self.sheet.summary, "Objets réparés.")
        self.assertEqual(self.sheet.title, "Repair Café")
        self.assertEqual(duplicate.revisions.first().merged_into, self.sheet)

    def test_it_refuses_a_target_outside_the_territory(self):
        outside = make_draft(self.marais, "Ailleurs", self.bob)
        self.client.force_login(self.mona)
        self.client.post(
            f"/contribuer/relecture/{self.draft.pk}/fusionner/", {"target": outside.pk}
        )
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.publication_status, PublicationStatus.DRAFT)


class ForbiddenPageTestCase(ContribTestCase):
    def test_it_explains_a_refusal_in_french(self):
        self.client.force_login(self.alice)
        r = self.client.get(
            f"/contribuer/relecture/{self.draft.pk}/", headers={"Accept-Language": "en"}
        )
        self.assertEqual(r.status_code, 403)
        self.assertContains(
            r, "Seul un modérateur de ce territoire peut faire cela.", status_code=403
        )
