"""Background exports: /actions/export.*?… past the threshold, /actions/exports/ (start),
/actions/exports/<id>/ (progress) and /actions/exports/<id>/fichier (download)."""

import io
import tempfile
from datetime import timedelta
from pathlib import Path

from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook
from pypdf import PdfReader

from catalogue.models import ActionSheet, ExportJob, Structure
from essaimage.test import SAMPLE_PATH, make_sheet
from ingest.importer import import_paths


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def run_worker():
    """The job worker of `manage.py db_worker`, in process: it claims and runs every queued
    task (its own loop closes database connections, which a test transaction cannot allow)."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="tests",
        excluded_queue_names=[],
    )
    for result in DBTaskResult.objects.ready():
        result.claim(worker.worker_id)
        worker.run_task(result)


def cells(data: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows()]


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


class BackgroundExportTestCase(TestCase):
    """The worker of `manage.py db_worker` takes the job from the database."""

    @classmethod
    def setUpTestData(cls):
        import_paths([SAMPLE_PATH])

    def setUp(self):
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.jobs_dir = Path(directory.name)

    def export_in_background(self, url: str) -> bytes:
        with override_settings(
            EXPORT_SYNC_MAX_SHEETS=5, EXPORT_PDF_SYNC_MAX_SHEETS=0, EXPORT_JOBS_DIR=self.jobs_dir
        ):
            offer = self.client.get(url)
            self.assertContains(offer, "Préparer l'export")
            self.assertContains(offer, 'method="post"')
            path, _, querystring = url.partition("?")
            fmt = path.rsplit(".", 1)[1]
            r = self.client.post("/actions/exports/", {"format": fmt, "querystring": querystring})
            self.assertEqual(r.status_code, 302)
            page = self.client.get(r["Location"])
            self.assertContains(page, "Export en attente")
            self.assertNotContains(page, "Télécharger le fichier")
            run_worker()
            page = self.client.get(r["Location"])
            self.assertContains(page, "Votre export est prêt")
            download = self.client.get(r["Location"] + "fichier")
            self.assertEqual(download.status_code, 200)
            self.assertIn("attachment", download["Content-Disposition"])
            return body(download)

    def export_now(self, url: str) -> bytes:
        r = self.client.get(url)
        self.assertEqual(r.status_code, 200)
        self.assertNotIn("text/html", r["Content-Type"])
        return body(r)

    def test_the_job_writes_the_same_file_as_the_web_request(self):
        for url in (
            "/actions/export.csv",
            "/actions/export.json?sort=title",
            "/actions/export.jsonl?q=parentalit%C3%A9",
        ):
            with self.subTest(url=url):
                now = self.export_now(url)
                self.assertGreater(len(now), 1000)
                self.assertEqual(self.export_in_background(url), now)

    def test_the_job_writes_the_same_spreadsheet_and_booklet(self):
        self.assertEqual(
            cells(self.export_in_background("/actions/export.xlsx")),
            cells(self.export_now("/actions/export.xlsx")),
        )
        sheet = ActionSheet.objects.get(title="Repair Café")
        url = f"/actions/export.pdf?departement={sheet.structure.departement_id}&q=r%C3%A9paration"
        with override_settings(EXPORT_PDF_SYNC_MAX_SHEETS=100):
            now = pdf_pages(self.export_now(url))
        self.assertIn("Repair Café", "".join(now))
        self.assertEqual(pdf_pages(self.export_in_background(url)), now)


@override_settings(EXPORT_SYNC_MAX_SHEETS=0, EXPORT_JOBS_PER_CLIENT=2)
class ExportJobLimitsTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        structure = Structure.objects.create(name="ADESIR", departement_id="974")
        make_sheet(structure, "Repair Café")
        make_sheet(structure, "Jardin partagé")

    def start(self, fmt="csv", **extra):
        return self.client.post("/actions/exports/", {"format": fmt, "querystring": ""}, **extra)

    def test_a_client_cannot_start_more_than_n_jobs(self):
        self.assertEqual(self.start().status_code, 302)
        self.assertEqual(self.start("xlsx").status_code, 302)
        r = self.start("json")
        self.assertContains(r, "Vous avez déjà 2 exports en préparation", status_code=429)
        self.assertGreater(int(r["Retry-After"]), 0)
        self.assertEqual(ExportJob.objects.filter(client="127.0.0.1").count(), 2)
        # Another client has its own places.
        self.assertEqual(self.start(REMOTE_ADDR="198.51.100.7").status_code, 302)

    def test_a_finished_job_frees_its_place(self):
        self.start()
        self.start()
        ExportJob.objects.filter(pk=ExportJob.objects.first().pk).update(
            status=ExportJob.Status.READY
        )
        self.assertEqual(self.start().status_code, 302)

    def test_a_job_never_taken_stops_counting_after_a_while(self):
        self.start()
        self.start()
        ExportJob.objects.update(created_at=timezone.now() - timedelta(hours=2))
        self.assertEqual(self.start().status_code, 302)

    def test_the_export_link_offers_a_background_job_past_the_threshold(self):
        r = self.client.get("/actions/export.csv?departement=974")
        self.assertContains(r, "Cet export contient 2 fiches")
        self.assertContains(r, 'name="querystring" value="departement=974"')
        self.assertContains(r, "pendant 24 heures")
        self.assertFalse(ExportJob.objects.exists())  # a GET starts nothing

    @override_settings(EXPORT_SYNC_MAX_SHEETS=1000)
    def test_small_exports_are_sent_at_once(self):
        r = self.client.get("/actions/export.csv")
        self.assertEqual(r["Content-Type"], "text/csv; charset=utf-8")

    def test_it_shows_the_progress_and_polls_with_htmx(self):
        job = ExportJob.objects.get(pk=self.start()["Location"].split("/")[-2])
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, done=1, total=2)
        url = f"/actions/exports/{job.pk}/"
        r = self.client.get(url)
        self.assertContains(r, "Export en préparation : 1 sur 2 fiches (50 %)")
        self.assertContains(r, f'href="{url}">Actualiser la page')
        self.assertContains(r, 'hx-trigger="every 2s"')
        partial = self.client.get(url, headers={"HX-Request": "true"})
        self.assertContains(partial, 'id="export-status"')
        self.assertNotContains(partial, "<h1>")

    def test_it_rejects_an_unknown_format_and_get(self):
        self.assertEqual(self.start("exe").status_code, 400)
        self.assertEqual(self.client.get("/actions/exports/").status_code, 405)

    def test_an_expired_file_is_gone_and_pruned(self):
        with (
            tempfile.TemporaryDirectory() as directory,
            override_settings(EXPORT_JOBS_DIR=Path(directory)),
        ):
            job = ExportJob.objects.get(pk=self.start()["Location"].split("/")[-2])
            path = Path(directory) / f"{job.pk}.csv"
            path.write_text("id\r\n")
            ExportJob.objects.filter(pk=job.pk).update(
                status=ExportJob.Status.READY,
                file_name=path.name,
                expires_at=timezone.now() - timedelta(minutes=1),
            )
            self.assertEqual(self.client.get(f"/actions/exports/{job.pk}/fichier").status_code, 404)
            self.assertContains(
                self.client.get(f"/actions/exports/{job.pk}/"), "n'est plus disponible"
            )
            call_command("prune_exports", stdout=io.StringIO())
            self.assertFalse(path.exists())
            self.assertFalse(ExportJob.objects.filter(pk=job.pk).exists())
