from datetime import timedelta

from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from essaimage.test import BaseTestCase
from operations.models import JobRun
from public.tasks import build_export
from search.query import SheetQuery
from search.service import search_sheets


def value_of(body: str, name: str) -> float:
    """The value of the sample line starting with `name` (labels included)."""
    for line in body.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{") and name.endswith("}"):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in the metrics:\n{body}")


@override_settings(METRICS_TOKEN="s3cret-jeton", METRICS_ALLOWED_IPS=[])
class MetricsTestCase(BaseTestCase):
    url = "/metrics"
    auth = {"Authorization": "Bearer s3cret-jeton"}

    def scrape(self) -> str:
        r = self.client.get(self.url, headers=self.auth)
        self.assertEqual(r.status_code, 200)
        self.assertTrue(r["Content-Type"].startswith("text/plain; version="))
        return r.content.decode()

    def test_it_refuses_a_missing_or_wrong_token(self):
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 403)
        self.assertContains(r, "Accès refusé", status_code=403)
        r = self.client.get(self.url, headers={"Authorization": "Bearer autre"})
        self.assertEqual(r.status_code, 403)

    @override_settings(METRICS_TOKEN="", METRICS_ALLOWED_IPS=[])
    def test_it_does_not_exist_when_not_configured(self):
        self.assertEqual(self.client.get(self.url, headers=self.auth).status_code, 404)

    @override_settings(METRICS_TOKEN="", METRICS_ALLOWED_IPS=["10.0.0.7"])
    def test_it_answers_an_allowed_address(self):
        self.assertEqual(self.client.get(self.url, REMOTE_ADDR="10.0.0.7").status_code, 200)
        self.assertEqual(self.client.get(self.url, REMOTE_ADDR="10.0.0.8").status_code, 403)

    def test_it_counts_requests_per_view_family(self):
        before = self.scrape()
        try:
            start = value_of(
                before,
                'essaimage_http_requests_total{family="catalogue",method="GET",status="200"}',
            )
        except AssertionError:
            start = 0
        for _ in range(3):
            self.assertEqual(self.client.get("/actions/").status_code, 200)
        body = self.scrape()
        self.assertEqual(
            value_of(
                body, 'essaimage_http_requests_total{family="catalogue",method="GET",status="200"}'
            ),
            start + 3,
        )
        self.assertIn('essaimage_http_request_duration_seconds_bucket{family="catalogue"', body)

    def test_it_counts_searches_per_engine(self):
        name = 'essaimage_searches_total{engine="database"}'
        try:
            start = value_of(self.scrape(), name)
        except AssertionError:
            start = 0
        with self.settings(SEARCH_FAST_PATH=False):
            search_sheets(SheetQuery(q="repair"))
        self.assertEqual(value_of(self.scrape(), name), start + 1)

    def test_it_reports_the_queue_and_the_scheduled_jobs(self):
        build_export.enqueue("00000000-0000-0000-0000-000000000000")
        DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(minutes=5))
        slot = timezone.now() - timedelta(hours=1)
        JobRun.objects.create(
            job="send_alerts",
            slot=slot,
            started_at=slot,
            finished_at=slot + timedelta(seconds=12),
            outcome=JobRun.Outcome.FAILED,
            attempts=3,
        )
        body = self.scrape()
        self.assertEqual(value_of(body, 'essaimage_job_queue_length{status="ready"}'), 1)
        self.assertGreaterEqual(value_of(body, "essaimage_job_queue_oldest_age_seconds"), 300)
        self.assertEqual(
            value_of(body, 'essaimage_scheduled_job_last_run_success{job="send_alerts"}'), 0
        )
        self.assertEqual(
            value_of(body, 'essaimage_scheduled_job_last_run_duration_seconds{job="send_alerts"}'),
            12,
        )
        self.assertAlmostEqual(
            value_of(body, 'essaimage_scheduled_job_last_run_timestamp_seconds{job="send_alerts"}'),
            slot.timestamp(),
            places=0,
        )
        self.assertGreater(
            value_of(body, 'essaimage_scheduled_job_next_run_timestamp_seconds{job="backup"}'),
            timezone.now().timestamp(),
        )
        self.assertGreater(value_of(body, "essaimage_media_disk_free_bytes"), 0)
        self.assertIn("essaimage_search_index_generation_info{generation=", body)
        self.assertIn("essaimage_search_index_ready ", body)
