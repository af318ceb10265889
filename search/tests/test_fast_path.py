"""The memory engine (search/engines/memory.py) answers exactly what the database engine answers."""

import random

from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from bench import synthetic
from catalogue.models import ActionSheet, Keyword, PublicationStatus, Structure
from catalogue.signals import sheets_changed
from essaimage.test import BaseTestCase, make_sheet
from search.engines import memory as fast
from search.forms import SearchForm
from search.query import SORTS
from search.service import search_sheets

TEXTS = ["", "", "", "parentalite", "aide aux devoirs", "seniors isolés", "jardin", "café -repair",
         '"fête du jeu"', "emploi OR logement", "numerik"]  # fmt: skip


def facets_of(result) -> dict:
    out = {}
    for name, values in result.facets.items():
        rows = [(v.value, v.label, v.count, v.selected, v.toggle_url) for v in values]
        if name == "structure":
            # Ties on count order by label; equal names (other départements) may swap.
            rows = sorted((label, count, selected) for _, label, count, selected, _ in rows)
        out[name] = rows
    return out


def truncated_of(result) -> dict:
    return {facet.name: facet.truncated for facet in result.facet_groups}


def random_querystring(rng: random.Random, values: dict) -> str:
    params = QueryDict(mutable=True)
    text = rng.choice(TEXTS)
    if text:
        params["q"] = text
    for name in rng.sample(sorted(values), rng.randint(0, 3)):
        params.setlist(name, [str(v) for v in rng.sample(values[name], rng.randint(1, 2))])
    if rng.random() < 0.2:
        params["year_min"] = str(rng.randint(2015, 2022))
        if rng.random() < 0.5:
            params["year_max"] = str(rng.randint(2020, 2026))
    if rng.random() < 0.6:
        params["sort"] = rng.choice(list(SORTS))
    if rng.random() < 0.3:
        params["page"] = str(rng.randint(1, 6))
    return params.urlencode()


class FastPathTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        synthetic.generate_sheets(1500, seed=21, batch_size=500)
        # A few sheets off the beaten track: a draft, no year, a structure without département.
        nowhere = Structure.objects.create(name="SANS DÉPARTEMENT")
        make_sheet(nowhere, "Fiche sans année", year=None, keywords=["Famille"])
        make_sheet(cls.marais, "Brouillon", publication_status=PublicationStatus.DRAFT)
        make_sheet(cls.marais, "ÉPICERIE solidaire", year=2020, keywords=["Solidarité"])
        make_sheet(cls.marais, "épicerie solidaire", year=2020, keywords=["Solidarité"])
        sheets_changed.send(
            sender=None, sheet_ids=list(ActionSheet.objects.values_list("pk", flat=True))
        )

    def compare(self, querystring: str, **kwargs):
        form = SearchForm(QueryDict(querystring))
        self.assertTrue(form.is_valid(), form.errors)
        query = form.to_query()
        page = form.cleaned_data.get("page") or 1
        slow = search_sheets(query, page=page, fast=False, **kwargs)
        quick = search_sheets(query, page=page, fast=True, **kwargs)
        self.assertEqual(quick.total, slow.total, querystring)
        self.assertEqual([s.pk for s in quick.sheets], [s.pk for s in slow.sheets], querystring)
        self.assertEqual((quick.page, quick.num_pages), (slow.page, slow.num_pages), querystring)
        self.assertEqual((quick.suggestion, quick.corrected), (slow.suggestion, slow.corrected))
        self.assertEqual(quick.snippets, slow.snippets, querystring)
        self.assertEqual(facets_of(quick), facets_of(slow), querystring)
        self.assertEqual(truncated_of(quick), truncated_of(slow), querystring)
        return quick

    def test_a_facet_cut_at_its_limit_says_so_on_both_engines(self):
        # 1,500 sheets of many structures: the structure facet shows its first 10.
        for querystring in ("", "q=parentalite", "departement=59"):
            quick = self.compare(querystring)
            self.assertTrue(truncated_of(quick)["structure"], querystring)

    def test_it_answers_as_the_orm_on_random_queries(self):
        published = ActionSheet.objects.published()
        values = {
            "departement": sorted(
                set(published.values_list("structure__departement_id", flat=True)) - {None}
            ),
            "region": ["11", "32", "84", "93", "53"],
            "keywords": list(Keyword.objects.values_list("value", flat=True)),
            "dimension": ["services", "citoyennete", "accompagnement-de-projets"],
            "status": ["en-cours", "terminee"],
            "publics": ["tous-publics", "jeunesse", "familles"],
            "territory": ["un-quartier", "une-commune"],
            "initiators": ["le-centre-social", "un-habitant", "autre"],
            "action_partners": ["caf", "commune", "msa"],
            "financial_partners": ["caf", "etat"],
            "structure_type": ["cs", "evs", "other"],
            "year": list(range(2015, 2027)),
            "structure": list(published.values_list("structure_id", flat=True)[:30]),
        }
        rng = random.Random(6)
        for _ in range(60):
            querystring = random_querystring(rng, values)
            with self.subTest(querystring=querystring):
                self.compare(querystring)

    def test_it_answers_as_the_orm_on_every_sort(self):
        for sort in SORTS:
            for text in ("", "parentalite", "épicerie"):
                self.compare(f"q={text}&sort={sort}")
                self.compare(f"q={text}&sort={sort}&page=3")

    def test_it_answers_as_the_orm_without_page_size(self):
        self.compare("keywords=famille&departement=59&departement=75", per_page=None)
        self.compare("departement=974", with_facets=False)

    def test_it_follows_changes(self):
        before = self.compare("q=grainothèque zéro").total
        sheet = make_sheet(self.marais, "Grainothèque zéro", summary="Grainothèque zéro déchet.")
        sheets_changed.send(sender=None, sheet_ids=[sheet.pk])
        after = self.compare("q=grainothèque zéro")
        self.assertEqual(after.total, before + 1)
        ActionSheet.objects.filter(pk=sheet.pk).update(publication_status="draft")
        # A queryset update sends no signal: whoever writes sends sheets_changed.
        sheets_changed.send(sender=None, sheet_ids=[])
        self.assertEqual(self.compare("q=grainothèque zéro").total, before)

    def test_it_uses_a_bounded_number_of_queries(self):
        fast.get_index()  # built once per process and generation
        params = "q=parents&keywords=parentalite&departement=35&sort=year"
        with CaptureQueriesContext(connection) as ctx:
            self.client.get("/actions/?" + params)
        # generation + known words + keyword spellings + matches + ranks + page + 6 prefetches
        # + the form's vocabulary checks; nothing grows with the number of sheets.
        self.assertLessEqual(len(ctx.captured_queries), 20)
