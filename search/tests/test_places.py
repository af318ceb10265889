"""Places typed in the search box (search.places): recognised, removed from the text, filtered on."""

import time

from django.http import QueryDict
from django.test import override_settings

from catalogue.models import ActionSheet, Structure
from catalogue.signals import sheets_changed
from essaimage.test import BaseTestCase, make_sheet, make_structure
from search import places
from search.forms import SearchForm
from search.query import DEFAULT_SORT
from search.service import search_sheets


def recognised(text: str, **kwargs) -> list[tuple[str, tuple]]:
    return [(p.kind, p.values) for p in places.recognise(text, **kwargs).places]


class PlacesTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.bourges = make_structure("CENTRE SOCIAL DU VAL", dep="18", commune="Bourges")
        cls.etienne = make_structure("CS TARENTAIZE", dep="42", commune="Saint-Étienne")
        cls.puy = make_structure("CS DU PUY", dep="43", commune="Le Puy-en-Velay")
        cls.nantes = make_structure("CS NANTES NORD", dep="44", commune="NANTES")
        cls.denis_93 = make_structure("CS FLORÉAL", dep="93", commune="ST DENIS")
        cls.denis_974 = make_structure("CS MOUFIA", dep="974", commune="Saint-Denis")
        cls.vienne = make_structure("CS ESTRESSIN", dep="38", commune="Vienne")
        cls.bordeaux = make_structure("CS BASTIDE", dep="33", commune="Bordeaux")
        cls.repas_cher = make_sheet(
            cls.bourges, "Repas solidaire", summary="Un repas partagé chaque mois au centre."
        )
        cls.repas_35 = make_sheet(
            cls.marais, "Épicerie étudiante", summary="Un repas pas cher pour les étudiants."
        )
        cls.jardin_42 = make_sheet(cls.etienne, "Jardin partagé", summary="Des bacs au pied.")
        cls.jardin_43 = make_sheet(cls.puy, "Jardin des sens", summary="Un jardin à toucher.")
        cls.jardin_44 = make_sheet(cls.nantes, "Jardin nantais", summary="Un jardin en ville.")
        cls.jardin_33 = make_sheet(cls.bordeaux, "Jardin de la Bastide", summary="Un potager.")
        cls.denis = make_sheet(cls.denis_93, "Fête de quartier", summary="Une fête au printemps.")
        sheets_changed.send(sender=None, sheet_ids=ActionSheet.objects.values_list("pk", flat=True))

    def setUp(self):
        places.clear_cache()

    # -- what is recognised ----------------------------------------------------------------

    def test_it_ignores_accents_and_case(self):
        for text in ("en gironde", "EN GIRONDE", "en Gironde"):
            self.assertEqual(recognised(text), [("departement", ("33",))], text)
        self.assertEqual(recognised("ardeche"), [("departement", ("07",))])
        self.assertEqual(recognised("Ardèche"), [("departement", ("07",))])
        self.assertEqual(places.recognise("jardin en gironde").text, "jardin")

    def test_it_takes_articles_and_prepositions_with_the_place(self):
        cases = {
            "dans le Cher": "18",
            "de la Manche": "50",
            "du Nord": "59",
            "des Landes": "40",
            "l'Ain": "01",
            "dans l’Allier": "03",
            "département de la Somme": "80",
            "à la Réunion": "974",
        }
        for text, code in cases.items():
            recognition = places.recognise(f"fête {text}")
            self.assertEqual([p.values for p in recognition.places], [(code,)], text)
            self.assertEqual(recognition.text, "fête", text)
            self.assertEqual(recognition.places[0].typed, text)

    def test_it_reads_hyphens_as_spaces_and_st_as_saint(self):
        for text in ("Seine-Saint-Denis", "seine saint denis", "Seine-St-Denis", "seine st denis"):
            self.assertEqual(recognised(f"actions {text}"), [("departement", ("93",))], text)
        self.assertEqual(recognised("Saône et Loire"), [("departement", ("71",))])
        self.assertEqual(recognised("val d'oise"), [("departement", ("95",))])

    def test_it_prefers_the_longest_name(self):
        self.assertEqual(recognised("Loire"), [("departement", ("42",))])
        self.assertEqual(recognised("Haute-Loire jardin"), [("departement", ("43",))])
        self.assertEqual(recognised("jardin loire atlantique"), [("departement", ("44",))])
        self.assertEqual(recognised("Pays de la Loire"), [("region", ("52",))])
        self.assertEqual(recognised("Indre-et-Loire"), [("departement", ("37",))])
        self.assertEqual(places.recognise("Haute-Loire jardin").text, "jardin")

    def test_it_keeps_ordinary_words_as_text_without_a_cue(self):
        for text in (
            "un repas pas cher",
            "faire la manche",
            "allier sport et santé",
            "préparer la réunion de rentrée",
            "inviter à la réunion des parents",
            "apprendre à s'exprimer en réunion",
            "ce qui se dit dans la réunion",
            "prévention des paris sportifs",
            "que chacun vienne avec un plat",
            "boussole sud nord",
            "tarif var selon revenus",
            "un petit déjeuner à l'aube pour les personnes à la rue",
            "des jeunes qui veulent sortir du lot",
            "en somme un projet pour les familles",
        ):
            recognition = places.recognise(text)
            self.assertEqual(recognition.places, (), text)
            self.assertEqual(recognition.text, text)

    def test_it_recognises_ordinary_words_with_a_cue_a_capital_or_alone(self):
        for text in ("repas dans le cher", "repas Cher", "cher", "Cher", "repas du Cher"):
            self.assertEqual(recognised(text), [("departement", ("18",))], text)
        self.assertEqual(recognised("nord"), [("departement", ("59",))])
        self.assertEqual(recognised("jeunes du nord"), [("departement", ("59",))])
        self.assertEqual(recognised("La Réunion"), [("departement", ("974",))])
        self.assertEqual(recognised("île de la réunion"), [("departement", ("974",))])
        self.assertEqual(recognised("réunion"), [("departement", ("974",))])
        self.assertEqual(recognised("jardins en Réunion"), [("departement", ("974",))])
        self.assertEqual(recognised("cafés à paris"), [("departement", ("75",))])
        self.assertEqual(recognised("cuisine en corse"), [("region", ("94",))])
        self.assertEqual(recognised("cuisine corse"), [])
        self.assertEqual(recognised("repas dans l'aube"), [("departement", ("10",))])
        self.assertEqual(recognised("repas à l'Aube"), [("departement", ("10",))])
        self.assertEqual(recognised("jardins dans le lot"), [("departement", ("46",))])
        self.assertEqual(recognised("jardins dans la somme"), [("departement", ("80",))])

    def test_it_recognises_regions_and_their_other_names(self):
        self.assertEqual(recognised("jardins en Occitanie"), [("region", ("76",))])
        self.assertEqual(recognised("bretagne"), [("region", ("53",))])
        self.assertEqual(recognised("en PACA"), [("region", ("93",))])
        self.assertEqual(recognised("ile de france"), [("region", ("11",))])
        self.assertEqual(recognised("Centre-Val de Loire"), [("region", ("24",))])
        # Same name as its only département: the département (the finer filter).
        self.assertEqual(recognised("Guadeloupe"), [("departement", ("971",))])

    def test_a_former_region_stands_for_its_departements(self):
        self.assertEqual(recognised("en Alsace"), [("departement", ("67", "68"))])
        self.assertEqual(recognised("Nord-Pas-de-Calais"), [("departement", ("59", "62"))])
        place = places.recognise("nord pas de calais").places[0]
        self.assertEqual((place.label, place.kind_label), ("Nord-Pas-de-Calais", "départements"))

    def test_it_recognises_communes_of_the_catalogues_structures(self):
        self.assertEqual(recognised("jardin à Bourges"), [("commune", (self.bourges.pk,))])
        self.assertEqual(recognised("jardin Bourges"), [("commune", (self.bourges.pk,))])
        self.assertEqual(recognised("bourges"), [("commune", (self.bourges.pk,))])
        # One lower-case word, no cue: a commune's name finds its structures as text anyway.
        self.assertEqual(recognised("jardin bourges"), [])
        self.assertEqual(recognised("à saint etienne"), [("commune", (self.etienne.pk,))])
        self.assertEqual(recognised("Nantes"), [("commune", (self.nantes.pk,))])
        self.assertEqual(recognised("à Marseille"), [])  # no structure there

    def test_a_commune_of_two_departements_selects_both(self):
        both = [("commune", tuple(sorted([self.denis_93.pk, self.denis_974.pk])))]
        self.assertEqual(recognised("Saint-Denis"), both)
        self.assertEqual(recognised("à st denis"), both)
        # The longer name wins: the département, not the commune inside it.
        self.assertEqual(recognised("seine saint denis"), [("departement", ("93",))])

    def test_a_before_a_name_means_the_commune(self):
        self.assertEqual(recognised("fête à Vienne"), [("commune", (self.vienne.pk,))])
        self.assertEqual(recognised("fête dans la Vienne"), [("departement", ("86",))])

    def test_it_reads_a_departement_number_after_a_cue_or_alone(self):
        self.assertEqual(recognised("jardin dans le 93"), [("departement", ("93",))])
        self.assertEqual(recognised("département 33"), [("departement", ("33",))])
        self.assertEqual(recognised("93"), [("departement", ("93",))])
        self.assertEqual(recognised("2A"), [("departement", ("2A",))])
        self.assertEqual(recognised("dans le 974"), [("departement", ("974",))])
        for text in ("jeunes de 16 à 25 ans", "fête du 14 juillet", "les 13 ans", "93 familles"):
            self.assertEqual(recognised(text), [], text)

    def test_it_finds_several_places(self):
        recognition = places.recognise("jardins en Gironde, dans les Landes et à Bourges")
        self.assertEqual(
            [(p.kind, p.values) for p in recognition.places],
            [
                ("departement", ("33",)),
                ("departement", ("40",)),
                ("commune", (self.bourges.pk,)),
            ],
        )
        self.assertEqual(recognition.text, "jardins , et")

    def test_it_leaves_quoted_excluded_and_or_words_alone(self):
        for text in ('"Gironde" jardin', "« en Gironde »", "jardin -Gironde", "Gironde OR Landes"):
            self.assertEqual(places.recognise(text), places.Recognition(text), text)

    def test_as_text_keeps_a_place_as_text(self):
        recognition = places.recognise("jardin en Gironde dans le Cher", as_text=["Gironde"])
        self.assertEqual([p.values for p in recognition.places], [("18",)])
        self.assertEqual(recognition.text, "jardin en Gironde")
        self.assertEqual(recognition.kept, ("gironde",))
        self.assertEqual(places.recognise("jardin", as_text=["gironde"]).kept, ())

    def test_a_new_commune_is_recognised_at_once(self):
        self.assertEqual(recognised("à Brest"), [])
        brest = make_structure("CS KERANGOFF", dep="29", commune="Brest")
        self.assertEqual(recognised("à Brest"), [("commune", (brest.pk,))])

    def test_recognition_costs_well_under_a_millisecond(self):
        # A national catalogue: some 4,000 communes in the vocabulary.
        Structure.objects.bulk_create(
            Structure(name=f"CS {i}", departement_id="35", commune=f"Saint-Martin-de-Lieu-{i}")
            for i in range(4000)
        )
        places.clear_cache()
        vocabulary = places.build_vocabulary()
        queries = [
            "aide aux devoirs en Gironde",
            "un repas pas cher pour les familles du quartier",
            "actions Haute-Loire jardin partagé",
            "seine saint denis accompagnement à la scolarité des collégiens",
            "comment organiser une fête de quartier avec les habitants à Saint-Martin-de-Lieu-12",
            "ateliers numériques pour les seniors isolés dans le 93",
        ]
        rounds = 300
        start = time.perf_counter()
        for _ in range(rounds):
            for text in queries:
                places.recognise(text, vocabulary=vocabulary)
        per_query = (time.perf_counter() - start) / (rounds * len(queries))
        self.assertLess(per_query, 0.0005, f"{per_query * 1e6:.0f} µs per query")

    # -- the form and the search -------------------------------------------------------------

    def query(self, querystring: str):
        form = SearchForm(QueryDict(querystring))
        form.is_valid()
        return form.to_query()

    def test_the_form_turns_places_into_filters_and_keeps_the_typed_text_in_urls(self):
        query = self.query("q=jardin+en+Gironde")
        self.assertEqual((query.q, query.departement), ("jardin", ("33",)))
        self.assertEqual(query.shown_q, "jardin en Gironde")
        self.assertEqual(query.querystring(), "q=jardin+en+Gironde")
        self.assertEqual(self.query(query.querystring()), query)

    def test_a_typed_place_adds_to_the_ticked_ones(self):
        query = self.query("q=jardin+en+Gironde&departement=35")
        self.assertEqual(query.departement, ("35", "33"))
        self.assertEqual(query.querystring(), "q=jardin+en+Gironde&departement=35")
        query = self.query("q=jardin+en+Gironde&departement=33")
        self.assertEqual(query.departement, ("33",))
        self.assertEqual(query.places[0].added, ())

    def test_removing_a_place_searches_its_words_as_text(self):
        query = self.query("q=jardin+en+Gironde")
        removed = query.without_place(query.places[0])
        self.assertEqual(removed.querystring(), "q=jardin+en+Gironde&as_text=gironde")
        again = self.query(removed.querystring())
        self.assertEqual((again.q, again.departement, again.places), ("jardin en Gironde", (), ()))
        # Unticking the département in the facet does the same.
        self.assertEqual(query.toggled("departement", "33"), removed)
        self.assertEqual(query.toggled_querystrings("departement")("33"), removed.querystring())

    def test_a_spelling_suggestion_keeps_the_place(self):
        from dataclasses import replace

        query = self.query("q=jardn+en+Gironde")
        self.assertEqual(replace(query, q="jardin").querystring(), "q=jardin+en+Gironde")

    def titles(self, querystring: str, **kwargs) -> list[str]:
        result = search_sheets(self.query(querystring), per_page=None, **kwargs)
        return sorted(s.title for s in result.sheets)

    def test_a_place_filters_the_results_on_both_engines(self):
        for fast in (True, False):
            with self.subTest(fast=fast):
                self.assertEqual(
                    self.titles("q=repas+dans+le+Cher", fast=fast), ["Repas solidaire"]
                )
                self.assertIn("Épicerie étudiante", self.titles("q=repas+pas+cher", fast=fast))
                # "Loire" is not Haute-Loire nor Loire-Atlantique (as text it would match both).
                self.assertEqual(self.titles("q=jardin+Loire", fast=fast), ["Jardin partagé"])
                self.assertEqual(
                    self.titles("q=jardin+Haute-Loire", fast=fast), ["Jardin des sens"]
                )
                self.assertEqual(
                    self.titles("q=jardin+en+Auvergne-Rhône-Alpes", fast=fast),
                    ["Jardin des sens", "Jardin partagé"],
                )
                self.assertEqual(
                    self.titles("q=jardin+à+Saint-Étienne", fast=fast), ["Jardin partagé"]
                )
                self.assertEqual(self.titles("q=Gironde", fast=fast), ["Jardin de la Bastide"])
                self.assertEqual(
                    self.titles("q=jardin+en+Gironde+et+en+Loire-Atlantique", fast=fast),
                    ["Jardin de la Bastide", "Jardin nantais"],
                )

    @override_settings(SEARCH_FAST_PATH=False)
    def test_a_place_only_query_sorts_as_a_query_without_text(self):
        query = self.query("q=dans+le+93")
        self.assertEqual((query.q, query.effective_sort), ("", DEFAULT_SORT))
        self.assertEqual(self.titles("q=dans+le+93"), ["Fête de quartier"])
