from django.http import QueryDict

from essaimage.test import BaseTestCase
from search.forms import SearchForm
from search.query import SheetQuery


def form_for(querystring: str) -> SearchForm:
    return SearchForm(QueryDict(querystring))


class SearchFormTestCase(BaseTestCase):
    def test_it_reads_every_key(self):
        form = form_for(
            "q=parentalit%C3%A9&departement=35&departement=2a&region=53&keywords=famille"
            "&dimension=services&status=en-cours&publics=familles&territory=une-commune"
            "&initiators=autre&action_partners=caf&financial_partners=msa"
            f"&structure={self.adesir.pk}&structure_type=cs&year=2019&year_min=2018"
            "&year_max=2020&sort=year&page=2&page_size=50"
        )
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(
            form.to_query(),
            SheetQuery(
                q="parentalité",
                departement=("35", "2A"),
                region=("53",),
                keywords=("famille",),
                dimension=("services",),
                status=("en-cours",),
                publics=("familles",),
                territory=("une-commune",),
                initiators=("autre",),
                action_partners=("caf",),
                financial_partners=("msa",),
                structure=(self.adesir.pk,),
                structure_type=("cs",),
                year=(2019,),
                year_min=2018,
                year_max=2020,
                sort="year",
            ),
        )
        self.assertEqual((form.page_number, form.per_page), (2, 50))

    def test_it_round_trips_through_the_query_string(self):
        query = form_for("q=repair&keywords=famille&keywords=culture&year=2020").to_query()
        self.assertEqual(form_for(query.querystring()).to_query(), query)

    def test_it_reports_unknown_values_in_french_and_keeps_the_rest(self):
        form = form_for("departement=35&departement=999&keywords=nope&structure=abc&sort=zz")
        self.assertFalse(form.is_valid())
        messages = form.error_messages()
        self.assertIn("Département inconnu : « 999 » (filtre ignoré).", messages)
        self.assertIn("Mot clé inconnu : « nope » (filtre ignoré).", messages)
        self.assertIn("Structure inconnue : « abc » (filtre ignoré).", messages)
        self.assertIn("Tri inconnu : « zz » (tri par défaut appliqué).", messages)
        query = form.to_query()
        self.assertEqual((query.departement, query.keywords, query.sort), (("35",), (), ""))

    def test_it_rejects_bad_years_and_pages(self):
        form = form_for("year=abc&year_min=1200&page=x&page_size=7")
        self.assertFalse(form.is_valid())
        self.assertEqual(
            form.error_messages(),
            [
                "Année non valide : « abc » (filtre ignoré).",
                "Année hors limites : « 1200 » (filtre ignoré).",
                "Numéro de page non valide : « x » (première page affichée).",
                "Nombre de fiches par page non valide : « 7 » (choisir parmi 10, 25, 50, 100).",
            ],
        )
        self.assertEqual((form.page_number, form.per_page), (1, 25))
        self.assertEqual(form.to_query(), SheetQuery())

    def test_it_swaps_an_inverted_year_range(self):
        query = form_for("year_min=2021&year_max=2019").to_query()
        self.assertEqual((query.year_min, query.year_max), (2019, 2021))

    def test_it_accepts_an_empty_query_string(self):
        form = SearchForm(None)
        self.assertTrue(form.is_valid())
        self.assertEqual(form.to_query(), SheetQuery())

    def test_it_refuses_too_long_text(self):
        form = form_for("q=" + "a" * 201)
        self.assertFalse(form.is_valid())
        self.assertEqual(form.to_query().q, "")
        self.assertTrue(form.error_messages()[0].startswith("Rechercher : "))
