"""`manage.py run_worker`: the job worker under a supervisor.

Runs `manage.py db_worker` (django-tasks-db) as a child process and starts it again when it
exits, after 1, 2, 4 … 60 seconds (back to 1 once a worker has lived a minute). Every
EXPORT_JOB_HEARTBEAT_SECONDS it also recovers the export jobs of a worker that died
(public.export_jobs.recover_stalled): queued again once, then failed. SIGTERM or SIGINT stop
the worker (it finishes its current task) and the supervisor.

`--batch`: run the queued tasks and stop (tests, cron): the worker is run again while jobs are
recovered, and a worker that fails is started again as without --batch.
"""

import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from public import export_jobs

MAX_BACKOFF = 60
HEALTHY_AFTER = 60  # seconds a worker must live for the backoff to start again from 1


class Command(BaseCommand):
    help = (
        "Lance le service de tâches (db_worker) et le relance s'il s'arrête ; reprend les "
        "exports d'un service arrêté en cours de route."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch",
            action="store_true",
            help="traite les tâches en attente puis s'arrête",
        )
        parser.add_argument(
            "--max-restarts",
            type=int,
            default=None,
            help="nombre de relances après lequel abandonner (par défaut : jamais)",
        )

    def handle(self, *args, batch: bool = False, max_restarts: int | None = None, **options):
        self.stopping = False
        self.child: subprocess.Popen | None = None
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "db_worker"]
        command += ["--no-reload", "--no-startup-delay"] + (["--batch"] if batch else [])
        backoff, restarts = 1, 0
        while not self.stopping:
            self._recover()
            started = time.monotonic()
            self.child = subprocess.Popen(command)
            next_recovery = started + settings.EXPORT_JOB_HEARTBEAT_SECONDS
            while self.child.poll() is None:
                time.sleep(0.2)
                if time.monotonic() >= next_recovery:
                    self._recover()
                    next_recovery = time.monotonic() + settings.EXPORT_JOB_HEARTBEAT_SECONDS
            code = self.child.returncode
            if self.stopping:
                break
            if batch and code == 0:
                if self._recover()[0] == 0:
                    return
                continue  # jobs of a dead worker were queued again: run them
            restarts += 1
            if max_restarts is not None and restarts > max_restarts:
                raise CommandError(f"Le service de tâches s'est arrêté {restarts} fois : abandon.")
            if time.monotonic() - started >= HEALTHY_AFTER:
                backoff = 1
            self.stderr.write(
                f"Le service de tâches s'est arrêté (code {code}) : relance dans {backoff} s."
            )
            deadline = time.monotonic() + backoff
            while not self.stopping and time.monotonic() < deadline:
                time.sleep(0.2)
            backoff = min(backoff * 2, MAX_BACKOFF)

    def _stop(self, signum, frame) -> None:
        self.stopping = True
        if self.child is not None and self.child.poll() is None:
            self.child.send_signal(signal.SIGTERM)
            try:
                self.child.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.child.kill()

    def _recover(self) -> tuple[int, int]:
        try:
            retried, failed = export_jobs.recover_stalled()
        except DatabaseError as error:  # a busy or full database: the next pass tries again
            self.stderr.write(f"Reprise des exports interrompus remise à plus tard : {error}")
            return 0, 0
        if retried or failed:
            self.stdout.write(
                f"Exports interrompus : {retried} relancé(s), {failed} marqué(s) en échec."
            )
        return retried, failed
