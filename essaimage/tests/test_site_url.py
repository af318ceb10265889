"""Every absolute link comes from SITE_URL: CSV, XLSX, PDF, Atom, API and e-mails."""

import csv
import io
import re

from django.core import mail
from django.test import override_settings
from openpyxl import load_workbook
from pypdf import PdfReader

from contrib import editing
from contrib.tests.helpers import ContribTestCase, make_draft

SITE = "https://essaimage.example.org"
LOOPBACK = re.compile(r"https?://(127\.0\.0\.1|localhost|testserver)")


@override_settings(SITE_URL=SITE)
class SiteUrlTestCase(ContribTestCase):
    def setUp(self):
        self.sheet_url = SITE + self.sheet.get_absolute_url()

    def test_the_csv_links_each_sheet_from_site_url(self):
        r = self.client.get("/actions/export.csv")
        text = b"".join(r.streaming_content).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
        self.assertIn(self.sheet_url, rows[1])
        self.assertIsNone(LOOPBACK.search(text))

    def test_the_xlsx_links_each_sheet_from_site_url(self):
        r = self.client.get("/actions/export.xlsx")
        workbook = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
        cells = [c for row in workbook.active.iter_rows() for c in row]
        self.assertIn(self.sheet_url, [c.value for c in cells])
        links = [c.hyperlink.target for c in cells if c.hyperlink]
        self.assertIn(self.sheet_url, links)
        self.assertFalse([link for link in links if LOOPBACK.search(link)])

    def test_the_pdf_prints_the_address_from_site_url(self):
        r = self.client.get(self.sheet.get_absolute_url() + "pdf")
        reader = PdfReader(io.BytesIO(r.content))
        text = re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))
        self.assertIn(self.sheet_url, text)
        self.assertIsNone(LOOPBACK.search(text))

    def test_the_atom_feed_links_from_site_url(self):
        body = self.client.get("/actions/feed.atom").content.decode()
        self.assertIn(f'href="{self.sheet_url}"', body)
        self.assertIsNone(LOOPBACK.search(body))

    def test_the_api_url_fields_come_from_site_url(self):
        record = self.client.get(f"/api/v1/actions/{self.sheet.pk}").json()
        self.assertEqual(record["url"], self.sheet_url)
        listing = self.client.get("/api/v1/actions").json()
        self.assertEqual(listing["results"][0]["url"][: len(SITE)], SITE)
        structure = self.client.get(f"/api/v1/structures/{self.adesir.pk}").json()
        self.assertEqual(structure["url"], SITE + self.adesir.get_absolute_url())

    def test_the_emails_link_from_site_url(self):
        draft = make_draft(self.adesir, "Jardin partagé", self.alice, summary="Un jardin.")
        with self.captureOnCommitCallbacks(execute=True):
            editing.submit(draft, self.alice)
        self.assertTrue(mail.outbox)
        body = mail.outbox[-1].body
        self.assertIn(f"{SITE}/contribuer/relecture/{draft.pk}/", body)
        self.assertIsNone(LOOPBACK.search(body))
