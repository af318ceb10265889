"""Scheduled jobs without cron: when each job is due, who runs it, and what is recorded.

A slot is a job's scheduled time (a fire time of its cron trigger, APScheduler's CronTrigger).
`run_job` first inserts the JobRun row of (job, slot): the unique constraint lets one clock
only win, so two clocks on two servers never run the same slot. The winner runs the job,
retries a failed run `SCHEDULE_RETRIES` times after `SCHEDULE_RETRY_DELAY` seconds, records
start, end, outcome, attempts and the job's report, and reports a final failure (log at ERROR
level and an e-mail to ADMINS).
"""

import logging
import os
import socket
import subprocess
import time
from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from django.conf import settings
from django.core.mail import mail_admins
from django.db import IntegrityError, transaction
from django.utils import timezone

from operations.jobs import ROOT, Job
from operations.models import JobRun

logger = logging.getLogger(__name__)

OUTPUT_CHARS = 4000  # the end of a job's output kept with its run


class ScheduleError(ValueError):
    """A schedule in settings is not a valid cron expression."""


def trigger_for(expression: str) -> CronTrigger:
    """The cron trigger of `expression` ("30 2 * * *"), in the site's time zone."""
    try:
        return CronTrigger.from_crontab(expression, timezone=settings.TIME_ZONE)
    except ValueError as error:
        raise ScheduleError(f"Horaire invalide « {expression} » : {error}") from error


def next_slot(job: Job, now: datetime | None = None) -> datetime | None:
    """The job's next scheduled time after `now` (None: the job is off)."""
    if not job.schedule:
        return None
    now = now or timezone.now()
    return trigger_for(job.schedule).get_next_fire_time(None, now)


def current_slot(job: Job, now: datetime | None = None, *, within: float | None = None):
    """The job's latest scheduled time at or before `now`, no older than `within` seconds
    (default SCHEDULE_MISFIRE_GRACE), else None."""
    if not job.schedule:
        return None
    now = now or timezone.now()
    within = settings.SCHEDULE_MISFIRE_GRACE if within is None else within
    trigger = trigger_for(job.schedule)
    slot = None
    fire = trigger.get_next_fire_time(None, now - timedelta(seconds=within))
    while fire is not None and fire <= now:
        slot = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return slot


def clock_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(job: Job, slot: datetime, clock: str = "") -> JobRun | None:
    """The new run of (job, slot), or None when another clock claimed that slot first."""
    try:
        with transaction.atomic():
            return JobRun.objects.create(
                job=job.name, slot=slot, started_at=timezone.now(), clock=clock or clock_name()
            )
    except IntegrityError:
        return None


def execute(job: Job) -> tuple[bool, str]:
    """Run the job's command once: (succeeded, the end of what it printed)."""
    try:
        done = subprocess.run(
            job.argv,
            cwd=ROOT,
            env={**os.environ, **job.env},
            capture_output=True,
            text=True,
            timeout=settings.SCHEDULE_JOB_TIMEOUT,
        )
    except subprocess.TimeoutExpired as expired:
        out = (expired.stdout or b"")[-OUTPUT_CHARS:]
        text = out.decode(errors="replace") if isinstance(out, bytes) else out
        minutes = settings.SCHEDULE_JOB_TIMEOUT // 60
        return False, f"{text}\nArrêtée : plus de {minutes} min d'exécution."
    except OSError as error:
        return False, f"Commande impossible à lancer : {error}"
    output = (done.stdout + done.stderr).strip()
    if done.returncode != 0:
        output += f"\nCode de sortie {done.returncode}."
    return done.returncode == 0, output[-OUTPUT_CHARS:]


def run_job(
    job: Job,
    slot: datetime,
    *,
    retries: int | None = None,
    retry_delay: float | None = None,
    clock: str = "",
) -> JobRun | None:
    """Run `job` for `slot` unless another clock has (None); retried, recorded, reported."""
    retries = settings.SCHEDULE_RETRIES if retries is None else retries
    retry_delay = settings.SCHEDULE_RETRY_DELAY if retry_delay is None else retry_delay
    run = claim(job, slot, clock)
    if run is None:
        logger.info("scheduled job %s of %s: already run by another clock", job.name, slot)
        return None
    logger.info("scheduled job %s of %s: started", job.name, slot)
    for attempt in range(1, retries + 2):
        succeeded, output = execute(job)
        run.attempts = attempt
        run.output = output
        run.save(update_fields=["attempts", "output"])
        if succeeded:
            break
        logger.warning("scheduled job %s: attempt %d failed: %s", job.name, attempt, output[-500:])
        if attempt <= retries:
            time.sleep(retry_delay)
    run.outcome = JobRun.Outcome.SUCCEEDED if succeeded else JobRun.Outcome.FAILED
    run.finished_at = timezone.now()
    run.save(update_fields=["outcome", "finished_at"])
    if not succeeded:
        report_failure(job, run)
    else:
        logger.info("scheduled job %s of %s: done in %s", job.name, slot, run.duration)
    return run


def report_failure(job: Job, run: JobRun) -> None:
    logger.error(
        "scheduled job %s of %s failed after %d attempts: %s",
        job.name,
        run.slot,
        run.attempts,
        run.output[-1000:],
    )
    mail_admins(
        f"Tâche planifiée en échec : {job.label}",
        f"La tâche « {job.label} » prévue le {timezone.localtime(run.slot):%d/%m/%Y à %H:%M} "
        f"a échoué après {run.attempts} tentatives.\n\n{run.output}",
        fail_silently=True,
    )


def last_runs() -> dict[str, JobRun]:
    """Each job's most recent run."""
    from operations.jobs import JOBS

    runs = {name: JobRun.objects.filter(job=name).order_by("-slot").first() for name in JOBS}
    return {name: run for name, run in runs.items() if run is not None}
