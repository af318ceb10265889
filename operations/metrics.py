"""The figures an operator watches, in Prometheus' text format (GET /metrics).

Two kinds, so that several gunicorn workers (and servers) give right figures:
- counted in each process as things happen (requests and latency per view family, searches per
  engine, index builds): prometheus-client's multiprocess mode. gunicorn.conf.py points
  PROMETHEUS_MULTIPROC_DIR at a directory of its own before any worker starts; each worker
  writes its values to memory-mapped files there, and a scrape (served by any worker) adds
  them up. Without that variable (runserver, tests) the values are the process's own.
- read from the database at scrape time (the same for every worker and server): the index
  generation, the job queue and its oldest job, the scheduled jobs' last runs, disk left.
"""

import hmac
import os
import shutil
import time

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)
from prometheus_client.core import GaugeMetricFamily

from essaimage.lib.limits import client_address

# Metrics of this process; in multiprocess mode they are read back from the files instead.
LOCAL = CollectorRegistry(auto_describe=True)

REQUESTS = Counter(
    "essaimage_http_requests",
    "Requêtes HTTP servies, par famille de vues, méthode et code de réponse.",
    ["family", "method", "status"],
    registry=LOCAL,
)
LATENCY = Histogram(
    "essaimage_http_request_duration_seconds",
    "Durée des requêtes HTTP (jusqu'au premier octet), par famille de vues.",
    ["family"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120),
    registry=LOCAL,
)
SEARCHES = Counter(
    "essaimage_searches",
    "Recherches servies, par moteur (memory : index en mémoire ; database : base de données).",
    ["engine"],
    registry=LOCAL,
)
INDEX_LOADS = Counter(
    "essaimage_search_index_loads",
    "Index de recherche construits ou chargés par les processus.",
    registry=LOCAL,
)
INDEX_LOAD_SECONDS = Gauge(
    "essaimage_search_index_build_seconds",
    "Durée de la dernière construction (ou du dernier chargement) de l'index en mémoire.",
    multiprocess_mode="mostrecent",
    registry=LOCAL,
)
INDEX_LOADED_AT = Gauge(
    "essaimage_search_index_built_timestamp_seconds",
    "Heure de la dernière construction de l'index en mémoire (secondes Unix).",
    multiprocess_mode="max",
    registry=LOCAL,
)


def is_enabled() -> bool:
    return bool(settings.METRICS_TOKEN or settings.METRICS_ALLOWED_IPS)


def may_scrape(request: HttpRequest) -> bool:
    """A scraper with the bearer token, or from an allowed address."""
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    presented = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
    if token and presented and hmac.compare_digest(presented, token):
        return True
    return client_address(request) in settings.METRICS_ALLOWED_IPS


def view_family(request: HttpRequest) -> str:
    """The family of the view that answered: its URL namespace (catalogue, api, contrib…)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    if match.namespace:
        return "api" if match.namespace.startswith("api") else match.namespace.split(":")[0]
    return match.url_name or "other"


class MetricsMiddleware:
    """Counts every request and its duration by view family."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        family = view_family(request)
        LATENCY.labels(family).observe(time.perf_counter() - started)
        REQUESTS.labels(family, request.method, str(response.status_code)).inc()
        return response


def connect() -> None:
    from search.signals import index_loaded, search_answered

    search_answered.connect(_count_search, dispatch_uid="operations.metrics.search")
    index_loaded.connect(_count_index_load, dispatch_uid="operations.metrics.index")


def _count_search(sender, engine: str, **kwargs) -> None:
    SEARCHES.labels(engine).inc()


def _count_index_load(sender, seconds: float, **kwargs) -> None:
    INDEX_LOADS.inc()
    INDEX_LOAD_SECONDS.set(seconds)
    INDEX_LOADED_AT.set(time.time())


def search_index_state() -> str:
    """For /healthz: "ready" (this process answers from its memory index), "building" (the
    database answers while it is built) or "off" (SEARCH_FAST_PATH off)."""
    if not settings.SEARCH_FAST_PATH:
        return "off"
    from search.engines import memory

    return "ready" if memory.is_ready() else "building"


