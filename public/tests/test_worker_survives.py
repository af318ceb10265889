"""The job worker survives a busy SQLite database: a real `db_worker` on a real SQLite file
builds export jobs while other processes write to the same file (the rate counters every
anonymous API read writes to the database cache). It used to die within seconds ("database is
locked" from the job's progress update, then again in the handler marking the job failed).

Subprocesses only (the test database is not involved): bounded in time, stops by itself
(`db_worker --batch` exits once the queue is empty)."""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parent.parent.parent

WRITER = """
import sys, time, uuid
import django
django.setup()
from essaimage.lib import limits
stop, deadline = sys.argv[1], time.time() + float(sys.argv[2])
written = 0
while time.time() < deadline and not __import__("os").path.exists(stop):
    limits.hit("api-anon", uuid.uuid4().hex, "1000/day")  # a write, committed at once
    written += 1
print(written)
"""

ENQUEUE = """
import json, sys
import django
django.setup()
from public import export_jobs
jobs = [export_jobs.start(fmt, "", f"198.51.100.{i}") for i, fmt in enumerate(sys.argv[1:])]
print(json.dumps([str(job.pk) for job in jobs]))
"""

STATE = """
import json
import django
django.setup()
from catalogue.models import ExportJob
print(json.dumps({str(j.pk): [j.status, j.done, j.total, j.file_name] for j in ExportJob.objects.all()}))
"""


class WorkerSurvivesBusyDatabaseTestCase(SimpleTestCase):
    def run_python(self, env, code, *args, timeout=120):
        done = subprocess.run(
            [sys.executable, "-c", code, *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        self.assertEqual(done.returncode, 0, done.stderr[-3000:])
        return json.loads(done.stdout.strip().splitlines()[-1])

    def test_db_worker_builds_every_job_while_the_site_writes(self):
        tmp = Path(tempfile.mkdtemp(prefix="essaimage-worker-"))
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "essaimage.settings",
            "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
            "EXPORT_JOBS_DIR": str(tmp / "exports"),
            "REDIS_URL": "",
            "SQLITE_BUSY_TIMEOUT": "5",
        }
        manage = [sys.executable, "manage.py"]
        for command in (["migrate", "-v0"], ["createcachetable"]):
            subprocess.run(manage + command, cwd=ROOT, env=env, check=True, capture_output=True)
        subprocess.run(
            manage + ["generate_synthetic", "--count", "3000"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        job_ids = self.run_python(env, ENQUEUE, "json", "jsonl", "csv", "json")
        stop = tmp / "stop"
        writers = [
            subprocess.Popen(
                [sys.executable, "-c", WRITER, str(stop), "150"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(3)
        ]
        started = time.monotonic()
        try:
            worker = subprocess.run(
                manage + ["db_worker", "--batch", "--interval", "0.1", "--no-startup-delay"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=240,
            )
        finally:
            stop.touch()
            written = [int(w.communicate(timeout=60)[0].strip() or 0) for w in writers]
        self.assertEqual(worker.returncode, 0, worker.stderr[-3000:])
        self.assertGreater(sum(written), 100, "the writers did write meanwhile")
        state = self.run_python(env, STATE)
        for job_id in job_ids:
            status, done, total, file_name = state[job_id]
            self.assertEqual(status, "ready", (job_id, state[job_id], worker.stderr[-2000:]))
            self.assertEqual(done, total)
            self.assertTrue((tmp / "exports" / file_name).is_file())
        self.assertEqual(list((tmp / "exports").glob("*.part")), [])
        self.assertLess(time.monotonic() - started, 240)
