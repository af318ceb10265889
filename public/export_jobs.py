"""Exports of a catalogue view, built into a file: by the web request for small ones, by the job
worker (Django's task framework, `public.tasks.build_export`) past a threshold.

- `background_needed(fmt, query)`: how many sheets the export holds, and whether it must be
  prepared in the background (EXPORT_SYNC_MAX_SHEETS, EXPORT_PDF_SYNC_MAX_SHEETS).
- `start(fmt, querystring, client)`: record an ExportJob and enqueue it; raises TooManyJobs past
  EXPORT_JOBS_PER_CLIENT unfinished jobs of this client.
- `build(job_id)`: run by the worker: writes the same bytes as the synchronous export into
  EXPORT_JOBS_DIR, counting progress; the file is kept EXPORT_JOB_KEEP_SECONDS.
- `prune_expired()`: delete expired files and their jobs (the worker calls it before each job;
  `manage.py prune_exports` too).
- `recover_stalled()`: a running job whose heartbeat stopped (its worker was killed) is queued
  again once, then marked failed with a French message; its partial file is removed (the
  worker calls it before each job, `manage.py run_worker` every EXPORT_JOB_HEARTBEAT_SECONDS).

Writes during a build never kill the worker. On SQLite a connection that holds a read open
cannot write once another process has committed ("database is locked", immediately: the busy
timeout does not apply), and the export reads for its whole length. So the progress and the
heartbeat are written by a thread of their own (its own connection), a tick that cannot write
is skipped quietly; the states written by the build itself (running, ready, failed) are retried
with backoff on a fresh connection.
"""

import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, connections
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils import timezone

from catalogue import exports
from catalogue.models import ActionSheet, ExportJob
from essaimage.lib import limits
from search.describe import describe_query
from search.forms import SearchForm
from search.service import iter_sheet_ids, selected_sheets

logger = logging.getLogger(__name__)

INTERRUPTED_MESSAGE = (
    "La préparation du fichier a été interrompue deux fois (le service qui prépare les fichiers "
    "s'est arrêté) : relancez l'export."
)
FAILED_MESSAGE = "La préparation du fichier a échoué."


@dataclass(frozen=True)
class Format:
    extension: str
    label: str  # French, for the progress page
    content_type: str


