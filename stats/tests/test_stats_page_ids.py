"""Every id on the statistics page is unique: a duplicate id mislabels a section."""

import re
from collections import Counter

from essaimage.test import BaseTestCase


class StatsPageIdsTestCase(BaseTestCase):
    def test_ids_are_unique(self):
        r = self.client.get("/statistiques/")
        ids = Counter(re.findall(r'\sid="([^"]+)"', r.content.decode()))
        self.assertEqual([i for i, n in ids.items() if n > 1], [])

    def test_the_people_field_is_named_in_the_feminine(self):
        r = self.client.get("/statistiques/")
        self.assertNotContains(r, "personnes mobilisés")

    def test_the_regions_map_names_every_departement_s_region(self):
        r = self.client.get("/statistiques/", {"vue": "regions"})
        self.assertContains(r, "Île-de-France : 0 fiche (Paris)")
        self.assertContains(r, "Corse : 0 fiche (Corse-du-Sud)")
        self.assertNotContains(r, "Hors région")