class DatabaseCollector:
    """Figures read at scrape time, the same whichever worker or server answers."""

    def collect(self):
        from django_tasks_db.models import DBTaskResult

        from operations import scheduler
        from operations.jobs import JOBS
        from search.changes import log_state

        token, log_rows, _ = log_state()
        generation = GaugeMetricFamily(
            "essaimage_search_index_generation_info",
            "Génération courante de l'index de recherche (jeton) et lignes du journal.",
            labels=["generation"],
        )
        generation.add_metric([token], 1)
        yield generation
        yield GaugeMetricFamily(
            "essaimage_search_index_change_log_rows",
            "Fiches modifiées depuis la dernière reconstruction complète (journal).",
            value=log_rows,
        )
        yield GaugeMetricFamily(
            "essaimage_search_index_ready",
            "1 si le processus qui répond a l'index de la génération courante en mémoire.",
            value=1 if search_index_state() == "ready" else 0,
        )

        now = timezone.now()
        queue = GaugeMetricFamily(
            "essaimage_job_queue_length", "Tâches de fond par état.", labels=["status"]
        )
        for status in ("READY", "RUNNING"):
            queue.add_metric([status.lower()], DBTaskResult.objects.filter(status=status).count())
        yield queue
        oldest = (
            DBTaskResult.objects.filter(status="READY")
            .order_by("enqueued_at")
            .values_list("enqueued_at", flat=True)
            .first()
        )
        yield GaugeMetricFamily(
            "essaimage_job_queue_oldest_age_seconds",
            "Âge de la plus ancienne tâche de fond en attente (0 : aucune).",
            value=(now - oldest).total_seconds() if oldest else 0,
        )

        last_start = GaugeMetricFamily(
            "essaimage_scheduled_job_last_run_timestamp_seconds",
            "Début de la dernière exécution de chaque tâche planifiée.",
            labels=["job"],
        )
        last_ok = GaugeMetricFamily(
            "essaimage_scheduled_job_last_run_success",
            "1 si la dernière exécution a réussi, 0 en échec, absent si en cours.",
            labels=["job"],
        )
        last_duration = GaugeMetricFamily(
            "essaimage_scheduled_job_last_run_duration_seconds",
            "Durée de la dernière exécution terminée.",
            labels=["job"],
        )
        next_run = GaugeMetricFamily(
            "essaimage_scheduled_job_next_run_timestamp_seconds",
            "Prochaine exécution prévue de chaque tâche active.",
            labels=["job"],
        )
        runs = scheduler.last_runs()
        for name, job in JOBS.items():
            run = runs.get(name)
            if run is not None:
                last_start.add_metric([name], run.started_at.timestamp())
                if run.finished_at is not None:
                    last_ok.add_metric([name], 1 if run.outcome == run.Outcome.SUCCEEDED else 0)
                    last_duration.add_metric([name], run.duration.total_seconds())
            upcoming = scheduler.next_slot(job, now)
            if upcoming is not None:
                next_run.add_metric([name], upcoming.timestamp())
        yield from (last_start, last_ok, last_duration, next_run)

        media = settings.MEDIA_ROOT if os.path.exists(settings.MEDIA_ROOT) else settings.VAR_DIR
        usage = shutil.disk_usage(media)
        yield GaugeMetricFamily(
            "essaimage_media_disk_free_bytes",
            "Espace libre sur le disque des fichiers joints (MEDIA_ROOT).",
            value=usage.free,
        )
        yield GaugeMetricFamily(
            "essaimage_media_disk_total_bytes",
            "Taille du disque des fichiers joints (MEDIA_ROOT).",
            value=usage.total,
        )


class _Local:
    def collect(self):
        yield from LOCAL.collect()


def render() -> tuple[bytes, str]:
    """The whole exposition: every worker's counted figures and the database's."""
    registry = CollectorRegistry()
    # The mode this process's metrics were created in (the variable is read at import).
    if values.ValueClass is not values.MutexValue and os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_Local())
    registry.register(DatabaseCollector())
    return generate_latest(registry), CONTENT_TYPE_LATEST
