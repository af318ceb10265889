from django.core.cache import cache

from catalogue.models import PublicationStatus, Structure
from essaimage.test import BaseTestCase, make_sheet, make_structure


class ListStructuresTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.hidden = make_structure("STRUCTURE SANS FICHE PUBLIEE", dep="13")
        make_sheet(cls.hidden, "Brouillon secret", publication_status=PublicationStatus.DRAFT)
        make_sheet(cls.marais, "Café des parents")
        make_sheet(cls.marais, "Jardin partagé")

    def setUp(self):
        cache.clear()

    def test_it_lists_structures_with_published_sheets(self):
        r = self.client.get("/api/v1/structures")
        self.assertEqual(r.status_code, 200)
        data = r.json()
        self.assertEqual(data["count"], 2)
        by_name = {s["name"]: s for s in data["results"]}
        self.assertEqual(set(by_name), {"ADESIR", "CENTRE SOCIAL DES MARAIS"})
        self.assertEqual(by_name["CENTRE SOCIAL DES MARAIS"]["sheet_count"], 2)
        self.assertEqual(by_name["ADESIR"]["type"], "cs")
        self.assertEqual(by_name["ADESIR"]["region"], {"code": "04", "name": "La Réunion"})
        self.assertNotContains(r, "SANS FICHE")

    def test_it_filters_by_departement(self):
        r = self.client.get("/api/v1/structures?departement=35")
        self.assertEqual([s["name"] for s in r.json()["results"]], ["CENTRE SOCIAL DES MARAIS"])

    def test_it_paginates(self):
        r = self.client.get("/api/v1/structures?page_size=1&page=2")
        data = r.json()
        self.assertEqual((data["count"], data["num_pages"], data["page"]), (2, 2, 2))
        self.assertEqual([s["name"] for s in data["results"]], ["CENTRE SOCIAL DES MARAIS"])
        r = self.client.get("/api/v1/structures?page_size=1&page=9")
        self.assertEqual(r.json()["results"], [])

    def test_it_rejects_bad_pagination_in_french(self):
        r = self.client.get("/api/v1/structures?page=zero")
        self.assertEqual(r.status_code, 422)
        self.assertEqual(
            r.json()["errors"], [{"parameter": "page", "message": "doit être un nombre entier"}]
        )
        self.assertIn("Paramètre « page » invalide", r.json()["detail"])
        r = self.client.get("/api/v1/structures?page_size=501")
        self.assertEqual(r.status_code, 422)
        self.assertEqual(r.json()["errors"][0]["message"], "doit être inférieur ou égal à 500")

    def test_it_shows_one_structure_and_its_published_sheets(self):
        make_sheet(self.adesir, "Brouillon ADESIR", publication_status=PublicationStatus.SUBMITTED)
        r = self.client.get(f"/api/v1/structures/{self.adesir.pk}")
        self.assertEqual(r.status_code, 200)
        data = r.json()
        self.assertEqual(data["name"], "ADESIR")
        self.assertEqual([s["title"] for s in data["sheets"]], ["Repair Café"])
        self.assertTrue(data["url"].endswith(self.adesir.get_absolute_url()))

    def test_it_hides_structures_without_published_sheets(self):
        r = self.client.get(f"/api/v1/structures/{self.hidden.pk}")
        self.assertEqual(r.status_code, 404)
        self.assertEqual(r.json()["detail"], "Structure introuvable.")


