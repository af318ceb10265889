import json

import jsonschema_rs
from django.core.cache import cache

from catalogue import exports
from catalogue.models import ActionSheet
from essaimage.test import BaseTestCase


class DatapackageTestCase(BaseTestCase):
    def setUp(self):
        cache.clear()

    def test_it_describes_every_csv_column(self):
        r = self.client.get("/api/v1/datapackage.json")
        self.assertEqual(r.status_code, 200)
        package = r.json()
        csv_resource = package["resources"][0]
        self.assertEqual(csv_resource["dialect"]["delimiter"], ";")
        self.assertEqual(csv_resource["encoding"], "utf-8-sig")
        fields = csv_resource["schema"]["fields"]
        header = next(exports.write_csv([])).removeprefix("\ufeff").strip().split(";")
        self.assertEqual([f["name"] for f in fields], header)
        by_key = {f["x-record-key"]: f for f in fields}
        self.assertEqual(by_key["year"]["type"], "integer")
        self.assertEqual(by_key["created_at"]["format"], "%d/%m/%Y %H:%M")
        self.assertIn("séparées par « | »", by_key["keywords"]["description"])
        self.assertEqual(
            by_key["financial_resources"]["title"],
            "Ressources financières mobilisées pour cette action",
        )
        for field in fields:
            self.assertTrue(field["description"], field["name"])

    def test_it_publishes_the_record_schema_and_the_json_export_follows_it(self):
        schema = self.client.get("/api/v1/schemas/action.json").json()
        self.assertEqual(schema["$schema"], "https://json-schema.org/draft/2020-12/schema")
        sheets = ActionSheet.objects.published().with_relations()
        data = json.loads("".join(exports.write_json(sheets)))
        self.assertEqual(len(data), 1)
        validator = jsonschema_rs.Draft202012Validator(schema)
        for record in data:
            validator.validate(record)
        self.assertFalse(validator.is_valid(dict(data[0], keywords="pas une liste")))
        self.assertFalse(validator.is_valid({k: v for k, v in data[0].items() if k != "url"}))


class DocsTestCase(BaseTestCase):
    def test_it_serves_the_openapi_document(self):
        r = self.client.get("/api/v1/openapi.json")
        self.assertEqual(r.status_code, 200)
        doc = r.json()
        self.assertTrue(doc["openapi"].startswith("3."))
        self.assertIn("/api/v1/actions", doc["paths"])
        self.assertIn("/api/v1/actions/{sheet_id}", doc["paths"])
        params = {p["name"] for p in doc["paths"]["/api/v1/actions"]["get"]["parameters"]}
        self.assertTrue(
            {"q", "departement", "keywords", "year", "sort", "page", "page_size"} <= params
        )

    def test_it_serves_human_docs_in_french_within_the_site(self):
        r = self.client.get("/api/v1/docs")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, '<html lang="fr">')
        self.assertContains(r, "<code>GET /api/v1/actions</code>", html=True)
        self.assertContains(r, "Recherche en texte libre.")
        self.assertContains(r, "paramètre mal formé")
        self.assertContains(r, 'href="/api/v1/openapi.json"')
        # The site's header and footer lead back to the catalogue.
        self.assertContains(r, 'class="brand" href="/"')
        self.assertNotContains(r, "cdn.jsdelivr")
        self.assertNotContains(r, "Unprocessable Entity")
