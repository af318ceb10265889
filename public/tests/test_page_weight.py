import gzip
import re
from pathlib import Path

from django.contrib.staticfiles import finders

from catalogue.models import Departement, Initiator, Keyword, PartnerKind, Public
from catalogue.signals import sheets_changed
from essaimage.test import SAMPLE_PATH, BaseTestCase, make_sheet, make_structure
from ingest.importer import import_paths

LIMIT = 100 * 1024


def compressed_weight(html: bytes) -> int:
    """HTML + every stylesheet and script it links, each gzipped (as served compressed)."""
    total = len(gzip.compress(html))
    for url in re.findall(rb'(?:href|src)="/static/([^"]+\.(?:css|js))"', html):
        total += len(gzip.compress(Path(finders.find(url.decode())).read_bytes()))
    return total


class PageWeightTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        import_paths([SAMPLE_PATH])
        # Worst case for the sidebar: every département, keyword, public and partner in use.
        keywords, publics = list(Keyword.objects.all()), list(Public.objects.all())
        initiators, partners = list(Initiator.objects.all()), list(PartnerKind.objects.all())
        ids = []
        for departement in Departement.objects.all():
            structure = make_structure(
                f"CENTRE SOCIAL DE {departement.name.upper()}", dep=departement.code
            )
            sheet = make_sheet(
                structure,
                f"Action de {departement.name}",
                summary="Un résumé de taille ordinaire, qui décrit l'action en quelques lignes. "
                * 4,
                year=2015 + len(ids) % 10,
            )
            sheet.keywords.set(keywords)
            sheet.publics.set(publics)
            sheet.initiators.set(initiators)
            sheet.action_partners.set(partners)
            sheet.financial_partners.set(partners)
            ids.append(sheet.pk)
        sheets_changed.send(sender=None, sheet_ids=ids)

    def test_the_catalogue_page_weighs_less_than_100_kb_compressed(self):
        for params in ({}, {"q": "action"}, {"page_size": "100"}):
            with self.subTest(params):
                r = self.client.get("/actions/", params)
                self.assertEqual(r.status_code, 200)
                self.assertContains(r, "htmx-2.min.js")
                self.assertLess(compressed_weight(r.content), LIMIT)
