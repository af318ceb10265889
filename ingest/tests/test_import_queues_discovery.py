"""After an import, similar actions and probable duplicates appear without waiting for the
nightly `compute_similar`: the import queues their computation in the job worker."""

from django.test import TestCase
from django_tasks_db.models import DBTaskResult

from catalogue.models import ActionSheet
from discovery.models import ProbableDuplicate, SimilarSheet
from essaimage.test import SAMPLE_PATH, ensure_reference_data
from ingest.importer import import_bytes, import_paths
from ingest.tests.test_import_duplicates import retitled_second_copy
from public.tests.test_export_jobs import run_worker

TASK = "discovery.tasks.recompute_after_import"


class ImportQueuesDiscoveryTestCase(TestCase):
    def setUp(self):
        ensure_reference_data()

    def test_the_worker_fills_similar_actions_and_duplicates_after_an_import(self):
        import_bytes(retitled_second_copy().encode(), name="senacs.txt")
        self.assertEqual(DBTaskResult.objects.ready().filter(task_path=TASK).count(), 1)
        run_worker()
        published = ActionSheet.objects.published().count()
        self.assertGreater(published, 20)
        self.assertGreater(SimilarSheet.objects.values("sheet").distinct().count(), published // 2)
        titles = {
            frozenset((p.first.title, p.second.title))
            for p in ProbableDuplicate.objects.select_related("first", "second")
        }
        self.assertIn(frozenset(("Repair Café", "Atelier de réparation du quartier")), titles)

    def test_two_files_queue_one_computation(self):
        import_paths([SAMPLE_PATH, SAMPLE_PATH])
        self.assertEqual(DBTaskResult.objects.ready().filter(task_path=TASK).count(), 1)

    def test_a_dry_run_queues_nothing(self):
        import_paths([SAMPLE_PATH], dry_run=True)
        self.assertFalse(DBTaskResult.objects.filter(task_path=TASK).exists())
