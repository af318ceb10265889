"""An import runs while contributors autosave, log in and PATCH through the API (issue 9 #3)."""

import json
import subprocess
import sys
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.db import connection
from django.test import SimpleTestCase, TestCase, TransactionTestCase, override_settings

from catalogue.models import ActionSheet, Keyword, Structure
from catalogue.signals import sheets_changed
from essaimage.test import SAMPLE_PATH, ensure_reference_data
from ingest import write_gate
from ingest.importer import import_paths

ROOT = Path(settings.BASE_DIR)


class ImportConcurrencyTestCase(SimpleTestCase):
    """Real processes on a real SQLite file: the importer in one, writers in threads."""

    def test_writers_never_get_a_500_while_an_import_runs(self):
        # 3,000 sheets hold the write lock for 5 to 15 s when written in one transaction,
        # longer than this busy timeout; batches must let every writer in before it expires.
        result = subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "import_concurrency.py"),
                "--sheets=3000",
                "--clients=4",
                "--busy-timeout=4",
                "--json",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        self.assertEqual(result.returncode, 0, result.stderr[-2000:])
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        self.assertTrue(figures["import_ok"], figures["import_stderr"])
        # The generator's seed 9 repeats one sheet in 3,000, which the import merges.
        self.assertEqual(figures["sheets_imported"], 2999)
        self.assertGreater(figures["requests"], 30)
        # "database is locked" past the busy timeout is a 500; the figures say how long
        # requests took (lock wait plus work), which a loaded machine stretches.
        self.assertEqual(figures["errors"], 0, figures)


@override_settings(IMPORT_BATCH_SIZE=5)
class ImportBatchesTestCase(TestCase):
    def test_a_failing_batch_removes_what_earlier_batches_created(self):
        batches = []

        def fail_on_third_batch(sender, sheet_ids, **kwargs):
            batches.append(sheet_ids)
            if len(batches) == 3:
                raise RuntimeError("disque plein")

        sheets_changed.connect(fail_on_third_batch)
        try:
            with self.assertRaises(RuntimeError):
                import_paths([SAMPLE_PATH])
        finally:
            sheets_changed.disconnect(fail_on_third_batch)
        self.assertEqual(len(batches[0]), 5)
        self.assertEqual(ActionSheet.objects.count(), 0)
        self.assertEqual(Structure.objects.count(), 0)
        self.assertFalse(Keyword.objects.filter(needs_review=True).exists())

    def test_batches_give_the_same_result_as_one_transaction(self):
        report = import_paths([SAMPLE_PATH])
        self.assertEqual(report.total("created"), 24)
        self.assertEqual(ActionSheet.objects.count(), 24)
        again = import_paths([SAMPLE_PATH])
        self.assertEqual(again.total("unchanged"), 24)
        self.assertEqual(ActionSheet.objects.count(), 24)


@override_settings(IMPORT_BATCH_SIZE=5, IMPORT_BATCH_SECONDS=600)
class ImportTransactionsTestCase(TransactionTestCase):
    """Batches share a transaction until another writer waits (or for IMPORT_BATCH_SECONDS)."""

    def setUp(self):
        ensure_reference_data()

    def commits(self, waiting: bool) -> int:
        with (
            mock.patch.object(write_gate, "writers_waiting", return_value=waiting),
            mock.patch.object(connection, "commit", wraps=connection.commit) as commit,
        ):
            import_paths([SAMPLE_PATH])
        return commit.call_count

    def test_an_import_alone_writes_its_batches_in_one_transaction(self):
        # The structures, then the 24 sheets' 5 batches together.
        self.assertEqual(self.commits(waiting=False), 2)
        self.assertEqual(ActionSheet.objects.count(), 24)

    def test_an_import_commits_each_batch_while_another_writer_waits(self):
        self.assertEqual(self.commits(waiting=True), 1 + 5)
        self.assertEqual(ActionSheet.objects.count(), 24)
