"""/api/v1/actions with a place typed in q: the answer names the places it recognised."""

from public.tests.test_sheet_list_places import PlacesCatalogue


class ListActionsPlacesTestCase(PlacesCatalogue):
    url = "/api/v1/actions"

    def test_the_api_says_which_places_it_recognised(self):
        data = self.client.get(self.url, {"q": "jardin en Gironde"}).json()
        self.assertEqual(data["count"], 1)
        self.assertEqual(data["text"], "jardin")
        self.assertEqual(
            data["places"],
            [
                {
                    "kind": "departement",
                    "label": "Gironde",
                    "typed": "en Gironde",
                    "name": "gironde",
                    "filter": "departement",
                    "values": ["33"],
                }
            ],
        )
        self.assertEqual([r["title"] for r in data["results"]], ["Jardin de la Bastide"])

    def test_the_api_keeps_a_place_as_text_on_request(self):
        data = self.client.get(self.url, {"q": "jardin en Gironde", "as_text": "gironde"}).json()
        self.assertEqual((data["count"], data["places"]), (2, []))
        self.assertEqual(data["text"], "jardin en Gironde")

    def test_a_commune_is_a_filter_on_its_structures(self):
        data = self.client.get(self.url, {"q": "jardin à Bordeaux"}).json()
        place = data["places"][0]
        self.assertEqual((place["kind"], place["filter"]), ("commune", "structure"))
        self.assertEqual(place["values"], [str(self.bordeaux.pk)])
        self.assertEqual([r["title"] for r in data["results"]], ["Jardin de la Bastide"])
