import random
from decimal import Decimal

from django.db.models import F, Sum
from django.test import TestCase, override_settings

from catalogue.fields import LIST_FIELDS, TEXT_FIELDS
from catalogue.models import ActionSheet, Departement, Keyword, PartnerKind, PublicationStatus
from essaimage.test import SAMPLE_PATH
from ingest.importer import import_paths
from search.engines import memory
from search.forms import SearchForm
from search.service import iter_sheet_ids
from stats.models import SheetFigures, SheetFunding
from stats.queries import catalogue_stats


class OverviewTestCase(TestCase):
    url = "/statistiques/"

    @classmethod
    def setUpTestData(cls):
        import_paths([SAMPLE_PATH])
        # A draft must never be counted.
        draft = ActionSheet.objects.get(title="FAITES ENSEMBLE")
        draft.publication_status = PublicationStatus.DRAFT
        draft.save()
        # Years, so that trends have something to show (the sample's listing has none).
        ActionSheet.objects.update(year=2015 + F("pk") % 6)

    def test_it_counts_published_sheets_by_departement_and_keyword(self):
        stats = catalogue_stats()
        self.assertEqual(stats.total_sheets, 23)
        self.assertEqual(stats.total_structures, 18)
        doubs = next(r for r in stats.by_departement if r.code == "25")
        self.assertEqual(doubs.count, 4)
        self.assertEqual(stats.by_departement[0], doubs)  # largest first
        self.assertEqual(doubs.share, 100.0)
        parentalite = next(r for r in stats.by_keyword if r.label == "Parentalité")
        self.assertEqual(parentalite.count, 11)
        terminee = next(r for r in stats.by_status if r.label == "Terminée")
        self.assertEqual(terminee.count, 3)

    def test_the_page_shows_the_figures(self):
        r = self.client.get(self.url)
        self.assertContains(r, "Statistiques du catalogue")
        self.assertContains(r, "<strong>23</strong> fiches publiées", html=False)
        self.assertContains(r, "Doubs (25)")
        self.assertNotContains(r, "FAITES ENSEMBLE")

    def test_it_follows_the_catalogue_filters(self):
        r = self.client.get(self.url, {"departement": "25"})
        self.assertContains(r, "<strong>4</strong> fiches publiées", html=False)
        self.assertContains(r, "sélection en cours")

    def test_bad_filters_give_a_normal_page(self):
        r = self.client.get(self.url, {"departement": "999", "year": "abc"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "999")

    def test_it_uses_a_bounded_number_of_queries(self):
        # The breakdowns, keywords by year and partner pairs come from the search engine's
        # in-memory bitmaps (built once per worker); the database answers the index state (1),
        # budgets and people (4), completeness (1) and the reference départements for the map.
        memory.get_index()
        with self.assertNumQueries(7):
            self.client.get(self.url)

    @override_settings(SEARCH_FAST_PATH=False)
    def test_it_uses_a_bounded_number_of_queries_without_the_memory_engine(self):
        # 11 breakdowns, the reference départements for the map, budgets and people (4),
        # completeness (1), keywords by year (1), partners (2)
        with self.assertNumQueries(20):
            self.client.get(self.url)

    def test_each_row_links_to_the_same_set_in_the_catalogue(self):
        r = self.client.get(self.url)
        self.assertContains(r, 'href="/actions/?departement=25"')
        self.assertContains(r, 'href="/actions/?keywords=parentalite"')
        listing = self.client.get("/actions/", {"keywords": "parentalite"})
        self.assertContains(listing, "11 fiches")

    def test_its_figures_match_the_list_for_a_text_search(self):
        # "vieillissement" is widened to the misspelt keyword, "parentalte" is corrected.
        for q in ("vieillissement", "parentalte", "numerique"):
            listed = self.client.get("/actions/", {"q": q}).context["result"].total
            self.assertGreater(listed, 0, q)
            stats = self.client.get(self.url, {"q": q}).context["stats"]
            self.assertEqual(stats.total_sheets, listed, q)

    def _random_queries(self, n: int):
        rng = random.Random(13)
        departements = list(
            Departement.objects.filter(structures__sheets__isnull=False)
            .distinct()
            .values_list("code", flat=True)
        )
        keywords = list(Keyword.objects.values_list("value", flat=True))
        partners = list(PartnerKind.objects.values_list("value", flat=True))
        for _ in range(n):
            params = {}
            if rng.random() < 0.5:
                params["departement"] = rng.sample(departements, rng.randint(1, 3))
            if rng.random() < 0.5:
                params["keywords"] = rng.choice(keywords)
            if rng.random() < 0.3:
                params["action_partners"] = rng.choice(partners)
            if rng.random() < 0.3:
                params["q"] = rng.choice(["parents", "jeunes", "numerique", "café"])
            if rng.random() < 0.3:
                params["year_min"] = str(rng.randint(2015, 2020))
            yield params

    def test_every_figure_equals_a_direct_count_for_random_selections(self):
        for params in self._random_queries(12):
            with self.subTest(params):
                ids = list(iter_sheet_ids(SearchForm(params).to_query()))
                r = self.client.get(self.url, params)
                self.assertEqual(r.context["stats"].total_sheets, len(ids))
                figures = SheetFigures.objects.filter(sheet_id__in=ids)
                money = r.context["money"]
                budgets = sorted(figures.exclude(budget=None).values_list("budget", flat=True))
                self.assertEqual(money.with_budget, len(budgets))
                self.assertEqual(money.budget_total, sum(budgets, Decimal(0)))
                if budgets:
                    middle = budgets[(len(budgets) - 1) // 2 : len(budgets) // 2 + 1]
                    self.assertEqual(money.budget_median, sum(middle) / len(middle))
                self.assertEqual(sum(row.count for row in money.brackets), len(budgets))
                people = list(figures.exclude(people=None).values_list("people", flat=True))
                self.assertEqual(
                    (money.with_people, money.people_total), (len(people), sum(people))
                )
                by_kind = dict(
                    SheetFunding.objects.filter(sheet_id__in=ids)
                    .values_list("kind")
                    .annotate(total=Sum("amount"))
                    .values_list("kind", "total")
                )
                self.assertEqual(
                    {row.label: row.count for row in money.by_funder},
                    {kind: round(total) for kind, total in by_kind.items()},
                )
                sheets = ActionSheet.objects.filter(pk__in=ids)
                filled = {row.code: row.count for row in r.context["completeness"]}
                for name in TEXT_FIELDS:
                    self.assertEqual(filled[name], sheets.exclude(**{name: ""}).count(), name)
                for name in LIST_FIELDS:
                    direct = sheets.filter(**{f"{name}__isnull": False}).distinct().count()
                    self.assertEqual(filled[name], direct, name)
                trends = r.context["trends"]
                for keyword in trends.keywords:
                    for year, count in zip(trends.years, keyword.counts, strict=True):
                        direct = sheets.filter(keywords__value=keyword.value, year=year).count()
                        self.assertEqual(count, direct, (keyword.label, year))
                for row in r.context["partners"].pairs:
                    action, financial = (part.rsplit(" (", 1)[0] for part in row.label.split(" + "))
                    direct = (
                        sheets.filter(action_partners__label=action)
                        .filter(financial_partners__label=financial)
                        .distinct()
                        .count()
                    )
                    self.assertEqual(row.count, direct, row.label)

    def test_the_page_shows_budgets_people_and_completeness(self):
        r = self.client.get(self.url)
        money = r.context["money"]
        self.assertGreater(money.with_budget, 5)
        self.assertContains(
            r, f"<strong>{money.with_budget}</strong> fiches sur 23 avec un budget connu"
        )
        self.assertContains(r, "Complétude des fiches")
        self.assertContains(r, "Mots clés au fil des années")
        self.assertContains(r, 'href="/statistiques/completude.csv"')

    def test_french_plurals(self):
        r = self.client.get(self.url, {"q": '"LIVRET D\'ACCUEIL"'})
        self.assertContains(r, "<strong>1</strong> fiche publiée", html=False)
        self.assertContains(r, "<strong>0</strong> fiche sur 1 avec un budget connu", html=False)
