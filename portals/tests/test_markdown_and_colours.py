from django.http import QueryDict
from django.test import SimpleTestCase

from portals.colours import contrast_problem, contrast_ratio
from portals.markdown import render_introduction
from portals.selection import merged_query


class IntroductionTestCase(SimpleTestCase):
    def test_it_renders_the_subset(self):
        html = render_introduction("Un *mot* et **deux**.\n\n- un\n- deux\n\n[site](https://a.org)")
        self.assertIn("<em>mot</em>", html)
        self.assertIn("<strong>deux</strong>", html)
        self.assertIn("<li>un</li>", html)
        self.assertIn('<a href="https://a.org">site</a>', html)

    def test_it_keeps_links_to_this_site(self):
        self.assertIn(
            '<a href="/portails/x/integrer/">', render_introduction("[i](/portails/x/integrer/)")
        )

    def test_it_escapes_html_and_refuses_dangerous_links(self):
        html = render_introduction(
            "<img src=x onerror=alert(1)> [a](javascript:alert(1)) [b](//evil.example) [c](data:text/html,x)"
        )
        self.assertNotIn("<img", html)
        self.assertIn("&lt;img", html)
        self.assertNotIn("href", html)

    def test_headings_and_images_stay_text(self):
        html = render_introduction("# Titre\n\n![logo](https://a.org/x.png)")
        self.assertNotIn("<h1", html)
        self.assertNotIn("<img", html)


class ContrastTestCase(SimpleTestCase):
    def test_black_on_white_is_21(self):
        self.assertAlmostEqual(contrast_ratio("#000000", "#ffffff"), 21.0)
        self.assertAlmostEqual(contrast_ratio("#ffffff", "#ffffff"), 1.0)

    def test_it_says_why_in_french(self):
        self.assertEqual(contrast_problem("#ffffff", "#1d4e89", "le bandeau"), "")
        problem = contrast_problem("#ffffff", "#777777", "le bandeau")
        self.assertIn("4,48:1", problem)
        self.assertIn("au moins 4,5:1", problem)


class MergedQueryTestCase(SimpleTestCase):
    def test_the_visitor_narrows_but_never_widens(self):
        merged = merged_query(
            "departement=25&departement=39", QueryDict("departement=39&departement=75")
        )
        self.assertEqual(merged.getlist("departement"), ["39"])
        merged = merged_query("departement=25", QueryDict("departement=75"))
        self.assertEqual(merged.getlist("departement"), ["25"])

    def test_other_filters_text_and_years_combine(self):
        merged = merged_query(
            "q=jeunes&year_min=2015",
            QueryDict("q=jeunes numérique&year_min=2010&keywords=a&sort=recent"),
        )
        self.assertEqual(merged["q"], "jeunes numérique")
        self.assertEqual(merged["year_min"], "2015")
        self.assertEqual(merged.getlist("keywords"), ["a"])
        self.assertEqual(merged["sort"], "recent")

    def test_offered_values_limit_the_visitor(self):
        merged = merged_query("", QueryDict("publics=familles&publics=seniors"), "publics=familles")
        self.assertEqual(merged.getlist("publics"), ["familles"])
