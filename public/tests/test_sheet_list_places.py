"""/actions/ with a place typed in the box: the "Lieu reconnu" chip, its removal, the facet,
the feed, the alert e-mail and the API answer (search/places.py)."""

import html
from xml.etree import ElementTree

from django.core import mail
from django.core.cache import cache

from catalogue.models import ActionSheet
from catalogue.signals import sheets_changed
from discovery.models import SearchAlert
from essaimage.test import BaseTestCase, make_sheet, make_structure
from search import places

ATOM = "{http://www.w3.org/2005/Atom}"


class PlacesCatalogue(BaseTestCase):
    """Sheets in Gironde, Ille-et-Vilaine (naming Gironde) and the Cher."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.bordeaux = make_structure("CS BASTIDE", dep="33", commune="Bordeaux")
        cls.bourges = make_structure("CS DU VAL", dep="18", commune="<b>Bourges</b>")
        cls.jardin_33 = make_sheet(cls.bordeaux, "Jardin de la Bastide", summary="Un potager.")
        cls.jardin_35 = make_sheet(
            cls.marais, "Jardin des Marais", summary="Des graines venues de Gironde."
        )
        cls.repas = make_sheet(cls.bourges, "Repas solidaire", summary="Un repas partagé.")
        sheets_changed.send(sender=None, sheet_ids=ActionSheet.objects.values_list("pk", flat=True))

    def setUp(self):
        places.clear_cache()
        cache.clear()


class SheetListPlacesTestCase(PlacesCatalogue):
    url = "/actions/"

    def test_it_shows_a_removable_chip_for_a_recognised_place(self):
        r = self.client.get(self.url, {"q": "jardin en Gironde"})
        self.assertContains(r, "1 fiche")
        self.assertContains(r, "Jardin de la Bastide")
        self.assertNotContains(r, "Jardin des Marais")
        self.assertContains(r, "Lieu reconnu : <strong>Gironde</strong> (département)")
        self.assertContains(
            r,
            '<a href="/actions/?q=jardin+en+Gironde&amp;as_text=gironde" '
            'hx-get="/actions/?q=jardin+en+Gironde&amp;as_text=gironde" class="chip-remove">'
            '<span aria-hidden="true">×</span>'
            '<span class="visually-hidden">Retirer le lieu Gironde</span></a>',
            html=True,
        )
        # The box keeps what was typed; the search was for the other words.
        self.assertContains(r, 'value="jardin en Gironde"')
        self.assertContains(r, "<html")

    def test_removing_the_chip_searches_the_word_as_text(self):
        r = self.client.get(self.url, {"q": "jardin en Gironde", "as_text": "gironde"})
        self.assertNotContains(r, "Lieu reconnu")
        # As text, "Gironde" finds the sheet that names it and the sheet of a Gironde structure.
        self.assertContains(r, "Jardin des Marais")
        self.assertContains(r, "Jardin de la Bastide")
        self.assertContains(r, "« gironde » est cherché comme texte, pas comme lieu.")
        self.assertContains(r, '<input type="hidden" name="as_text" value="gironde">', html=True)
        self.assertContains(r, 'hx-get="/actions/?q=jardin+en+Gironde">Le chercher comme lieu</a>')

    def test_the_facet_shows_the_place_ticked_but_not_submitted(self):
        r = self.client.get(self.url, {"q": "jardin en Gironde"})
        self.assertContains(
            r, '<input type="checkbox" id="f-departement-33" checked disabled>', html=True
        )
        self.assertContains(r, "· lieu reconnu")
        self.assertNotContains(r, 'name="departement" value="33"')
        # No second chip: the département filter is the place's.
        self.assertNotContains(r, 'data-chip="departement:33"')

    def test_links_carry_the_typed_text_not_the_filter(self):
        r = self.client.get(self.url, {"q": "jardin en Gironde", "page_size": "10"})
        self.assertNotContains(r, "departement=33")
        self.assertContains(r, 'href="/actions/export.csv?q=jardin+en+Gironde"')

    def test_a_ticked_departement_stays_with_a_typed_place(self):
        r = self.client.get(self.url, {"q": "jardin en Gironde", "departement": "35"})
        self.assertContains(r, "Jardin de la Bastide")
        self.assertContains(r, "Jardin des Marais")
        self.assertContains(r, 'data-chip="departement:35"')
        self.assertContains(r, 'data-place="departement:gironde"')

    def test_a_place_only_query_lists_the_places_sheets(self):
        r = self.client.get(self.url, {"q": "dans le Cher"})
        self.assertContains(r, "1 fiche")
        self.assertContains(r, "Repas solidaire")
        self.assertContains(r, "Lieu reconnu : <strong>Cher</strong> (département)")

    def test_an_ordinary_word_is_no_place(self):
        r = self.client.get(self.url, {"q": "repas pas cher"})
        self.assertNotContains(r, "Lieu reconnu")

    def test_it_escapes_a_communes_name(self):
        r = self.client.get(self.url, {"q": "à <b>Bourges</b>"})
        self.assertContains(r, "Lieu reconnu : <strong>&lt;b&gt;Bourges&lt;/b&gt;</strong>")
        self.assertContains(r, "Retirer le lieu &lt;b&gt;Bourges&lt;/b&gt;")
        self.assertNotContains(r, "<b>Bourges</b>")

    def test_htmx_gets_the_chip_in_the_results(self):
        r = self.client.get(self.url, {"q": "en Gironde"}, headers={"HX-Request": "true"})
        self.assertNotContains(r, "<html")
        self.assertContains(r, "Retirer le lieu Gironde")

    def test_the_feed_names_the_place(self):
        r = self.client.get("/actions/feed.atom", {"q": "jardin en Gironde"})
        feed = ElementTree.fromstring(r.content)
        title = feed.find(f"{ATOM}title").text
        self.assertIn("Recherche : jardin", title)
        self.assertIn("Lieu reconnu : Gironde (département)", title)
        self.assertNotIn("Département", title)
        entries = [e.find(f"{ATOM}title").text for e in feed.findall(f"{ATOM}entry")]
        self.assertEqual(entries, ["Jardin de la Bastide"])

    def test_the_alert_e_mail_names_the_place(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                "/alertes/nouvelle/",
                {"email": "lea@example.org", "frequency": "weekly", "query": "q=jardin+en+Gironde"},
            )
        self.assertEqual(SearchAlert.objects.get().query, "q=jardin+en+Gironde")
        body = html.unescape(mail.outbox[0].body)
        self.assertIn("/actions/?q=jardin+en+Gironde", body)
        self.assertIn("pour cette recherche : « jardin », en Gironde", body)

    def test_a_place_typed_on_a_departement_page_leads_to_the_catalogue(self):
        r = self.client.get("/departements/35/", {"q": "jardin en Gironde"})
        self.assertRedirects(
            r, "/actions/?q=jardin+en+Gironde&departement=35", fetch_redirect_response=False
        )
        r = self.client.get("/departements/35/", {"q": "jardin en Ille-et-Vilaine"})
        self.assertContains(r, "Jardin des Marais")
