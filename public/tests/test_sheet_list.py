import re

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from catalogue.signals import sheets_changed
from essaimage.test import make_sheet
from search.tests.base import SearchTestCase


class SheetListTestCase(SearchTestCase):
    url = "/actions/"

    def test_it_shows_cards_facets_and_count(self):
        r = self.client.get(self.url)
        self.assertContains(r, "5 fiches")
        self.assertContains(r, "Soutenir la parentalité")
        self.assertContains(r, "CHALET DES ÉCHANGES")
        self.assertContains(r, "Mayenne (53)")
        self.assertContains(r, "<legend>Mots clés</legend>", html=False)
        self.assertContains(r, 'name="keywords" value="parentalite"')
        self.assertNotContains(r, "Brouillon parentalité")
        self.assertContains(r, "<html")

    def test_each_card_lists_its_own_keywords_in_the_vocabulary_order(self):
        from catalogue.models import Keyword

        for position, label in enumerate(["Famille", "Culture", "Parentalité"]):
            Keyword.objects.update_or_create(label=label, defaults={"position": position})
        new = [
            make_sheet(
                self.loiron, "Théâtre en famille", keywords=["Parentalité", "Famille", "Culture"]
            ),
            make_sheet(self.loiron, "Théâtre sans mots clés"),
        ]
        sheets_changed.send(sender=None, sheet_ids=[s.pk for s in new])

        def card(html, title):
            cards = re.findall(r'<article class="card".*?</article>', html, re.S)
            return next(c for c in cards if f">{title}</a>" in c)

        for fast in (False, True):
            with self.subTest(fast=fast), override_settings(SEARCH_FAST_PATH=fast):
                html = self.client.get(self.url, {"q": "théâtre"}).content.decode()
                self.assertRegex(
                    card(html, "Théâtre en famille"),
                    r"<li>Famille</li>\s*<li>Culture</li>\s*<li>Parentalité</li>",
                )
                self.assertNotIn('class="tags"', card(html, "Théâtre sans mots clés"))

    def test_it_searches_and_highlights(self):
        r = self.client.get(self.url, {"q": "parentalite"})
        self.assertContains(r, "2 fiches")
        self.assertContains(r, "pour « parentalite »")
        self.assertContains(r, "<mark>parentalité</mark>")
        self.assertContains(r, '<option value="">Pertinence</option>')

    def test_it_escapes_hostile_text(self):
        r = self.client.get(self.url, {"q": "<script>alert(1)</script>"})
        self.assertNotContains(r, "<script>alert(1)</script>")
        self.assertContains(r, "&lt;script&gt;alert(1)&lt;/script&gt;")
        r = self.client.get(self.url, {"q": "samedi"})
        self.assertNotContains(r, "<script>alert(1)</script>")

    def test_it_filters_and_shows_active_filters(self):
        r = self.client.get(self.url, {"keywords": "parentalite", "departement": "53"})
        self.assertContains(r, "1 fiche")
        self.assertContains(r, 'value="parentalite" id="f-keywords-parentalite" checked')
        self.assertContains(r, "Mots clés : Parentalité")
        self.assertContains(r, "Effacer les filtres")
        self.assertContains(r, 'href="/actions/?departement=53"')  # removes the keyword

    def test_it_suggests_a_correction(self):
        r = self.client.get(self.url, {"q": "parentalte"})
        self.assertContains(r, "Résultats pour « parentalité »")
        # A link searches the word exactly as typed (quoted words are never corrected).
        self.assertContains(
            r, '<a href="?q=%22parentalte%22" hx-get="?q=%22parentalte%22">', html=False
        )
        self.assertContains(r, "Rechercher exactement « parentalte »")
        self.assertContains(r, "Soutenir la parentalité")

    def test_it_renders_only_results_for_htmx(self):
        r = self.client.get(self.url, {"q": "numerique"}, headers={"HX-Request": "true"})
        self.assertNotContains(r, "<html")
        self.assertContains(r, 'id="results"')
        self.assertContains(r, "SERVICE COLLECTIF NUMERIQUE")
        self.assertIn("HX-Request", r["Vary"])
        # The count is announced through a live region that stays in the page.
        self.assertContains(r, 'id="results-announce"')
        self.assertContains(r, 'hx-swap-oob="true">2 fiches pour « numerique »</p>')

    def test_it_renders_the_whole_page_for_history_restores(self):
        headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
        r = self.client.get(self.url, headers=headers)
        self.assertContains(r, "<html")

    def test_it_answers_bad_parameters_with_a_normal_page(self):
        r = self.client.get(self.url + "?departement=999&year=abc&page=9999&sort=nope&annee=abc")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Département inconnu : « 999 » (filtre ignoré).")
        self.assertContains(r, "Année non valide : « abc » (filtre ignoré).")
        self.assertContains(r, "Tri inconnu : « nope »")
        self.assertContains(r, "5 fiches")
        self.assertContains(r, 'role="alert"')

    def test_it_shows_the_last_page_for_pages_past_the_end(self):
        r = self.client.get(self.url, {"page": "9999", "page_size": "10"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "La page 9999 n&#x27;existe pas : voici la page 1 sur 1.")
        self.assertContains(r, "Soutenir la parentalité")

    def test_it_paginates(self):
        for i in range(12):
            make_sheet(self.marais, f"Zumba {i:02}")
        r = self.client.get(self.url, {"page_size": "10", "page": "2"})
        self.assertContains(r, "17 fiches · page 2 sur 2")
        self.assertContains(
            r, 'href="/actions/?page_size=10" hx-get="/actions/?page_size=10" rel="prev"'
        )
        self.assertContains(r, "Zumba 11")
        self.assertNotContains(r, "Zumba 01")

    # The counts below are the ORM path's; search/tests/test_fast_path.py bounds the fast path's.
    @override_settings(SEARCH_FAST_PATH=False)
    def test_it_uses_a_bounded_number_of_queries(self):
        def count_queries(params):
            with CaptureQueriesContext(connection) as ctx:
                r = self.client.get(self.url, params)
            self.assertEqual(r.status_code, 200)
            return len(ctx.captured_queries)

        params = {"q": "parents", "keywords": "parentalite", "departement": "35"}
        self.client.get(self.url, params)  # the thesaurus read once per process
        small = (count_queries({}), count_queries(params))
        new = [
            make_sheet(self.marais, f"Café des parents {i}", keywords=["Parentalité"])
            for i in range(40)
        ]
        sheets_changed.send(sender=None, sheet_ids=[s.pk for s in new])
        large = (count_queries({}), count_queries(params))
        self.assertEqual(small, large)
        # count + the page's ids + the page's cards + their keywords + 13 facets; with text and
        # filters: + 2 filter checks, + thesaurus version, number of indexed sheets, every term
        # in one query, keyword spellings (the ids come in relevance order), the places'
        # vocabulary generation (search.places), the average field lengths and the matching
        # sheets' lengths (BM25F), the first page's indexed terms (search.rescoring)
        with self.assertNumQueries(17):
            self.client.get(self.url)
        with self.assertNumQueries(27):
            self.client.get(self.url, params)

    def test_it_offers_no_export_for_an_empty_result(self):
        r = self.client.get(self.url, {"q": "zzzqqqwww"})
        self.assertContains(r, "Aucune fiche")
        self.assertNotContains(r, "Télécharger ces fiches")
        self.assertContains(self.client.get(self.url), "Télécharger ces fiches")

    def test_it_names_the_default_sort_and_hints_in_french(self):
        r = self.client.get(self.url)
        self.assertContains(r, '<option value="">Année (les plus récentes)</option>', html=True)
        self.assertNotContains(r, "titre sans recherche")
        self.assertContains(r, "seniors OU aînés")
        self.assertNotContains(r, " OR ")
        r = self.client.get(self.url, {"q": "parentalite"})
        self.assertContains(r, '<option value="">Pertinence</option>', html=True)
        self.assertContains(r, '<option value="year">Année</option>', html=True)

    def test_it_lists_departements_alphabetically_with_the_selected_first(self):
        r = self.client.get(self.url, {"departement": "54"})
        departements = [f.values for f in r.context["listing"].facets if f.name == "departement"]
        labels = [v.label for v in departements[0]]
        self.assertEqual(labels[0], "Meurthe-et-Moselle (54)")
        self.assertEqual(labels[1:], sorted(labels[1:], key=str.casefold))


class SearchAsYouTypeTestCase(SearchTestCase):
    url = "/actions/"

    def test_the_search_box_asks_for_results_as_one_types(self):
        r = self.client.get(self.url)
        self.assertContains(r, 'hx-trigger="input changed delay:300ms"')
        self.assertContains(r, '<button type="submit">Rechercher</button>', html=True)

    def test_the_last_word_is_a_prefix_while_typing(self):
        typing = {"HX-Request": "true", "HX-Trigger": "id_q"}
        r = self.client.get(self.url, {"q": "soutien parental"}, headers=typing)
        self.assertNotContains(r, "<html")
        self.assertContains(r, "Soutenir la parentalité")
        r = self.client.get(self.url, {"q": "soutien parentalit"}, headers=typing)
        self.assertContains(r, "Soutenir la parentalité")
        self.assertNotContains(r, "Résultats pour")  # a prefix, not a typo

    def test_a_submitted_query_is_not_a_prefix(self):
        r = self.client.get(self.url, {"q": "parentalit"}, headers={"HX-Request": "true"})
        self.assertContains(r, "Résultats pour « parentalité »")


class RelaxedMatchingPageTestCase(SearchTestCase):
    url = "/actions/"

    def test_it_lists_the_sheets_holding_most_words_with_a_notice(self):
        # A word no sheet holds is named; the others still find sheets.
        r = self.client.get(self.url, {"q": "café pour les parents en montgolfière"})
        self.assertContains(
            r,
            "Aucune fiche ne contient « montgolfière » : voici les fiches qui contiennent les "
            "autres mots.",
        )
        self.assertContains(r, "Café des parents")
        r = self.client.get(self.url, {"q": "café pour les parents"})
        self.assertNotContains(r, "Aucune fiche ne contient tous les mots")
