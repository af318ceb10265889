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

    def test_a_selection_of_one_sheet_draws_no_chart(self):
        r = self.client.get("/statistiques/", {"departement": self.reunion.code})
        self.assertEqual(r.context["stats"].total_sheets, 1)
        self.assertNotContains(r, 'class="bar-fill"')
        self.assertContains(r, "Une seule fiche dans la sélection : La Réunion.")

    def test_a_field_nobody_filled_says_so_in_one_line(self):
        r = self.client.get("/statistiques/")
        self.assertContains(r, "Aucune fiche de la sélection ne renseigne ce champ.")
