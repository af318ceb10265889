"""The operator's pages: scheduled jobs ("Tâches") and the Prometheus metrics."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from contrib import access
from operations import metrics, scheduler
from operations.jobs import JOBS
from operations.models import JobRun

HISTORY = 30  # runs listed under the jobs


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    access.require_operations_viewer(request.user)
    last = scheduler.last_runs()
    now = timezone.now()
    jobs = [
        {
            "job": job,
            "next_run": scheduler.next_slot(job, now),
            "last_run": last.get(job.name),
        }
        for job in JOBS.values()
    ]
    failures = JobRun.objects.filter(
        outcome=JobRun.Outcome.FAILED, slot__gte=now - timedelta(days=7)
    ).count()
    runs = list(JobRun.objects.all()[:HISTORY])
    for run in runs:
        run.label = JOBS[run.job].label if run.job in JOBS else run.job
    return render(
        request,
        "operations/job_list.html",
        {
            "jobs": jobs,
            "enabled": sum(1 for row in jobs if row["next_run"]),
            "failures": failures,
            "runs": runs,
            "retries": settings.SCHEDULE_RETRIES,
        },
    )


@require_GET
@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not metrics.is_enabled():
        raise Http404("Page introuvable.")
    if not metrics.may_scrape(request):
        return HttpResponse(
            "Accès refusé : jeton (Authorization: Bearer …) ou adresse non autorisés.\n",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    body, content_type = metrics.render()
    return HttpResponse(body, content_type=content_type)
