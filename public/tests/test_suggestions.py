"""The suggestions fragment (/actions/suggestions/) and the search boxes that use it."""

from html.parser import HTMLParser

from catalogue.signals import sheets_changed
from essaimage.test import make_sheet
from search import autocomplete
from search.tests.base import SearchTestCase

URL = "/actions/suggestions/"


class Tree(HTMLParser):
    """The elements of a fragment, as (tag, attributes, text) in document order."""

    def __init__(self, html):
        super().__init__()
        self.elements, self._open = [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = [tag, dict(attrs), ""]
        self.elements.append(element)
        self._open.append(element)

    def handle_endtag(self, tag):
        if self._open:
            self._open.pop()

    def handle_data(self, data):
        for element in self._open:
            element[2] += data

    def role(self, role):
        return [e for e in self.elements if e[1].get("role") == role]


class SuggestionsViewTestCase(SearchTestCase):
    def setUp(self):
        autocomplete.clear_cache()

    def test_it_answers_a_listbox_of_grouped_options(self):
        r = self.client.get(URL, {"q": "paren", "for": "home-q-suggest"})
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r["X-Robots-Tag"], "noindex")
        tree = Tree(r.content.decode())
        (listbox,) = tree.role("listbox")
        self.assertEqual(listbox[1]["id"], "home-q-suggest-listbox")
        self.assertEqual(listbox[1]["aria-label"], "Suggestions")
        self.assertNotIn("hidden", listbox[1])
        groups = tree.role("group")
        headings = {e[1]["id"]: e[2].strip() for e in tree.role("presentation")}
        self.assertEqual(
            [headings[g[1]["aria-labelledby"]] for g in groups], ["Mots clés", "Fiches actions"]
        )
        options = tree.role("option")
        ids = [o[1]["id"] for o in options]
        self.assertEqual(len(ids), len(set(ids)))
        self.assertTrue(all(i.startswith("home-q-suggest-") for i in ids))
        self.assertEqual(options[0][1]["data-href"], "/actions/?keywords=parentalite")
        self.assertIn("Parentalité", options[0][2])
        self.assertIn("2 fiches", options[0][2])
        self.assertEqual(listbox[1]["data-announce"], f"{len(options)} suggestions")
        self.assertEqual(listbox[1]["data-count"], str(len(options)))

    def test_it_keeps_the_catalogue_filters_for_a_keyword(self):
        r = self.client.get(URL, {"q": "paren", "departement": "53", "page": "3"})
        options = Tree(r.content.decode()).role("option")
        self.assertEqual(
            options[0][1]["data-href"], "/actions/?departement=53&keywords=parentalite"
        )

    def test_it_escapes_labels(self):
        sheet = make_sheet(self.marais, 'Atelier <script>alert("x")</script> & "cuisine"')
        sheets_changed.send(sender=None, sheet_ids=[sheet.pk])
        r = self.client.get(URL, {"q": "atelier", "for": 'x" onmouseover="alert(1)'})
        html = r.content.decode()
        self.assertNotIn("<script>", html)
        self.assertIn("Atelier &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp;", html)
        # A prefix that is not a plain identifier is replaced.
        self.assertNotIn("onmouseover", html)
        self.assertIn('id="suggestions-listbox"', html)

    def test_short_or_unknown_text_answers_an_empty_hidden_listbox(self):
        for q in ("", "p", "zzzzzz", "x" * 500):
            with self.subTest(q=q):
                r = self.client.get(URL, {"q": q})
                self.assertEqual(r.status_code, 200)
                tree = Tree(r.content.decode())
                (listbox,) = tree.role("listbox")
                self.assertIn("hidden", listbox[1])
                self.assertEqual(listbox[1]["data-announce"], "Aucune suggestion")
                self.assertEqual(tree.role("option"), [])

    def test_bad_filters_do_not_break_it(self):
        r = self.client.get(URL, {"q": "jolib", "departement": "999", "year": "abc"})
        self.assertEqual(r.status_code, 200)
        self.assertIn("CENTRE SOCIAL JOLIBOIS", r.content.decode())

    def test_only_get(self):
        self.assertEqual(self.client.post(URL, {"q": "paren"}).status_code, 405)

    def test_the_home_and_catalogue_boxes_have_the_popup_and_stay_plain_forms(self):
        for url, box in (("/", "home-q"), ("/actions/", "id_q")):
            with self.subTest(url=url):
                r = self.client.get(url)
                html = r.content.decode()
                self.assertIn(f'data-suggest="{URL}"', html)
                self.assertIn(f'id="{box}-suggest-listbox"', html)
                self.assertIn(f'id="{box}-suggest-status"', html)
                self.assertIn("js/suggest.js", html)
                # Without JavaScript: no combobox role, the form submits to the catalogue.
                self.assertNotIn('role="combobox"', html)
                self.assertIn('action="/actions/"', html)
        # Structure and département pages keep their box without suggestions.
        r = self.client.get("/departements/53/")
        self.assertNotIn("data-suggest", r.content.decode())
        self.assertNotIn("js/suggest.js", r.content.decode())
