"""With the measured settings, a few dozen sheets are exported at once; large ones go to the job
worker (bench/export_threshold.py measured where the line is)."""

from django.core.cache import cache

from essaimage.test import SAMPLE_PATH, BaseTestCase
from ingest.importer import import_paths


class ExportThresholdTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        import_paths([SAMPLE_PATH])

    def setUp(self):
        cache.clear()

    def test_a_booklet_of_a_few_sheets_is_made_at_once(self):
        r = self.client.get("/actions/export.pdf", {"keywords": "mixite-sociale"})  # 9 sheets
        self.assertEqual(r["Content-Type"], "application/pdf")

    def test_a_few_dozen_sheets_in_a_spreadsheet_are_made_at_once(self):
        for fmt, content_type in (
            ("csv", "text/csv; charset=utf-8"),
            ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ):
            with self.subTest(fmt):
                r = self.client.get(f"/actions/export.{fmt}")
                self.assertEqual(r["Content-Type"], content_type)

    def test_the_whole_sample_as_a_booklet_goes_to_the_job_worker(self):
        r = self.client.get("/actions/export.pdf")
        self.assertContains(r, "Préparer")
