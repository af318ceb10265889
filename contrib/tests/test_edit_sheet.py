import random
import string

from catalogue.models import ActionSheet, Keyword, PublicationStatus
from contrib import editing
from contrib.models import Autosave, PendingEdit, Revision
from contrib.tests.helpers import ContribTestCase
from essaimage.test import make_sheet


class EditSheetTestCase(ContribTestCase):
    def setUp(self):
        self.url = f"/contribuer/fiches/{self.draft.pk}/modifier/"

    def test_it_shows_the_form_with_senacs_labels(self):
        self.client.force_login(self.alice)
        r = self.client.get(self.url)
        self.assertContains(r, "Café des parents")
        for label in (
            "Statut de l&#x27;action",
            "Mots clés associés à l&#x27;action",
            "Qui est à l&#x27;initiative de l&#x27;action ?",
            "Précision (si autre)",
            "Résultat pour les habitants",
            "Suite de l&#x27;action : Perspectives",
        ):
            self.assertContains(r, label)
        self.assertContains(r, "Fiche remplie à")

    def test_it_warns_when_a_very_close_sheet_exists_in_the_structure(self):
        close = make_sheet(self.adesir, "Le café des parents", year=2021)
        make_sheet(self.marais, "Café des parents")  # another structure: no warning
        self.client.force_login(self.alice)
        r = self.client.get(self.url)
        self.assertContains(r, "Une fiche au titre très proche existe déjà dans cette structure")
        self.assertContains(r, f'<a href="{close.get_absolute_url()}">Le café des parents</a>')
        self.assertContains(r, "Café des parents", count=4)

    def test_it_does_not_warn_without_a_close_sheet(self):
        self.client.force_login(self.alice)
        r = self.client.get(self.url)
        self.assertNotContains(r, "titre très proche")

    def test_it_saves_a_draft(self):
        self.client.force_login(self.alice)
        keyword = Keyword.objects.get(label="Famille")
        data = self.sheet_data(
            self.draft, title="Café des parents du quartier", keywords=[keyword.pk]
        )
        r = self.client.post(self.url, data)
        self.assertRedirects(r, self.url)
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.title, "Café des parents du quartier")
        self.assertEqual(list(self.draft.keywords.all()), [keyword])
        self.assertEqual(self.draft.version, 2)
        self.assertEqual(self.draft.revisions.first().kind, Revision.Kind.SAVED)

    def test_it_hides_other_structures_sheets(self):
        self.client.force_login(self.bob)
        r = self.client.post(self.url, self.sheet_data(self.draft, title="Piraté"))
        self.assertEqual(r.status_code, 404)
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.title, "Café des parents")

    def test_it_requires_login(self):
        r = self.client.get(self.url)
        self.assertRedirects(r, f"/compte/connexion/?next={self.url}")

    def test_it_refuses_a_concurrent_edit_and_keeps_both_texts(self):
        self.client.force_login(self.alice)
        stale = self.sheet_data(self.draft, summary="Texte d'Alice")
        editing.save_draft(self.draft, {"summary": "Texte de Mona"}, self.mona, self.draft.version)
        r = self.client.post(self.url, stale)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Cette fiche a été modifiée par Mona")
        self.assertContains(r, "Texte d&#x27;Alice")  # her text is back in the form
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.summary, "Texte de Mona")
        conflict = self.draft.revisions.get(kind=Revision.Kind.CONFLICT)
        self.assertEqual(conflict.data["summary"], "Texte d'Alice")
        self.assertEqual(conflict.author, self.alice)

    def test_it_autosaves_and_restores_the_draft(self):
        self.client.force_login(self.alice)
        data = self.sheet_data(self.draft, summary="Tapé avant la coupure")
        r = self.client.post(
            f"/contribuer/fiches/{self.draft.pk}/brouillon-auto/",
            data,
            headers={"HX-Request": "true"},
        )
        self.assertContains(r, "Brouillon enregistré automatiquement")
        self.assertContains(r, 'id="completude" class="completeness" hx-swap-oob="true"')
        self.assertNotContains(r, "<html")
        self.assertEqual(Autosave.objects.get().data["summary"], "Tapé avant la coupure")
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.summary, "Un café.")  # not a saved version yet
        # Later, maybe after the session expired: the form comes back as typed.
        self.client.logout()
        self.client.force_login(self.alice)
        r = self.client.get(self.url)
        self.assertContains(r, "Tapé avant la coupure")
        self.assertContains(r, "Nous avons restauré le brouillon")

    def test_an_edit_of_a_published_sheet_waits_for_review(self):
        self.client.force_login(self.alice)
        url = f"/contribuer/fiches/{self.sheet.pk}/modifier/"
        r = self.client.post(url, self.sheet_data(self.sheet, summary="Nouveau résumé"))
        self.assertRedirects(r, url)
        self.sheet.refresh_from_db()
        self.assertEqual(self.sheet.summary, "")
        self.assertTrue(self.sheet.is_published)
        self.assertEqual(
            PendingEdit.objects.get(sheet=self.sheet).data["summary"], "Nouveau résumé"
        )
        r = self.client.get(self.sheet.get_absolute_url())
        self.assertNotContains(r, "Nouveau résumé")
        # The imported original is kept as the first version.
        self.assertTrue(self.sheet.revisions.filter(kind=Revision.Kind.BASELINE).exists())

    def test_it_saves_and_submits(self):
        self.client.force_login(self.alice)
        data = self.sheet_data(self.draft)
        data["then"] = "submit"
        self.client.post(self.url, data)
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.publication_status, PublicationStatus.SUBMITTED)

    def test_it_proposes_a_new_partner_for_review(self):
        from catalogue.models import PartnerKind

        self.client.force_login(self.alice)
        self.client.post(self.url, self.sheet_data(self.draft, new_partner="Ludothèque"))
        partner = PartnerKind.objects.get(label="Ludothèque")
        self.assertTrue(partner.needs_review)
        self.assertIn(partner, ActionSheet.objects.get(pk=self.draft.pk).action_partners.all())

    def test_it_proposes_a_new_keyword_for_review(self):
        self.client.force_login(self.alice)
        self.client.post(self.url, self.sheet_data(self.draft, new_keyword="Jardinage partagé"))
        keyword = Keyword.objects.get(label="Jardinage partagé")
        self.assertTrue(keyword.needs_review)
        self.assertIn(keyword, ActionSheet.objects.get(pk=self.draft.pk).keywords.all())

    def test_a_proposal_with_the_code_of_an_existing_value_maps_onto_it(self):
        from catalogue.models import PartnerKind

        self.client.force_login(self.alice)
        keywords, partners = Keyword.objects.count(), PartnerKind.objects.count()
        for keyword, partner in (("Famille!", "Commune!"), ("Santé?", "« Caf »")):
            self.draft.refresh_from_db()
            r = self.client.post(
                self.url, self.sheet_data(self.draft, new_keyword=keyword, new_partner=partner)
            )
            self.assertRedirects(r, self.url)
        self.assertEqual(Keyword.objects.count(), keywords)
        self.assertEqual(PartnerKind.objects.count(), partners)
        sheet = ActionSheet.objects.get(pk=self.draft.pk)
        self.assertEqual(
            sorted(sheet.keywords.values_list("label", flat=True)), ["Famille", "Santé"]
        )
        self.assertEqual(
            sorted(sheet.action_partners.values_list("label", flat=True)), ["Caf", "Commune"]
        )


