"""Every PDF the site makes is tagged (PDF/UA-1): structure and language for screen readers.
Checked with poppler's `pdfinfo` (Debian package poppler-utils), as a person auditing would."""

import io
import shutil
import subprocess
import tempfile
import unittest

from pypdf import PdfReader

from essaimage.test import BaseTestCase


def pdfinfo(content: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(content)
        f.flush()
        return subprocess.run(
            ["pdfinfo", f.name], capture_output=True, text=True, check=True
        ).stdout


@unittest.skipUnless(shutil.which("pdfinfo"), "pdfinfo absent (apt-get install poppler-utils)")
class TaggedPdfTestCase(BaseTestCase):
    def assertTagged(self, content: bytes):
        info = pdfinfo(content)
        self.assertRegex(info, r"Tagged:\s+yes")
        root = PdfReader(io.BytesIO(content)).trailer["/Root"]
        self.assertEqual(root["/Lang"], "fr")
        self.assertIn("/StructTreeRoot", root)
        self.assertIn(
            "pdfuaid:part", PdfReader(io.BytesIO(content)).xmp_metadata.stream.get_data().decode()
        )

    def test_the_sheet_pdf_is_tagged(self):
        r = self.client.get(f"/actions/{self.sheet.pk}-{self.sheet.slug}/pdf")
        self.assertTagged(r.content)

    def test_the_booklet_is_tagged(self):
        r = self.client.get("/actions/export.pdf")
        self.assertEqual(r["Content-Type"], "application/pdf")
        self.assertTagged(r.content)

    def test_the_plaquette_is_tagged(self):
        r = self.client.get("/statistiques/plaquette.pdf")
        self.assertTagged(r.content)
