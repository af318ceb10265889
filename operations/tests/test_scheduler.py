"""The clock's scheduler: a due job runs once per slot, a failing one is retried then reported,
two clocks never run the same slot. Jobs here are real child processes (a few lines of Python)."""

import sys
import tempfile
from datetime import datetime
from io import StringIO
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

from django.core import mail
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from operations import scheduler
from operations.jobs import JOBS, Job
from operations.models import JobRun

PARIS = ZoneInfo("Europe/Paris")


def counting_job(name: str, path: Path, *, exit_code: int = 0) -> Job:
    """A job that appends a line to `path` each time it runs, then exits with `exit_code`."""
    code = (
        f"import sys; open({str(path)!r}, 'a').write('run\\n'); "
        f"print('3 fichiers supprimés'); sys.exit({exit_code})"
    )
    return Job(name, "Tâche d'essai", (sys.executable, "-c", code))


@override_settings(SCHEDULED_JOBS={"essai": "30 2 * * *"}, ADMINS=[("", "ops@example.org")])
class SchedulerTestCase(TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.runs_file = Path(self.tmp.name) / "runs.txt"
        self.slot = datetime(2026, 12, 6, 2, 30, tzinfo=PARIS)

    def runs(self) -> int:
        return len(self.runs_file.read_text().splitlines()) if self.runs_file.exists() else 0

    def test_it_finds_the_slot_due_and_the_next_one(self):
        job = counting_job("essai", self.runs_file)
        at = datetime(2026, 12, 6, 2, 45, tzinfo=PARIS)
        self.assertEqual(scheduler.current_slot(job, at), self.slot)
        self.assertEqual(scheduler.next_slot(job, at), datetime(2026, 12, 7, 2, 30, tzinfo=PARIS))
        # Past the misfire grace (an hour), the slot is no longer due.
        late = datetime(2026, 12, 6, 3, 45, tzinfo=PARIS)
        self.assertIsNone(scheduler.current_slot(job, late))

    def test_it_runs_a_due_job_once_and_records_it(self):
        job = counting_job("essai", self.runs_file)
        run = scheduler.run_job(job, self.slot, retries=2, retry_delay=0)
        self.assertEqual(self.runs(), 1)
        run.refresh_from_db()
        self.assertEqual(run.outcome, JobRun.Outcome.SUCCEEDED)
        self.assertEqual(run.attempts, 1)
        self.assertIn("3 fichiers supprimés", run.output)
        self.assertIsNotNone(run.finished_at)
        self.assertGreaterEqual(run.finished_at, run.started_at)
        # The same slot again (a second clock, or this one firing twice): nothing runs.
        self.assertIsNone(scheduler.run_job(job, self.slot, retries=2, retry_delay=0))
        self.assertEqual(self.runs(), 1)
        self.assertEqual(JobRun.objects.filter(job="essai").count(), 1)

    def test_two_clocks_do_not_run_the_same_slot(self):
        job = counting_job("essai", self.runs_file)
        first = scheduler.claim(job, self.slot, "serveur-a:1")
        second = scheduler.claim(job, self.slot, "serveur-b:1")
        self.assertIsNotNone(first)
        self.assertIsNone(second)
        self.assertEqual(JobRun.objects.get().clock, "serveur-a:1")
        # The next slot is free again.
        self.assertIsNotNone(scheduler.claim(job, datetime(2026, 12, 7, 2, 30, tzinfo=PARIS)))

    def test_a_failing_job_is_retried_then_reported(self):
        job = counting_job("essai", self.runs_file, exit_code=3)
        with self.assertLogs("operations.scheduler", "ERROR") as logs:
            run = scheduler.run_job(job, self.slot, retries=2, retry_delay=0)
        self.assertEqual(self.runs(), 3)
        run.refresh_from_db()
        self.assertEqual(run.outcome, JobRun.Outcome.FAILED)
        self.assertEqual(run.attempts, 3)
        self.assertIn("Code de sortie 3", run.output)
        self.assertIn("essai", logs.output[0])
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn("Tâche planifiée en échec", mail.outbox[0].subject)
        self.assertIn("a échoué après 3 tentatives", mail.outbox[0].body)

    def test_a_job_that_succeeds_on_retry_is_a_success(self):
        marker = Path(self.tmp.name) / "second-time"
        code = (
            f"import os, sys; p = {str(marker)!r}\n"
            "if not os.path.exists(p): open(p, 'w').close(); sys.exit(1)\n"
        )
        job = Job("essai", "Tâche d'essai", (sys.executable, "-c", code))
        run = scheduler.run_job(job, self.slot, retries=2, retry_delay=0)
        self.assertEqual((run.outcome, run.attempts), (JobRun.Outcome.SUCCEEDED, 2))
        self.assertEqual(len(mail.outbox), 0)

    def test_it_rejects_an_invalid_schedule_in_french(self):
        with self.assertRaisesMessage(scheduler.ScheduleError, "Horaire invalide"):
            scheduler.trigger_for("tous les jours")


class ClockCommandTestCase(TestCase):
    @override_settings(SCHEDULED_JOBS={"essai": "* * * * *"}, SCHEDULE_RETRIES=0)
    def test_once_runs_the_due_jobs_then_skips_the_claimed_slot(self):
        with tempfile.TemporaryDirectory() as tmp:
            runs_file = Path(tmp) / "runs.txt"
            with mock.patch.dict(JOBS, {"essai": counting_job("essai", runs_file)}):
                out = StringIO()
                call_command("clock", "--once", stdout=out)
                call_command("clock", "--once", stdout=out)
            runs = runs_file.read_text().splitlines()
        printed = out.getvalue()
        self.assertIn("essai (", printed)
        self.assertIn("réussie.", printed)
        run = JobRun.objects.order_by("slot").first()
        self.assertEqual(run.outcome, JobRun.Outcome.SUCCEEDED, run.output)
        self.assertLessEqual(run.slot, timezone.now())
        # One run per slot: unless the minute turned between both calls, the second found
        # the slot taken.
        self.assertEqual(len(runs), JobRun.objects.count())
        if len(runs) == 1:
            self.assertIn("déjà lancée par une autre horloge", printed)

    @override_settings(SCHEDULED_JOBS={"essai": "chaque nuit"})
    def test_it_refuses_an_invalid_schedule(self):
        with (
            mock.patch.dict(JOBS, {"essai": Job("essai", "Essai", ("true",))}),
            self.assertRaisesMessage(CommandError, "essai : Horaire invalide"),
        ):
            call_command("clock", "--once")

    def test_every_job_the_readme_schedules_is_known(self):
        self.assertEqual(
            set(JOBS),
            {"compute_similar", "send_alerts", "prune_exports", "prune_task_results", "backup"},
        )
        for job in JOBS.values():
            self.assertTrue(job.schedule, f"{job.name} has a default schedule")
            scheduler.trigger_for(job.schedule)