class SubmitSheetTestCase(ContribTestCase):
    def setUp(self):
        self.url = f"/contribuer/fiches/{self.draft.pk}/soumettre/"

    def test_it_submits_and_tells_the_territory_moderators(self):
        from django.core import mail

        self.client.force_login(self.alice)
        with self.captureOnCommitCallbacks(execute=True):
            r = self.client.post(self.url)
        self.assertRedirects(r, f"/contribuer/fiches/{self.draft.pk}/modifier/")
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.publication_status, PublicationStatus.SUBMITTED)
        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox), ["mona@example.org", "remi@example.org"]
        )

    def test_it_refuses_a_second_submission_in_french(self):
        self.client.force_login(self.alice)
        self.client.post(self.url)
        r = self.client.post(self.url, follow=True)
        self.assertContains(r, "Cette fiche attend déjà une relecture.")

    def test_it_rejects_get(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.url).status_code, 405)


class NewSheetTestCase(ContribTestCase):
    url = "/contribuer/fiches/nouvelle/"

    def test_it_creates_a_draft_of_my_structure(self):
        self.client.force_login(self.alice)
        r = self.client.post(self.url, {"structure": self.adesir.pk, "title": "Atelier cuisine"})
        sheet = ActionSheet.objects.get(title="Atelier cuisine")
        self.assertRedirects(r, f"/contribuer/fiches/{sheet.pk}/modifier/")
        self.assertEqual(sheet.publication_status, PublicationStatus.DRAFT)
        self.assertEqual(sheet.revisions.get().kind, Revision.Kind.CREATED)
        self.assertEqual(self.client.get(sheet.get_absolute_url()).status_code, 404)

    def test_it_refuses_another_structure(self):
        self.client.force_login(self.alice)
        r = self.client.post(self.url, {"structure": self.marais.pk, "title": "Intrus"})
        self.assertEqual(r.status_code, 200)
        self.assertFalse(ActionSheet.objects.filter(title="Intrus").exists())

    def test_it_sends_people_without_structure_to_join_one(self):
        self.client.force_login(self.charlie)
        self.assertRedirects(self.client.get(self.url), "/contribuer/structures/rejoindre/")


