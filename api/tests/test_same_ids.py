"""The API list, the catalogue page and every export give the same sheets for the same query."""

import io
import json
import re
from urllib.parse import urlencode

from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase
from openpyxl import load_workbook

from catalogue import exports
from catalogue.models import ActionSheet, Dimension, Keyword, Public
from essaimage.test import SAMPLE_PATH
from ingest.importer import import_paths

CARD_LINK = re.compile(r'class="card-title"><a href="/actions/(\d+)-')


# Values are drawn from the sample, so that most queries find something.
def _values():
    sheets = ActionSheet.objects.published()
    return {
        "departement": sorted(set(sheets.values_list("structure__departement_id", flat=True))),
        "keywords": sorted(set(Keyword.objects.values_list("value", flat=True)))[:12],
        "dimension": sorted(Dimension.objects.values_list("value", flat=True)),
        "publics": sorted(Public.objects.values_list("value", flat=True)),
        "year": sorted({y for y in sheets.values_list("year", flat=True) if y}),
        "structure_type": ["cs", "evs", "other"],
    }


WORDS = [
    "",
    "",
    "",
    "",
    "parent",
    "café",
    "jeunes",
    "jardin",
    "numérique",
    "repair",
    "famille",
    "zzz",
]
SORTS = ["", "title", "year", "departement", "recent"]


class SameIdsTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        import_paths([SAMPLE_PATH])
        cls.values = _values()

    def setUp(self):
        cache.clear()

    def api_ids(self, params) -> list[int]:
        data = self.client.get("/api/v1/actions?" + urlencode(params + [("page_size", "100")]))
        self.assertEqual(data.status_code, 200, data.content)
        return [r["id"] for r in data.json()["results"]]

    def page_ids(self, params) -> list[int]:
        r = self.client.get("/actions/?" + urlencode(params + [("page_size", "100")]))
        self.assertEqual(r.status_code, 200)
        return [int(i) for i in CARD_LINK.findall(r.content.decode())]

    def export(self, params, extension) -> bytes:
        r = self.client.get(f"/actions/export.{extension}?" + urlencode(params))
        self.assertEqual(r.status_code, 200)
        return b"".join(r.streaming_content)

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(data=st.data())
    def test_it_gives_the_same_ids_everywhere(self, data):
        cache.clear()  # the anonymous rate limit would count every example
        params = []
        q = data.draw(st.sampled_from(WORDS), label="q")
        if q:
            params.append(("q", q))
        # Filters are ANDed: one or two of them keep most queries non-empty.
        available = [name for name, values in self.values.items() if values]
        names = data.draw(st.lists(st.sampled_from(available), max_size=2, unique=True))
        for name in names:
            values = st.lists(
                st.sampled_from(self.values[name]), min_size=1, max_size=2, unique=True
            )
            params += [(name, str(v)) for v in data.draw(values, label=name)]
        sort = data.draw(st.sampled_from(SORTS), label="sort")
        if sort:
            params.append(("sort", sort))

        api = self.api_ids(params)
        self.assertEqual(self.page_ids(params), api)
        csv_rows = exports.read_csv(self.export(params, "csv").decode("utf-8"))
        self.assertEqual([int(row["id"]) for row in csv_rows], api)
        self.assertEqual([r["id"] for r in json.loads(self.export(params, "json"))], api)
        jsonl = self.export(params, "jsonl").decode().splitlines()
        self.assertEqual([json.loads(line)["id"] for line in jsonl], api)
        workbook = load_workbook(io.BytesIO(self.export(params, "xlsx")))
        self.assertEqual(
            [row[0] for row in workbook.active.iter_rows(min_row=2, values_only=True)], api
        )
