"""A database that answers reads but refuses writes: pages render, writes get a French 503."""

import errno
import json
import tempfile
import unittest
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client, override_settings

from api.tokens import create_token
from catalogue.models import Attachment
from contrib.tests.helpers import ContribTestCase
from essaimage import degraded

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BANNER = "Modification momentanément indisponible"


class DegradedModeMixin:
    def setUp(self):
        super().setUp()
        degraded.forget_failure()
        self.addCleanup(degraded.forget_failure)
        _, self.key = create_token(self.alice, "script")
        self.client.force_login(self.alice)  # the session is written before the database locks

    def assert_writes_refused(self):
        # Each request runs in a savepoint: a refused write outside any atomic block (the login's
        # last_login) would otherwise break the test's own transaction, which production lacks.
        with transaction.atomic():
            self._assert_writes_refused()

    def _assert_writes_refused(self):
        r = self.client.post(
            f"/contribuer/fiches/{self.draft.pk}/brouillon-auto/",
            {"title": "Nouveau titre", "version": self.draft.version},
            headers={"HX-Request": "true"},
        )
        self.assertEqual(r.status_code, 503)
        self.assertContains(r, "Enregistrement impossible pour le moment", status_code=503)
        self.assertContains(r, "Réessayez plus tard", status_code=503)
        self.assertEqual(r["Retry-After"], "30")

        r = self.client.patch(
            f"/api/v1/actions/{self.draft.pk}",
            json.dumps({"summary": "Autre résumé", "version": self.draft.version}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {self.key}"},
        )
        self.assertEqual(r.status_code, 503)
        self.assertIn("Enregistrement impossible", r.json()["detail"])

        # A refused write can also surface after the view (the new session, saved by its
        # middleware): handler500 must answer 503 then too.
        r = Client(raise_request_exception=False).post(
            "/compte/connexion/",
            {"username": "bob@example.org", "password": "mot-de-passe-solide-42"},
        )
        self.assertEqual(r.status_code, 503)

    def assert_reads_work_and_say_so(self, reason: str):
        for url in ("/", "/actions/", self.sheet.get_absolute_url(), "/api/v1/actions"):
            r = self.client.get(url)
            self.assertEqual(r.status_code, 200, url)
        r = self.client.get("/actions/")
        self.assertContains(r, self.sheet.title)
        self.assertContains(r, BANNER)
        self.assertContains(r, degraded.REASONS[reason])
        r = self.client.get("/healthz")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json()["status"], "degraded")
        self.assertEqual(r.json()["database"], reason)


@unittest.skipUnless(connection.vendor == "sqlite", "SQLite's query_only")
class ReadOnlySqliteTestCase(DegradedModeMixin, ContribTestCase):
    def setUp(self):
        super().setUp()
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA query_only = ON")
        self.addCleanup(self._writable)

    def _writable(self):
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA query_only = OFF")

    def test_healthz_notices_it_before_anyone_writes(self):
        r = self.client.get("/healthz")
        self.assertEqual(r.json()["status"], "degraded")
        self.assertEqual(r.json()["database"], "read-only")
        self.assertContains(self.client.get("/actions/"), BANNER)

    def test_writes_get_a_french_503_and_reads_still_work(self):
        self.assertNotContains(self.client.get("/actions/"), BANNER)
        self.assert_writes_refused()
        self.assert_reads_work_and_say_so(degraded.READ_ONLY)
        self._writable()
        degraded.forget_failure()
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.title, "Café des parents")

    @override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": "essaimage_cache",
            }
        },
        API_ANON_RATE="100/min",
        EXPORT_ANON_RATE="30/hour",
    )
    def test_rate_limits_on_the_database_cache_do_not_block_reads(self):
        # The limits count in the database cache by default: a counter that cannot be written
        # must not turn an anonymous read into a 503.
        visitor = Client()
        self.assertEqual(visitor.get("/api/v1/actions").status_code, 200)
        r = visitor.get("/actions/export.csv")
        self.assertEqual(r.status_code, 200)
        self.assertIn(self.sheet.title, b"".join(r.streaming_content).decode("utf-8-sig"))


@unittest.skipUnless(connection.vendor == "postgresql", "PostgreSQL's read-only transactions")
class ReadOnlyPostgresTestCase(DegradedModeMixin, ContribTestCase):
    def setUp(self):
        super().setUp()
        # Undone by rolling back to this savepoint, before the test's deferred key checks run.
        savepoint = transaction.savepoint()
        self.addCleanup(transaction.savepoint_rollback, savepoint)
        with connection.cursor() as cursor:
            cursor.execute("SET default_transaction_read_only = on")
            cursor.execute("SET transaction_read_only = on")

    def test_pages_say_so_before_anyone_writes(self):
        self.assertContains(self.client.get("/actions/"), BANNER)

    def test_writes_get_a_french_503_and_reads_still_work(self):
        self.assert_writes_refused()
        self.assert_reads_work_and_say_so(degraded.READ_ONLY)


@override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="essaimage-degraded-test-"))
class DiskFullTestCase(DegradedModeMixin, ContribTestCase):
    def test_an_upload_that_fills_the_disk_gets_a_503_and_pages_keep_working(self):
        full = OSError(errno.ENOSPC, "No space left on device")
        with mock.patch("django.core.files.storage.FileSystemStorage._save", side_effect=full):
            r = self.client.post(
                f"/contribuer/fiches/{self.draft.pk}/fichiers/",
                {"file": SimpleUploadedFile("bilan.pdf", PDF)},
            )
        self.assertContains(r, "le disque du serveur est plein", status_code=503)
        self.assertFalse(Attachment.objects.exists())
        self.assert_reads_work_and_say_so(degraded.DISK_FULL)
