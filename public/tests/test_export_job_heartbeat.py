"""A job whose worker died (killed, machine restarted) does not stay "running" forever: its
heartbeat stops, so it is queued again once, then failed with a French message; its partial
file goes and it no longer counts against its client's limit."""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from django.test import SimpleTestCase, TestCase, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from catalogue.models import ExportJob
from public import export_jobs

ROOT = Path(__file__).resolve().parent.parent.parent
JOBS_DIR = Path(tempfile.mkdtemp(prefix="essaimage-jobs-"))


@override_settings(EXPORT_JOBS_DIR=JOBS_DIR, EXPORT_JOB_HEARTBEAT_TIMEOUT=60)
class StalledJobTestCase(TestCase):
    def running_job(self, *, silent_for: int, attempts: int) -> ExportJob:
        job = ExportJob.objects.create(
            format="json",
            client="203.0.113.9",
            status=ExportJob.Status.RUNNING,
            attempts=attempts,
            done=40,
            total=100,
            heartbeat_at=timezone.now() - timedelta(seconds=silent_for),
        )
        JOBS_DIR.mkdir(exist_ok=True)
        export_jobs.partial_path(job).write_bytes(b'[{"id": 1},')
        return job

    def test_a_live_job_is_left_alone_and_counts(self):
        job = self.running_job(silent_for=5, attempts=1)
        self.assertEqual(export_jobs.recover_stalled(), (0, 0))
        job.refresh_from_db()
        self.assertEqual(job.status, ExportJob.Status.RUNNING)
        self.assertTrue(export_jobs.partial_path(job).exists())
        self.assertEqual(list(export_jobs.active_jobs("203.0.113.9")), [job])

    def test_a_silent_job_is_queued_again_once(self):
        job = self.running_job(silent_for=120, attempts=1)
        # It stops counting against its client as soon as its heartbeat is late.
        self.assertEqual(list(export_jobs.active_jobs("203.0.113.9")), [])
        tasks = DBTaskResult.objects.count()
        self.assertEqual(export_jobs.recover_stalled(), (1, 0))
        job.refresh_from_db()
        self.assertEqual(job.status, ExportJob.Status.QUEUED)
        self.assertEqual(job.done, 0)
        self.assertFalse(export_jobs.partial_path(job).exists())
        self.assertEqual(DBTaskResult.objects.count(), tasks + 1)
        self.assertEqual(export_jobs.recover_stalled(), (0, 0))  # acted on once

    def test_a_job_silent_twice_fails_in_french(self):
        job = self.running_job(silent_for=120, attempts=2)
        self.assertEqual(export_jobs.recover_stalled(), (0, 1))
        job.refresh_from_db()
        self.assertEqual(job.status, ExportJob.Status.FAILED)
        self.assertIn("interrompue deux fois", job.error)
        self.assertFalse(export_jobs.partial_path(job).exists())
        self.assertEqual(list(export_jobs.active_jobs("203.0.113.9")), [])
        page = self.client.get(f"/actions/exports/{job.pk}/")
        self.assertContains(page, "interrompue deux fois")
        self.assertNotContains(page, 'hx-trigger="every 2s"')


STATE = """
import json
import django
django.setup()
from catalogue.models import ExportJob
print(json.dumps([[j.status, j.attempts, j.heartbeat_at is not None, j.file_name, j.error]
                  for j in ExportJob.objects.all()]))
"""


class KilledWorkerTestCase(SimpleTestCase):
    """A real worker killed with SIGKILL mid-export; the supervisor (`run_worker`) takes the
    job up again and builds it. Subprocesses on a SQLite file of their own."""

    def state(self, env) -> list:
        done = subprocess.run(
            [sys.executable, "-c", STATE], cwd=ROOT, env=env, capture_output=True, text=True
        )
        return json.loads(done.stdout.strip().splitlines()[-1])

    def test_a_killed_workers_job_is_built_by_the_next_one(self):
        tmp = Path(tempfile.mkdtemp(prefix="essaimage-kill-"))
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "essaimage.settings",
            "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
            "EXPORT_JOBS_DIR": str(tmp / "exports"),
            "REDIS_URL": "",
            "EXPORT_JOB_HEARTBEAT_SECONDS": "1",
            # Generous: a loaded machine (CI, shared cores) must not miss beats for this long.
            "EXPORT_JOB_HEARTBEAT_TIMEOUT": "10",
        }
        manage = [sys.executable, "manage.py"]
        for command in (
            ["migrate", "-v0"],
            ["createcachetable"],
            ["generate_synthetic", "--count", "3000"],
        ):
            subprocess.run(manage + command, cwd=ROOT, env=env, check=True, capture_output=True)
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; django.setup(); from public import export_jobs; "
                "export_jobs.start('json', '', '203.0.113.9')",
            ],
            cwd=ROOT,
            env=env,
            check=True,
        )
        worker = subprocess.Popen(
            manage + ["db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not list(tmp.glob("exports/*.part")):
                time.sleep(0.02)  # the partial file appears once the job is marked running
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
        status, attempts, has_heartbeat, _, _ = self.state(env)[0]
        self.assertEqual((status, attempts, has_heartbeat), ("running", 1, True))
        self.assertTrue(list(tmp.glob("exports/*.part")), "killed mid-export")
        time.sleep(11)  # the heartbeat is now older than EXPORT_JOB_HEARTBEAT_TIMEOUT
        supervisor = subprocess.run(
            manage + ["run_worker", "--batch", "--max-restarts", "2"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        self.assertEqual(supervisor.returncode, 0, supervisor.stderr[-3000:])
        self.assertIn("1 relancé(s)", supervisor.stdout)
        status, attempts, _, file_name, error = self.state(env)[0]
        self.assertEqual((status, attempts), ("ready", 2), (error, supervisor.stderr[-2000:]))
        self.assertTrue((tmp / "exports" / file_name).is_file())
        self.assertEqual(list(tmp.glob("exports/*.part")), [])


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


class SupervisorTestCase(SimpleTestCase):
    def test_run_worker_starts_a_dead_worker_again_and_stops_on_sigterm(self):
        tmp = Path(tempfile.mkdtemp(prefix="essaimage-supervisor-"))
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "essaimage.settings",
            "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
            "REDIS_URL": "",
        }
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        supervisor = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:

            def wait_for_child(not_this: int | None = None) -> int:
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    found = [c for c in children(supervisor.pid) if c != not_this]
                    if found:
                        return found[0]
                    time.sleep(0.1)
                self.fail("no worker started")

            first = wait_for_child()
            os.kill(first, signal.SIGKILL)
            second = wait_for_child(not_this=first)
            self.assertNotEqual(first, second)
            time.sleep(1)
            supervisor.send_signal(signal.SIGTERM)
            _, err = supervisor.communicate(timeout=60)
        finally:
            if supervisor.poll() is None:
                supervisor.kill()
        self.assertEqual(supervisor.returncode, 0, err[-2000:])
        self.assertIn("Le service de tâches s'est arrêté (code -9) : relance dans 1 s.", err)
        self.assertFalse(Path(f"/proc/{second}").exists(), "the worker stopped with it")