class PreviewSheetTestCase(ContribTestCase):
    def test_it_shows_the_pending_edit_like_the_public_page(self):
        editing.save_draft(
            self.sheet, {"summary": "Résumé en attente"}, self.alice, self.sheet.version
        )
        self.client.force_login(self.alice)
        r = self.client.get(f"/contribuer/fiches/{self.sheet.pk}/apercu/")
        self.assertContains(r, "Résumé en attente")
        self.assertContains(r, "<dt>Résumé</dt>", html=False)

    def test_it_hides_drafts_from_outsiders(self):
        self.client.force_login(self.charlie)
        self.assertEqual(
            self.client.get(f"/contribuer/fiches/{self.draft.pk}/apercu/").status_code, 404
        )


class ExpiredSessionTestCase(ContribTestCase):
    def test_a_save_after_the_session_expired_loses_nothing(self):
        url = f"/contribuer/fiches/{self.draft.pk}/modifier/"
        data = self.sheet_data(self.draft, summary="Écrit pendant une heure")
        r = self.client.post(url, data)  # nobody is logged in any more
        self.assertRedirects(r, f"/compte/connexion/?next={url}", fetch_redirect_response=False)
        r = self.client.post(
            f"/compte/connexion/?next={url}",
            {"username": "alice@example.org", "password": "mot-de-passe-solide-42", "next": url},
        )
        self.assertRedirects(r, url, fetch_redirect_response=False)
        r = self.client.get(url)
        self.assertContains(r, "Écrit pendant une heure")
        self.assertContains(r, "expiration de votre session")

    def test_autosave_says_the_session_expired(self):
        r = self.client.post(
            f"/contribuer/fiches/{self.draft.pk}/brouillon-auto/",
            self.sheet_data(self.draft, summary="Tapé"),
            headers={"HX-Request": "true"},
        )
        self.assertContains(r, "Votre session a expiré")
        self.assertFalse(Autosave.objects.exists())

    def session_bytes(self) -> int:
        from django.contrib.sessions.models import Session

        return sum(len(s.session_data) for s in Session.objects.all())

    def test_anonymous_posts_leave_at_most_a_small_bound_in_sessions(self):
        noise = "".join(random.Random(1).choices(string.ascii_letters, k=2300 * 1024))
        huge = self.sheet_data(self.draft, summary=noise)  # sessions compress what they store
        for _ in range(5):  # 5 × 2.3 MB used to add 11.4 MB to django_session
            self.client.cookies.clear()
            r = self.client.post(
                f"/contribuer/fiches/{self.draft.pk}/brouillon-auto/",
                huge,
                headers={"HX-Request": "true"},
            )
            self.assertContains(r, "Votre session a expiré")
        self.client.cookies.clear()
        self.client.post("/contribuer/fiches/999999/brouillon-auto/", self.sheet_data(self.draft))
        self.assertLess(self.session_bytes(), 4 * 1024)

    def test_an_anonymous_autosave_is_redirected_without_reading_a_large_body(self):
        # Above DATA_UPLOAD_MAX_MEMORY_SIZE: reading it would answer 400.
        body = self.sheet_data(self.draft, summary="x" * (3 * 1024 * 1024))
        r = self.client.post(f"/contribuer/fiches/{self.draft.pk}/brouillon-auto/", body)
        self.assertRedirects(
            r,
            f"/compte/connexion/?next=/contribuer/fiches/{self.draft.pk}/modifier/",
            fetch_redirect_response=False,
        )

    def test_an_autosave_of_a_sheet_one_cannot_edit_is_a_404_before_reading_the_body(self):
        self.client.force_login(self.bob)
        body = self.sheet_data(self.draft, summary="x" * (3 * 1024 * 1024))
        r = self.client.post(f"/contribuer/fiches/{self.draft.pk}/brouillon-auto/", body)
        self.assertEqual(r.status_code, 404)
        self.assertFalse(Autosave.objects.exists())

    def test_a_stash_never_opens_another_structures_sheet(self):
        url = f"/contribuer/fiches/{self.draft.pk}/modifier/"
        self.client.post(url, self.sheet_data(self.draft, summary="x"))
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(url).status_code, 404)
