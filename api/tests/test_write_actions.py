from django.core.cache import cache

from api import tokens
from catalogue.models import ActionSheet, Keyword, PublicationStatus, Source
from contrib import editing
from contrib.models import Revision
from contrib.tests.helpers import ContribTestCase


class WriteActionsTestCase(ContribTestCase):
    def setUp(self):
        cache.clear()
        _, self.alice_key = tokens.create_token(self.alice, "script")
        _, self.charlie_key = tokens.create_token(self.charlie, "script")
        _, self.mona_key = tokens.create_token(self.mona, "script")

    def post(self, data, key=None):
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return self.client.post(
            "/api/v1/actions", data, content_type="application/json", headers=headers
        )

    def patch(self, pk, data, key=None):
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return self.client.patch(
            f"/api/v1/actions/{pk}", data, content_type="application/json", headers=headers
        )

    def test_it_creates_a_draft_of_the_users_structure(self):
        r = self.post(
            {
                "structure": self.adesir.pk,
                "title": "Atelier vélo",
                "summary": "Réparer ensemble.",
                "keywords": ["mobilité / transport", "Solidarite"],
                "year": 2024,
            },
            self.alice_key,
        )
        self.assertEqual(r.status_code, 201, r.content)
        sheet = ActionSheet.objects.get(pk=r.json()["id"])
        self.assertEqual(sheet.title, "Atelier vélo")
        self.assertEqual(sheet.structure, self.adesir)
        self.assertEqual(sheet.publication_status, PublicationStatus.DRAFT)
        self.assertEqual(sheet.source, Source.API)
        self.assertEqual(sheet.year, 2024)
        self.assertEqual(
            sorted(sheet.keywords.values_list("label", flat=True)),
            ["Solidarité", "mobilité / transport"],
        )
        self.assertEqual(r.json()["publication_status"], "draft")
        self.assertTrue(r.json()["edit_url"].endswith(f"/contribuer/fiches/{sheet.pk}/modifier/"))
        self.assertTrue(Revision.objects.filter(sheet=sheet, author=self.alice).exists())
        # The draft stays invisible to the public API.
        self.assertEqual(self.client.get(f"/api/v1/actions/{sheet.pk}").status_code, 404)

    def test_it_keeps_new_vocabulary_values_for_review(self):
        r = self.post(
            {"structure": self.adesir.pk, "title": "Fiche", "keywords": ["Jardinage urbain"]},
            self.alice_key,
        )
        self.assertEqual(r.status_code, 201)
        self.assertTrue(Keyword.objects.get(label="Jardinage urbain").needs_review)

    def test_it_requires_a_token(self):
        r = self.post({"structure": self.adesir.pk, "title": "Fiche"})
        self.assertEqual(r.status_code, 401)
        self.assertEqual(r.json()["detail"], "Jeton d'API manquant, invalide ou révoqué.")
        r = self.post({"structure": self.adesir.pk, "title": "Fiche"}, "ess_faux")
        self.assertEqual(r.status_code, 401)
        self.assertFalse(ActionSheet.objects.filter(title="Fiche").exists())

    def test_it_refuses_a_revoked_token(self):
        token = self.alice.api_tokens.get()
        tokens.revoke_token(self.alice, token.pk)
        r = self.post({"structure": self.adesir.pk, "title": "Fiche"}, self.alice_key)
        self.assertEqual(r.status_code, 401)

    def test_it_refuses_other_structures(self):
        r = self.post({"structure": self.marais.pk, "title": "Fiche"}, self.alice_key)
        self.assertEqual(r.status_code, 403)
        self.assertEqual(
            r.json()["detail"], "Vous ne pouvez pas créer de fiche pour cette structure."
        )
        r = self.post({"structure": self.adesir.pk, "title": "Fiche"}, self.charlie_key)
        self.assertEqual(r.status_code, 403)
        self.assertFalse(ActionSheet.objects.filter(title="Fiche").exists())

    def test_it_lets_a_moderator_write_in_their_territory(self):
        r = self.post({"structure": self.adesir.pk, "title": "Fiche de Mona"}, self.mona_key)
        self.assertEqual(r.status_code, 201)

    def test_it_validates_in_french(self):
        r = self.post({"structure": self.adesir.pk, "title": ""}, self.alice_key)
        self.assertEqual(r.status_code, 422)
        self.assertEqual(r.json()["errors"][0]["parameter"], "title")
        r = self.post({"title": "Sans structure"}, self.alice_key)
        self.assertEqual(r.status_code, 422)
        self.assertEqual(
            r.json()["errors"], [{"parameter": "structure", "message": "est obligatoire"}]
        )
        r = self.post({"structure": 999999, "title": "Fiche"}, self.alice_key)
        self.assertEqual(r.status_code, 404)
        r = self.client.post(
            "/api/v1/actions",
            "{pas du json",
            content_type="application/json",
            headers={"Authorization": f"Bearer {self.alice_key}"},
        )
        self.assertIn(r.status_code, (400, 422))
        self.assertIn("detail", r.json())

    def test_it_updates_a_draft(self):
        r = self.patch(
            self.draft.pk,
            {"summary": "Un café le samedi.", "version": self.draft.version},
            self.alice_key,
        )
        self.assertEqual(r.status_code, 200, r.content)
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.summary, "Un café le samedi.")
        self.assertEqual(self.draft.title, "Café des parents")
        self.assertEqual(r.json()["version"], self.draft.version)

    def test_it_refuses_a_stale_version(self):
        editing.save_draft(self.draft, {"summary": "Par Mona."}, self.mona)
        r = self.patch(self.draft.pk, {"summary": "Par Alice.", "version": 1}, self.alice_key)
        self.assertEqual(r.status_code, 409)
        self.assertIn("Cette fiche a été modifiée par", r.json()["detail"])
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.summary, "Par Mona.")

    def test_it_keeps_a_published_sheets_public_content(self):
        r = self.patch(
            self.sheet.pk, {"title": "Repair Café 2", "version": self.sheet.version}, self.alice_key
        )
        self.assertEqual(r.status_code, 200)
        self.sheet.refresh_from_db()
        self.assertEqual(self.sheet.title, "Repair Café")
        self.assertEqual(
            self.client.get(f"/api/v1/actions/{self.sheet.pk}").json()["title"], "Repair Café"
        )
        self.assertEqual(r.json()["title"], "Repair Café 2")

    def test_a_proposal_with_the_code_of_an_existing_value_maps_onto_it(self):
        from catalogue.models import PartnerKind

        partners = PartnerKind.objects.count()
        r = self.patch(
            self.draft.pk,
            {
                "financial_partners": ["Commune!"],
                "keywords": ["Famille!", "Santé?"],
                "version": self.draft.version,
            },
            self.alice_key,
        )
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual(PartnerKind.objects.count(), partners)
        self.draft.refresh_from_db()
        self.assertEqual(
            list(self.draft.financial_partners.values_list("label", flat=True)), ["Commune"]
        )
        self.assertEqual(
            sorted(self.draft.keywords.values_list("label", flat=True)), ["Famille", "Santé"]
        )

    def test_it_refuses_a_patch_without_version(self):
        revisions = self.draft.revisions.count()
        r = self.patch(self.draft.pk, {"summary": "Écrasé sans le savoir."}, self.alice_key)
        self.assertEqual(r.status_code, 428)
        self.assertIn("Paramètre « version » manquant", r.json()["detail"])
        self.assertEqual(r.json()["errors"][0]["parameter"], "version")
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.summary, "Un café.")
        self.assertEqual(self.draft.revisions.count(), revisions)
        doc = self.client.get("/api/v1/openapi.json").json()
        self.assertIn("428", doc["paths"]["/api/v1/actions/{sheet_id}"]["patch"]["responses"])

    def test_it_hides_other_structures_sheets(self):
        r = self.patch(self.draft.pk, {"title": "Piraté"}, self.charlie_key)
        self.assertEqual(r.status_code, 404)
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.title, "Café des parents")
        r = self.patch(self.draft.pk, {"title": "Piraté"})
        self.assertEqual(r.status_code, 401)

    def test_it_documents_the_write_endpoints(self):
        doc = self.client.get("/api/v1/openapi.json").json()
        self.assertIn("post", doc["paths"]["/api/v1/actions"])
        self.assertIn("patch", doc["paths"]["/api/v1/actions/{sheet_id}"])
        self.assertIn("bearer", str(doc["components"]["securitySchemes"]).lower())
