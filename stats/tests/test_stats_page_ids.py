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