class DirectoryStructuresTestCase(BaseTestCase):
    """Structures of the SENACS directory are listed with or without sheets, with their card."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.figeac = make_structure(
            "CENTRE SOCIAL DE FIGEAC",
            dep="46",
            senacs_url="https://senacs.fr/structure/csx?page=8",
            address="8 place vival",
            postcode="46100",
            commune="Figeac",
            commune_code="46102",
            siret="21460102300010",
            website="http://www.ville-figeac.fr",
            email="jeanne.martin@ville-figeac.fr",
        )

    def setUp(self):
        cache.clear()

    def test_a_directory_structure_without_sheets_is_listed_with_its_contact_fields(self):
        results = self.client.get("/api/v1/structures?departement=46").json()["results"]
        self.assertEqual([s["name"] for s in results], ["CENTRE SOCIAL DE FIGEAC"])
        data = self.client.get(f"/api/v1/structures/{self.figeac.pk}").json()
        self.assertEqual(data["sheets"], [])
        self.assertEqual(
            (data["address"], data["postcode"], data["commune"], data["commune_code"]),
            ("8 place vival", "46100", "Figeac", "46102"),
        )
        self.assertEqual(
            (data["siret"], data["website"]), ("21460102300010", "http://www.ville-figeac.fr")
        )
        # An address not given for publication (it may name a person) stays out.
        self.assertEqual(data["email"], "")

    def test_the_data_inclusion_export_carries_them(self):
        records = {s["id"]: s for s in self.client.get("/api/v1/structures.di.json").json()}
        record = records[f"essaimage--{self.figeac.pk}"]
        self.assertEqual(
            (record["code_insee"], record["siret"], record["code_postal"], record["adresse"]),
            ("46102", "21460102300010", "46100", "8 place vival"),
        )
        self.assertNotIn("courriel", record)
        Structure.objects.filter(pk=self.figeac.pk).update(email_is_public=True)
        cache.clear()
        records = {s["id"]: s for s in self.client.get("/api/v1/structures.di.json").json()}
        self.assertEqual(
            records[f"essaimage--{self.figeac.pk}"]["courriel"], "jeanne.martin@ville-figeac.fr"
        )


class DepartementsTestCase(BaseTestCase):
    def test_it_lists_every_departement_with_counts(self):
        make_sheet(self.adesir, "Brouillon", publication_status=PublicationStatus.DRAFT)
        make_sheet(self.adesir, "Jardin")
        r = self.client.get("/api/v1/departements")
        data = {d["code"]: d for d in r.json()}
        self.assertGreaterEqual(len(data), 101)
        self.assertEqual(data["974"]["sheet_count"], 2)
        self.assertEqual(data["974"]["structure_count"], 1)
        self.assertEqual(data["35"]["sheet_count"], 0)
        self.assertEqual(data["2A"]["name"], "Corse-du-Sud")
        self.assertEqual(data["35"]["region"]["name"], "Bretagne")


class VocabulariesTestCase(BaseTestCase):
    def test_it_lists_vocabularies_with_counts_of_published_sheets(self):
        make_sheet(
            self.adesir, "Brouillon", keywords=["intergénérationnel"], publication_status="draft"
        )
        r = self.client.get("/api/v1/vocabularies")
        vocabularies = {v["name"]: v for v in r.json()}
        self.assertEqual(
            list(vocabularies),
            [
                "status",
                "dimension",
                "keywords",
                "initiators",
                "territory",
                "publics",
                "action_partners",
                "financial_partners",
            ],
        )
        keywords = {v["label"]: v for v in vocabularies["keywords"]["values"]}
        self.assertEqual(keywords["intergénérationnel"]["count"], 1)
        self.assertEqual(keywords["Viellissement"]["count"], 0)
        self.assertEqual(vocabularies["status"]["label"], "Statut de l'action")
        self.assertEqual(
            [v["label"] for v in vocabularies["dimension"]["values"]],
            ["Services", "Accompagnement de projets", "Citoyenneté"],
        )


class DataInclusionTestCase(BaseTestCase):
    def test_it_validates_against_the_data_inclusion_schema(self):
        from data_inclusion.schema.v1 import Structure as DiStructure

        Structure.objects.filter(pk=self.marais.pk).update(
            is_federation_member=True,
            siret="12345678901234",
            postcode="35000",
            commune="Rennes",
            website="https://marais.example.org",
            email="contact@marais.example.org",
        )
        make_sheet(self.marais, "Café des parents")
        tiny = make_structure("AB", dep="13")
        make_sheet(tiny, "Fiche")
        r = self.client.get("/api/v1/structures.di.json")
        self.assertEqual(r.status_code, 200)
        data = r.json()
        self.assertEqual(len(data), 3)
        for item in data:
            DiStructure.model_validate(item, context={"ignore_warnings": False})
        marais = next(s for s in data if s["id"] == f"essaimage--{self.marais.pk}")
        self.assertEqual(marais["reseaux_porteurs"], ["fcsf"])
        self.assertEqual(marais["siret"], "12345678901234")
        self.assertEqual(marais["source"], "essaimage")
        # Contact e-mails are not published (they may name a person).
        self.assertNotIn("courriel", marais)
        adesir = next(s for s in data if s["nom"] == "ADESIR")
        self.assertNotIn("reseaux_porteurs", adesir)


class NulCharactersTestCase(BaseTestCase):
    def test_it_refuses_nul_characters_on_every_read_endpoint(self):
        for url in ("/api/v1/structures", "/api/v1/departements", "/api/v1/vocabularies"):
            r = self.client.get(url + "?departement=a%00")
            self.assertEqual(r.status_code, 400, url)
            self.assertEqual(r.json()["errors"][0]["parameter"], "departement")
