from django.core.cache import cache

from catalogue.models import ActionSheet, PublicationStatus
from catalogue.records import sheet_record
from catalogue.signals import sheets_changed
from essaimage.test import BaseTestCase, make_sheet


class GetActionTestCase(BaseTestCase):
    def setUp(self):
        cache.clear()
        self.url = f"/api/v1/actions/{self.sheet.pk}"

    def test_it_returns_the_canonical_record(self):
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r["Content-Type"], "application/json; charset=utf-8")
        expected = sheet_record(ActionSheet.objects.with_relations().get(pk=self.sheet.pk))
        # The detail record adds the similar sheets (none here: no other sheet shares a topic).
        self.assertEqual(r.json(), {**expected, "similar": []})
        self.assertEqual(r.json()["keywords"], ["intergénérationnel"])
        self.assertEqual(
            r.json()["structure"]["departement"], {"code": "974", "name": "La Réunion"}
        )

    def test_it_lists_similar_sheets_with_reasons(self):
        other = make_sheet(self.marais, "Atelier de réparation", keywords=["intergénérationnel"])
        make_sheet(self.adesir, "Même structure", keywords=["intergénérationnel"])
        hidden = make_sheet(
            self.marais,
            "Brouillon proche",
            keywords=["intergénérationnel"],
            publication_status=PublicationStatus.DRAFT,
        )
        sheets_changed.send(sender=None, sheet_ids=[self.sheet.pk, other.pk, hidden.pk])
        r = self.client.get(self.url)
        self.assertEqual(
            r.json()["similar"],
            [
                {
                    "id": other.pk,
                    "title": "Atelier de réparation",
                    "reasons": ["mot clé commun : Intergénérationnel"],
                }
            ],
        )

    def test_it_hides_unpublished_sheets(self):
        for status in (
            PublicationStatus.DRAFT,
            PublicationStatus.SUBMITTED,
            PublicationStatus.RETURNED,
            PublicationStatus.ARCHIVED,
        ):
            draft = make_sheet(self.adesir, f"Brouillon {status}", publication_status=status)
            r = self.client.get(f"/api/v1/actions/{draft.pk}")
            self.assertEqual(r.status_code, 404)
            self.assertEqual(r.json()["detail"], "Fiche introuvable ou non publiée.")
            self.assertNotContains(r, "Brouillon", status_code=404)

    def test_it_returns_json_404_for_unknown_ids(self):
        r = self.client.get("/api/v1/actions/999999")
        self.assertEqual(r.status_code, 404)
        self.assertEqual(r.json()["detail"], "Fiche introuvable ou non publiée.")

    def test_it_rejects_a_non_numeric_id_in_json(self):
        r = self.client.get("/api/v1/actions/abc")
        self.assertEqual(r.status_code, 422)
        self.assertEqual(
            r.json()["errors"], [{"parameter": "sheet_id", "message": "doit être un nombre entier"}]
        )
        self.assertEqual(self.client.get("/api/v1/actions/-3").status_code, 422)

    def test_it_sends_validators_and_answers_304(self):
        r = self.client.get(self.url)
        self.assertIn("public", r["Cache-Control"])
        self.assertIn("max-age=60", r["Cache-Control"])
        etag, last_modified = r["ETag"], r["Last-Modified"]
        r = self.client.get(self.url, headers={"If-None-Match": etag})
        self.assertEqual(r.status_code, 304)
        r = self.client.get(self.url, headers={"If-Modified-Since": last_modified})
        self.assertEqual(r.status_code, 304)

    def test_it_changes_the_etag_when_a_sheet_changes(self):
        etag = self.client.get(self.url)["ETag"]
        self.sheet.title = "Repair Café du quartier"
        self.sheet.save()
        r = self.client.get(self.url, headers={"If-None-Match": etag})
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json()["title"], "Repair Café du quartier")

    def test_it_forgets_a_withdrawn_sheet_despite_the_etag(self):
        etag = self.client.get(self.url)["ETag"]
        ActionSheet.objects.filter(pk=self.sheet.pk).update(
            publication_status=PublicationStatus.ARCHIVED
        )
        r = self.client.get(self.url, headers={"If-None-Match": etag})
        self.assertEqual(r.status_code, 404)

    def test_it_makes_a_fixed_number_of_queries(self):
        # The sheet with its relations (1 + 6 prefetches), its similar sheets (1), then
        # Last-Modified (3: one indexed MAX each).
        with self.assertNumQueries(11):
            self.client.get(self.url)
