from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.test import override_settings
from django.utils import timezone

from contrib.models import User
from essaimage.test import BaseTestCase
from operations.models import JobRun

PARIS = ZoneInfo("Europe/Paris")


@override_settings(
    SCHEDULED_JOBS={
        "compute_similar": "30 2 * * *",
        "backup": "15 3 * * *",
        "prune_exports": "",
        "prune_task_results": "10 4 * * *",
        "send_alerts": "0 7 * * *",
    }
)
class JobListTestCase(BaseTestCase):
    url = "/exploitation/taches/"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.admin = User.objects.create_superuser("nadia@example.org", "x")
        cls.alice = User.objects.create_user("alice@example.org", "x")

    def test_it_shows_jobs_next_runs_and_last_runs_to_a_national_administrator(self):
        slot = timezone.now() - timedelta(hours=3)
        JobRun.objects.create(
            job="backup",
            slot=slot,
            started_at=slot,
            finished_at=slot + timedelta(seconds=40),
            outcome=JobRun.Outcome.FAILED,
            attempts=3,
            output="<script>alert(1)</script> disque plein",
        )
        JobRun.objects.create(
            job="compute_similar",
            slot=slot - timedelta(days=1),
            started_at=slot - timedelta(days=1),
            finished_at=slot - timedelta(days=1) + timedelta(minutes=2),
            outcome=JobRun.Outcome.SUCCEEDED,
            attempts=1,
        )
        self.client.force_login(self.admin)
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "<h1>Tâches planifiées</h1>", html=True)
        self.assertContains(r, "4 tâches planifiées sur 5, lancées")
        self.assertContains(r, "relancée 2 fois")
        self.assertContains(r, "1 échec ces 7 derniers jours")
        self.assertContains(r, "Sauvegarde du site")
        self.assertContains(r, "Échec (3 tentatives)")
        self.assertContains(r, "Réussie")
        self.assertContains(r, "désactivée")
        self.assertContains(r, "2 exécutions, de la plus récente")
        # The next backup, in French, at the configured time.
        self.assertContains(r, "à 03:15")
        self.assertNotContains(r, "<script>alert(1)</script>")
        self.assertContains(r, "&lt;script&gt;alert(1)&lt;/script&gt; disque plein")

    def test_it_says_when_nothing_ran_yet(self):
        self.client.force_login(self.admin)
        r = self.client.get(self.url)
        self.assertContains(r, "Aucune exécution pour l'instant")
        self.assertContains(r, "Aucun échec ces 7 derniers jours")
        self.assertContains(r, "jamais")

    def test_it_refuses_other_people(self):
        self.client.force_login(self.alice)
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 403)
        self.assertContains(r, "administrateurs nationaux", status_code=403)

    def test_it_sends_visitors_to_the_login_page(self):
        r = self.client.get(self.url)
        self.assertRedirects(
            r, f"/compte/connexion/?next={self.url}", fetch_redirect_response=False
        )

    def test_it_rejects_post(self):
        self.client.force_login(self.admin)
        self.assertEqual(self.client.post(self.url).status_code, 405)

    def test_it_keeps_the_slot_time_in_paris_time(self):
        slot = datetime(2026, 12, 6, 2, 30, tzinfo=PARIS)
        JobRun.objects.create(job="compute_similar", slot=slot, started_at=slot)
        self.client.force_login(self.admin)
        r = self.client.get(self.url)
        self.assertContains(r, "6 décembre 2026 à 02:30")
        self.assertContains(r, "En cours")
