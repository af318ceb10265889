"""gunicorn settings for `make serve` (production). Every value can be overridden by environment.

Workers: WEB_CONCURRENCY, default 2 × CPU cores + 1 (gunicorn's advice for sync workers; 5 on
the 2-core reference machine, each ≤ 300 MB). Requests are CPU-bound Django work on a local
database, so sync workers are the simple, sturdy choice; slow clients belong behind a proxy.
"""

import gc
import json
import multiprocessing
import os
import shutil
from pathlib import Path

bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# Streamed exports of tens of thousands of sheets need more than a page does.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 20
# Recycle workers now and then so a slow leak can never reach the memory budget.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
# GUNICORN_PRELOAD=1: the master loads the application and builds the search index once, then
# forks the workers, which share its pages copy-on-write (numpy arrays and bitmaps stay shared
# until a worker changes them) instead of each building and holding its own copy. The site
# answers once the build is done (seconds at 100,000 sheets); new code needs a restart, not a
# reload (HUP), since the workers fork from the master's loaded code.
preload_app = os.environ.get("GUNICORN_PRELOAD", "").lower() in ("1", "true", "yes", "on")


# /metrics adds up the figures of every worker (prometheus-client's multiprocess mode): each
# master gets its own directory, set before the application is imported (preload included),
# emptied at start and removed at exit (docs/operations.md, "Metrics").
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    _var = Path(os.environ.get("VAR_DIR") or Path(__file__).resolve().parent.parent / "var")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(_var / "metrics" / str(os.getpid()))
_metrics_dir = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
shutil.rmtree(_metrics_dir, ignore_errors=True)
_metrics_dir.mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    shutil.rmtree(_metrics_dir, ignore_errors=True)


def when_ready(server):
    if not preload_app:
        return
    from django.conf import settings
    from django.db import connections

    from essaimage.lib.malloc import release_memory

    if settings.SEARCH_FAST_PATH:
        from search.engines import memory

        memory.share(memory.get_index())
    # The master's connections must not be shared with the forked workers.
    connections.close_all()
    # What exists now is never collected in the workers: the collector does not write to its
    # pages (its headers), so they stay shared.
    gc.freeze()
    release_memory()


def post_request(worker, req, environ, resp):
    # After each response (a streamed export included): the numpy temporaries of a search
    # (tens of MB at 1,000,000 sheets) go back to the system instead of staying in the
    # worker's heap, over 100 MB per worker at 1,000,000 (docs/benchmarks/2026-12-03-worker-memory-1m.md).
    from essaimage.lib.malloc import release_memory_if_grown

    release_memory_if_grown()


# X-Forwarded-* are trusted only from the local reverse proxy.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn ≥ 24 opens a control socket in $HOME shared by every instance: not needed here.
control_socket_disable = True
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()

if os.environ.get("LOG_FORMAT", "").lower() == "json":
    access_log_format = json.dumps(
        {
            "time": "%(t)s",
            "logger": "gunicorn.access",
            "remote": "%(h)s",
            "method": "%(m)s",
            "path": "%(U)s",
            "query": "%(q)s",
            "status": "%(s)s",
            "bytes": "%(B)s",
            "duration_ms": "%(M)s",
            "user_agent": "%(a)s",
        }
    )
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "essaimage.lib.logs.JsonFormatter"}},
        "handlers": {
            "error": {"class": "logging.StreamHandler", "formatter": "json"},
            # The access line is already JSON: print it as is.
            "access": {"class": "logging.StreamHandler", "formatter": "raw"},
        },
        "loggers": {
            "gunicorn.error": {
                "handlers": ["error"],
                "level": loglevel.upper(),
                "propagate": False,
            },
            "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        },
    }
    logconfig_dict["formatters"]["raw"] = {"format": "%(message)s"}
else:
    access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms'