FORMATS = {
    "csv": Format("csv", "CSV", "text/csv; charset=utf-8"),
    "xlsx": Format(
        "xlsx",
        "Excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "json": Format("json", "JSON", "application/json; charset=utf-8"),
    "jsonl": Format("jsonl", "JSON Lines", "application/jsonl; charset=utf-8"),
    "pdf": Format("pdf", "livret PDF", "application/pdf"),
}


class TooManyJobs(Exception):
    """This client already has EXPORT_JOBS_PER_CLIENT exports in preparation."""


def query_of(querystring: str):
    # SearchForm drops what it cannot use (unknown values, control characters): never an error.
    return SearchForm(QueryDict(querystring)).to_query()


def matching_sheets(query, *, limit: int | None = None) -> Iterator[ActionSheet]:
    """Every sheet the list page shows for `query`, in its order, loaded a chunk at a time
    (capped by settings.EXPORT_MAX_SHEETS)."""
    cap = min(limit or settings.EXPORT_MAX_SHEETS, settings.EXPORT_MAX_SHEETS)
    return exports.iter_sheets_by_id(islice(iter_sheet_ids(query), cap))


def sheet_count(fmt: str, query) -> int:
    """Sheets the export of `query` holds (after the caps)."""
    cap = settings.EXPORT_PDF_MAX_SHEETS if fmt == "pdf" else settings.EXPORT_MAX_SHEETS
    return min(selected_sheets(query).count(), cap, settings.EXPORT_MAX_SHEETS)


def background_needed(fmt: str, query) -> tuple[bool, int]:
    count = sheet_count(fmt, query)
    if fmt == "pdf":
        threshold = settings.EXPORT_PDF_SYNC_MAX_SHEETS
    elif fmt == "xlsx":
        # A workbook is built whole before its first byte: a lower line than the streams'.
        threshold = min(settings.EXPORT_SYNC_MAX_SHEETS, settings.EXPORT_XLSX_SYNC_MAX_SHEETS)
    else:
        threshold = settings.EXPORT_SYNC_MAX_SHEETS
    return count > threshold, count


def booklet(query, *, progress: Callable[[int], None] | None = None) -> bytes:
    """The PDF booklet of a view (cover with the filters, contents, one sheet per page)."""
    limit = settings.EXPORT_PDF_MAX_SHEETS
    sheets = list(_counted(matching_sheets(query, limit=limit), progress))
    total = selected_sheets(query).count() if len(sheets) >= limit else len(sheets)
    return exports.write_booklet_pdf(sheets, filters=describe_query(query), total=total)


def _last_sign_of_life():
    return Coalesce("heartbeat_at", "created_at")


def stalled_jobs():
    """Running jobs whose heartbeat stopped EXPORT_JOB_HEARTBEAT_TIMEOUT seconds ago."""
    limit = timezone.now() - timedelta(seconds=settings.EXPORT_JOB_HEARTBEAT_TIMEOUT)
    return (
        ExportJob.objects.filter(status=ExportJob.Status.RUNNING)
        .alias(last_sign=_last_sign_of_life())
        .filter(last_sign__lt=limit)
    )


def active_jobs(client: str):
    """The client's unfinished jobs: queued ones for EXPORT_JOB_STALE_SECONDS, running ones as
    long as their heartbeat goes on (a killed worker's job stops counting at once)."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.EXPORT_JOB_STALE_SECONDS)
    alive = now - timedelta(seconds=settings.EXPORT_JOB_HEARTBEAT_TIMEOUT)
    return (
        ExportJob.objects.filter(client=client, created_at__gt=stale)
        .alias(last_sign=_last_sign_of_life())
        .filter(
            Q(status=ExportJob.Status.QUEUED)
            | Q(status=ExportJob.Status.RUNNING, last_sign__gte=alive)
        )
    )


def start(fmt: str, querystring: str, client: str) -> ExportJob:
    from public.tasks import build_export  # the task module imports this one

    if fmt not in FORMATS:
        raise ValueError(fmt)
    try:
        # One start at a time per client (shared cache), so two simultaneous requests cannot
        # both pass the count below.
        with limits.slot("export-job-start", client, per_client=1, total=1000, timeout=30):
            if active_jobs(client).count() >= settings.EXPORT_JOBS_PER_CLIENT:
                raise TooManyJobs
            job = ExportJob.objects.create(
                format=fmt,
                querystring=querystring,
                client=client,
                total=sheet_count(fmt, query_of(querystring)),
            )
    except limits.Busy as busy:
        raise TooManyJobs from busy
    build_export.enqueue(str(job.pk))
    return job


def _counted(sheets: Iterable, progress: Callable[[int], None] | None) -> Iterator:
    done = 0
    for sheet in sheets:
        yield sheet
        done += 1
        if progress and done % 200 == 0:
            progress(done)
    if progress:
        progress(done)


def write_file(fmt: str, query, path: Path, *, progress=None) -> None:
    """The export of `query` in `fmt`, byte for byte what the web request sends."""
    if fmt == "pdf":
        path.write_bytes(booklet(query, progress=progress))
        return
    sheets = _counted(matching_sheets(query), progress)
    if fmt == "xlsx":
        with exports.write_xlsx(sheets) as handle, path.open("wb") as out:
            shutil.copyfileobj(handle, out)
        return
    writer = {"csv": exports.write_csv, "json": exports.write_json, "jsonl": exports.write_jsonl}
    with path.open("w", encoding="utf-8", newline="") as out:
        for chunk in writer[fmt](sheets):
            out.write(chunk)


def job_path(job: ExportJob) -> Path:
    return settings.EXPORT_JOBS_DIR / job.file_name


def _retried_write(write: Callable[[], object], what: str) -> None:
    """A state the build must record (running, ready, failed): retried with backoff, each time
    on a fresh connection (a stale read snapshot of SQLite cannot write)."""
    delay = 0.05
    deadline = time.monotonic() + settings.EXPORT_JOB_WRITE_RETRY_SECONDS
    while True:
        try:
            write()
            return
        except DatabaseError:
            if time.monotonic() + delay > deadline:
                raise
            logger.warning("export job: %s not written yet (database busy), retrying", what)
            if not connection.in_atomic_block:
                connection.close()
            time.sleep(delay)
            delay = min(delay * 2, 2.0)


class Heartbeat(threading.Thread):
    """Writes the job's progress (`done`) and heartbeat every EXPORT_JOB_HEARTBEAT_SECONDS from
    its own thread, so its own database connection: a busy database skips a tick, quietly."""

    def __init__(self, job_pk) -> None:
        super().__init__(name=f"export-heartbeat-{job_pk}", daemon=True)
        self.job_pk = job_pk
        self.done = 0
        self._stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self._stopping.wait(settings.EXPORT_JOB_HEARTBEAT_SECONDS):
                self.beat()
        finally:
            connections.close_all()  # this thread's connections only

    def beat(self) -> None:
        try:
            ExportJob.objects.filter(pk=self.job_pk, status=ExportJob.Status.RUNNING).update(
                done=self.done, heartbeat_at=timezone.now()
            )
        except DatabaseError as error:
            logger.info("export job %s: progress tick skipped (%s)", self.job_pk, error)

    def stop(self) -> None:
        self._stopping.set()
        self.join()


def partial_path(job: ExportJob) -> Path:
    return settings.EXPORT_JOBS_DIR / f"{job.pk}.{FORMATS[job.format].extension}.part"


def build(job_id: str) -> None:
    recover_stalled()
    prune_expired()
    job = ExportJob.objects.filter(pk=job_id).first()
    if job is None or job.status not in (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING):
        return  # pruned, or already finished (enqueued twice)
    attempts = job.attempts + 1
    _retried_write(
        lambda: ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.RUNNING,
            attempts=attempts,
            heartbeat_at=timezone.now(),
            done=0,
        ),
        "running state",
    )
    heartbeat = Heartbeat(job.pk)

    def progress(done: int) -> None:
        heartbeat.done = done  # written by the heartbeat thread, never from here

    settings.EXPORT_JOBS_DIR.mkdir(parents=True, exist_ok=True)
    name = f"{job.pk}.{FORMATS[job.format].extension}"
    partial = partial_path(job)
    heartbeat.start()
    try:
        write_file(job.format, query_of(job.querystring), partial, progress=progress)
        os.replace(partial, settings.EXPORT_JOBS_DIR / name)
    except Exception:
        heartbeat.stop()
        partial.unlink(missing_ok=True)
        now = timezone.now()
        _retried_write(
            lambda: ExportJob.objects.filter(pk=job.pk).update(
                status=ExportJob.Status.FAILED,
                error=FAILED_MESSAGE,
                finished_at=now,
                expires_at=now + timedelta(seconds=settings.EXPORT_JOB_KEEP_SECONDS),
            ),
            "failed state",
        )
        raise
    heartbeat.stop()
    now = timezone.now()
    size = (settings.EXPORT_JOBS_DIR / name).stat().st_size
    _retried_write(
        lambda: ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.READY,
            done=heartbeat.done,
            heartbeat_at=now,
            file_name=name,
            size=size,
            finished_at=now,
            expires_at=now + timedelta(seconds=settings.EXPORT_JOB_KEEP_SECONDS),
        ),
        "ready state",
    )


def recover_stalled() -> tuple[int, int]:
    """Jobs whose worker died mid-build: queued again if built once so far, else failed with
    a French message. Their partial file goes. Returns (queued again, failed)."""
    from public.tasks import build_export  # the task module imports this one

    retried = failed = 0
    for job in stalled_jobs():
        partial_path(job).unlink(missing_ok=True)
        # Conditional on the heartbeat read: a job that came back to life is left alone, and
        # two callers at once act once.
        still = ExportJob.objects.filter(
            pk=job.pk, status=ExportJob.Status.RUNNING, heartbeat_at=job.heartbeat_at
        )
        if job.attempts < 2:
            if still.update(status=ExportJob.Status.QUEUED, done=0, heartbeat_at=None):
                build_export.enqueue(str(job.pk))
                retried += 1
                logger.warning("export job %s: worker gone, queued again", job.pk)
        else:
            now = timezone.now()
            if still.update(
                status=ExportJob.Status.FAILED,
                error=INTERRUPTED_MESSAGE,
                finished_at=now,
                expires_at=now + timedelta(seconds=settings.EXPORT_JOB_KEEP_SECONDS),
            ):
                failed += 1
                logger.warning("export job %s: worker gone twice, failed", job.pk)
    return retried, failed


def available(job: ExportJob) -> bool:
    return (
        job.status == ExportJob.Status.READY
        and job.expires_at is not None
        and job.expires_at > timezone.now()
        and job_path(job).is_file()
    )


def prune_expired() -> int:
    """Delete the files and jobs past their expiry (and stale jobs that never finished)."""
    now = timezone.now()
    stale = now - timedelta(
        seconds=settings.EXPORT_JOB_STALE_SECONDS + settings.EXPORT_JOB_KEEP_SECONDS
    )
    expired = ExportJob.objects.filter(expires_at__lte=now) | ExportJob.objects.filter(
        expires_at__isnull=True, created_at__lte=stale
    )
    count = 0
    for job in expired:
        if job.file_name:
            job_path(job).unlink(missing_ok=True)
        job.delete()
        count += 1
    return count
