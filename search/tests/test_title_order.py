"""Titles sort by their first letter, not by the quotes or brackets some start with."""

from catalogue.signals import sheets_changed
from essaimage.test import BaseTestCase, make_sheet


class TitleOrderTestCase(BaseTestCase):
    def test_leading_quotes_do_not_put_a_title_first(self):
        sheets = [
            make_sheet(self.adesir, "« Zumba » pour tous"),
            make_sheet(self.adesir, '"Bricolage" au centre'),
            make_sheet(self.adesir, "Atelier couture"),
            make_sheet(self.adesir, "(Re)découvrir le quartier"),
        ]
        sheets_changed.send(sender=None, sheet_ids=[s.pk for s in sheets])
        r = self.client.get("/actions/", {"sort": "title", "page_size": 100})
        titles = [s.title for s in r.context["result"].sheets]
        self.assertEqual(
            titles,
            [
                "Atelier couture",
                '"Bricolage" au centre',
                "(Re)découvrir le quartier",
                "Repair Café",
                "« Zumba » pour tous",
            ],
        )
