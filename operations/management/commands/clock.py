"""`manage.py clock`: the process that runs the scheduled jobs (Procfile `clock`)."""

import signal

from apscheduler.schedulers.blocking import BlockingScheduler
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection
from django.utils import timezone

from operations import scheduler
from operations.jobs import JOBS, Job, enabled_jobs


def fire(name: str) -> None:
    """APScheduler calls this at each fire time of the job, in a thread of its pool."""
    job = JOBS[name]
    close_old_connections()
    try:
        # The slot is the fire time this call is for (within the misfire grace).
        slot = scheduler.current_slot(job, timezone.now())
        if slot is not None:
            scheduler.run_job(job, slot)
    finally:
        connection.close()  # this thread's own connection


class Command(BaseCommand):
    help = "Lance les tâches planifiées aux heures de SCHEDULED_JOBS (un processus « clock »)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once",
            action="store_true",
            help="lancer les tâches dont l'heure est passée depuis moins de "
            "SCHEDULE_MISFIRE_GRACE secondes et qui n'ont pas tourné, puis s'arrêter",
        )

    def handle(self, *args, **options):
        jobs = enabled_jobs()
        for job in jobs:
            try:
                scheduler.trigger_for(job.schedule)
            except scheduler.ScheduleError as error:
                raise CommandError(f"{job.name} : {error}") from error
        if options["once"]:
            self.run_pending(jobs)
            return
        self.run_forever(jobs)

    def run_pending(self, jobs: list[Job]) -> None:
        for job in jobs:
            slot = scheduler.current_slot(job)
            if slot is None:
                continue
            run = scheduler.run_job(job, slot)
            when = f"{timezone.localtime(slot):%d/%m/%Y %H:%M}"
            if run is None:
                self.stdout.write(f"{job.name} ({when}) : déjà lancée par une autre horloge.")
            else:
                self.stdout.write(f"{job.name} ({when}) : {run.get_outcome_display().lower()}.")

    def run_forever(self, jobs: list[Job]) -> None:
        clock = BlockingScheduler(timezone=settings.TIME_ZONE)
        for job in jobs:
            clock.add_job(
                fire,
                scheduler.trigger_for(job.schedule),
                args=[job.name],
                id=job.name,
                name=job.label,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=settings.SCHEDULE_MISFIRE_GRACE,
            )
        connection.close()  # each job opens its own, in its own thread

        def stop(signum, frame):
            clock.shutdown(wait=False)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        for job in jobs:
            self.stdout.write(
                f"{job.name} : « {job.schedule} », prochaine exécution le "
                f"{timezone.localtime(scheduler.next_slot(job)):%d/%m/%Y à %H:%M}."
            )
        self.stdout.flush()
        clock.start()
