from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from catalogue.signals import sheets_changed
from essaimage.test import make_sheet, make_structure
from search import matching
from search.service import SheetQuery, search_sheets

# Characters that mean something to FTS5, websearch_to_tsquery or HTML.
NASTY = st.text(
    alphabet=st.sampled_from(list("\"-*():^+OR ANDNOTéàœ'’<>&%_{}[]\\/.,;aeiouxyz012 \t")),
    max_size=40,
)


class SearchFuzzTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        structure = make_structure("CENTRE SOCIAL", dep="35")
        sheet = make_sheet(structure, "Repair Café", summary="Réparer ensemble, « OR » AND NOT.")
        sheets_changed.send(sender=None, sheet_ids=[sheet.pk])

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(NASTY | st.text(max_size=30))
    def test_any_text_gives_a_result(self, text):
        result = search_sheets(SheetQuery(q=text), with_facets=False)
        self.assertGreaterEqual(result.total, 0)
        for snippet in result.snippets.values():
            self.assertNotIn("<", snippet.replace("<mark>", "").replace("</mark>", ""))

    @settings(max_examples=60, deadline=None)
    @given(NASTY)
    def test_any_text_gives_a_page(self, text):
        r = self.client.get("/actions/", {"q": text, "page": text, "year": text})
        self.assertEqual(r.status_code, 200)

    def test_nul_characters_are_harmless(self):
        r = self.client.get("/actions/", {"q": "repair\x00café", "departement": "3\x005"})
        self.assertEqual(r.status_code, 200)
        self.assertEqual(search_sheets(SheetQuery(q="repair\x00")).total, 1)

    @given(st.text(max_size=50))
    def test_parsing_never_fails(self, text):
        plan = matching.plan_query(text)
        for concept in plan.concepts:
            for alternative in concept.alternatives:
                self.assertTrue(all(t.isalnum() for t in alternative.terms))
