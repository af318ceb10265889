"""Property: whatever facets a visitor clicks, on the catalogue, a structure page or a
département page, the heading, the filters shown, the address and the list agree."""

import html
import re
from urllib.parse import parse_qsl, urlencode, urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from catalogue.models import ActionSheet, Departement, Structure
from essaimage.test import SAMPLE_PATH
from ingest.importer import import_paths

CHECKBOX = re.compile(r'<input type="checkbox" name="(\w+)" value="([^"]*)" id="[^"]*"( checked)?>')
CHIP = re.compile(r'<a href="([^"]*)" hx-get="[^"]*" class="chip" data-chip="(\w+):([^"]*)">')
FIXED = re.compile(r'data-fixed="(\w+):([^"]*)"><?[^<]*<strong>[^<]*</strong> <a href="([^"]*)"')
CLEAR = re.compile(r'<a href="([^"]*)" hx-get="[^"]*">Effacer les filtres</a>')
H1 = re.compile(r"<h1>(.*?)</h1>", re.S)
TOTAL = re.compile(r'<h2 id="results-title" class="results-count">(.*?)</h2>', re.S)
SHEET = re.compile(r'<article class="card" data-sheet="(\d+)">')

# How each filter reads on the database, written here independently of the search service.
LOOKUPS = {
    "departement": "structure__departement__code__in",
    "region": "structure__departement__region__code__in",
    "keywords": "keywords__value__in",
    "dimension": "dimension__value__in",
    "status": "status__value__in",
    "publics": "publics__value__in",
    "territory": "territory__value__in",
    "initiators": "initiators__value__in",
    "action_partners": "action_partners__value__in",
    "financial_partners": "financial_partners__value__in",
    "structure_type": "structure__type__in",
    "structure": "structure_id__in",
    "year": "year__in",
}


def expected_sheets(filters: dict[str, list[str]]):
    qs = ActionSheet.objects.published()
    for name, values in filters.items():
        # One filter = any of its values; filters combine with AND.
        qs = qs.filter(pk__in=ActionSheet.objects.filter(**{LOOKUPS[name]: values}).values("pk"))
    return qs


class ListingConsistencyTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        import_paths([SAMPLE_PATH])
        cls.pages = ["/actions/"]
        cls.pages += [
            d.get_absolute_url()
            for d in Departement.objects.filter(structures__sheets__isnull=False).distinct()
        ][:4]
        cls.pages += [s.get_absolute_url() for s in Structure.objects.filter(sheets__isnull=False)][
            :4
        ]

    def actions(self, page: str, url: str) -> list[tuple[str, object]]:
        """What a visitor can click: a facet box (the form is sent), a chip, a link."""
        boxes = CHECKBOX.findall(page)
        state = [(name, html.unescape(value)) for name, value, checked in boxes if checked]
        found: list[tuple[str, object]] = []
        for name, value, _ in boxes:
            pair = (name, html.unescape(value))
            params = [p for p in state if p != pair] if pair in state else [*state, pair]
            found.append(("form", f"{urlsplit(url).path}?{urlencode(params)}"))
        found += [("link", html.unescape(href)) for href, _, _ in CHIP.findall(page)]
        found += [("link", html.unescape(m[2])) for m in FIXED.findall(page)]
        found += [("link", html.unescape(href)) for href in CLEAR.findall(page)[:1]]
        return found

    def check(self, response):
        url = response.request["PATH_INFO"]
        query = response.request.get("QUERY_STRING", "")
        page = response.content.decode()
        params: dict[str, list[str]] = {}
        for key, value in parse_qsl(query):
            if key in LOOKUPS:
                params.setdefault(key, []).append(value)
        heading = html.unescape(H1.search(page).group(1).strip())
        fixed = FIXED.search(page)
        filters = {k: list(v) for k, v in params.items()}
        if url == "/actions/":
            self.assertEqual(heading, "Catalogue des actions")
            self.assertIsNone(fixed)
        elif url.startswith("/departements/"):
            departement = Departement.objects.get(code=url.split("/")[2].upper())
            self.assertEqual(heading, f"{departement.name} ({departement.code})")
            self.assertEqual(fixed.group(1, 2), ("departement", departement.code))
            # The address never asks the page for another département.
            self.assertNotIn("departement", params)
            filters["departement"] = [departement.code]
        else:
            structure = Structure.objects.get(pk=int(url.split("/")[2].split("-")[0]))
            self.assertEqual(heading, structure.name)
            self.assertEqual(fixed.group(1, 2), ("structure", str(structure.pk)))
            self.assertNotIn("structure", params)
            filters["structure"] = [str(structure.pk)]
        # The removable filters are exactly those of the address.
        chips = {(name, html.unescape(value)) for _, name, value in CHIP.findall(page)}
        self.assertEqual(chips, {(k, v) for k, values in params.items() for v in values})
        # The list: the announced total and every listed sheet match the filters.
        expected = expected_sheets(filters)
        total = expected.count()
        shown_total = TOTAL.search(page).group(1).strip()
        self.assertTrue(
            shown_total.startswith("Aucune fiche" if total == 0 else f"{total} fiche"),
            (shown_total, total, filters),
        )
        listed = {int(pk) for pk in SHEET.findall(page)}
        self.assertEqual(len(listed), min(total, 25))
        self.assertLessEqual(listed, set(expected.values_list("pk", flat=True)))

    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(start=st.integers(min_value=0), clicks=st.lists(st.integers(min_value=0), max_size=5))
    def test_heading_filters_address_and_list_agree(self, start, clicks):
        url = self.pages[start % len(self.pages)]
        response = self.client.get(url, follow=True)
        self.assertEqual(response.status_code, 200)
        self.check(response)
        for click in clicks:
            page = response.content.decode()
            current = response.request["PATH_INFO"] + "?" + response.request["QUERY_STRING"]
            actions = self.actions(page, current)
            if not actions:
                break
            _, target = actions[click % len(actions)]
            response = self.client.get(target, follow=True)
            self.assertEqual(response.status_code, 200, target)
            self.check(response)

    def test_ticking_another_departement_leads_to_the_catalogue_with_both(self):
        response = self.client.get("/departements/71/?departement=68&keywords=famille")
        self.assertRedirects(
            response,
            "/actions/?departement=71&departement=68&keywords=famille",
            fetch_redirect_response=False,
        )
        response = self.client.get(
            "/departements/71/?departement=68", headers={"HX-Request": "true"}
        )
        self.assertEqual(response["HX-Redirect"], "/actions/?departement=71&departement=68")

    def test_the_page_filter_is_context_not_a_removable_chip(self):
        response = self.client.get("/departements/71/")
        self.assertNotContains(response, "data-chip=")
        self.assertContains(response, 'data-fixed="departement:71"')
        self.assertContains(response, 'id="f-departement-71" checked disabled')
