"""Two production servers (gunicorn, DEBUG off) on one PostgreSQL database and one Redis: what
one server writes, the other serves; limits hold across both; a job is done once.

Runs on the test database when it is PostgreSQL (CI's PostgreSQL run; locally
DATABASE_URL=postgres://…); skipped, saying why, on SQLite or when Redis does not answer.
Every process it starts is killed at the end; every wait is bounded.
"""

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from catalogue.models import ActionSheet, ExportJob, Keyword, PublicationStatus
from contrib.models import User
from essaimage.test import ensure_reference_data, make_sheet, make_structure
from operations.models import JobRun

ROOT = Path(__file__).resolve().parent.parent.parent
REDIS_URL = os.environ.get("TWO_SERVERS_REDIS_URL", "redis://127.0.0.1:6379/0")
pytestmark = pytest.mark.django_db(transaction=True)
STARTUP_SECONDS = 180  # a loaded 2-core machine starts gunicorn and Django slowly
CSRF = secrets.token_hex(16)  # 32 characters: a valid CSRF secret, sent as cookie and header


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping())
    except redis.RedisError:
        return False


def database_url() -> str:
    d = connection.settings_dict
    auth = urllib.parse.quote(d["USER"] or "postgres")
    if d["PASSWORD"]:
        auth += ":" + urllib.parse.quote(d["PASSWORD"])
    return f"postgres://{auth}@{d['HOST'] or '127.0.0.1'}:{d['PORT'] or 5432}/{d['NAME']}"


class Http:
    """A tiny client: no redirects followed, cookies and CSRF sent as a browser would."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base: str, session: str = "", forwarded_for: str = ""):
        self.base = base
        self.cookie = f"csrftoken={CSRF}" + (f"; sessionid={session}" if session else "")
        self.forwarded_for = forwarded_for
        self.opener = urllib.request.build_opener(self._NoRedirect)

    def request(self, path: str, data: dict | None = None, headers=None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)
        request.add_header("Cookie", self.cookie)
        if self.forwarded_for:
            request.add_header("X-Forwarded-For", self.forwarded_for)
        if data is not None:
            request.add_header("X-CSRFToken", CSRF)
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def get(self, path: str, **kwargs) -> tuple[int, str]:
        return self.request(path, **kwargs)

    def post(self, path: str, data: dict) -> tuple[int, str]:
        return self.request(path, data=data)


def wait_for(condition, *, timeout: float, step: float = 0.05, what: str = ""):
    """Poll `condition` until it returns something true; its value, or fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout} s: {what() if callable(what) else what}")
        time.sleep(step)


class Processes:
    def __init__(self, logs: Path):
        self.logs = logs
        self.running: list[subprocess.Popen] = []

    def start(self, name: str, argv: list[str], env: dict) -> subprocess.Popen:
        out = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        process.log_file = out
        self.running.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.running:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.running:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
            process.log_file.close()

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


@pytest.fixture
def two_servers(transactional_db, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs the test database on PostgreSQL (DATABASE_URL=postgres://…): "
            "CI's PostgreSQL run executes it"
        )
    if not redis_reachable():
        pytest.skip(f"Redis does not answer at {REDIS_URL}")
    ensure_reference_data()
    static_root = tmp_path / "static"
    shared = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DEBUG": "False",
        # The test's own: the servers read the sessions this process signs.
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "False",
        "SITE_URL": "https://essaimage.example.org",
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": f"test-two-servers-{uuid.uuid4().hex}",
        "TRUSTED_PROXY_COUNT": "1",
        "API_ANON_RATE": "4/day",  # a fixed window: a day is never crossed mid-test
        "EXPORT_SYNC_MAX_SHEETS": "0",
        "EXPORT_JOBS_PER_CLIENT": "2",
        "EXPORT_JOBS_DIR": str(tmp_path / "exports"),
        "STATIC_ROOT": str(static_root),
        "WEB_CONCURRENCY": "2",
        "METRICS_TOKEN": "jeton-de-test",
        "SEARCH_INDEX_SNAPSHOT_DIR": "",
        "SCHEDULE_COMPUTE_SIMILAR": "",
        "SCHEDULE_BACKUP": "",
        "SCHEDULE_SEND_ALERTS": "",
        "SCHEDULE_PRUNE_TASK_RESULTS": "",
        # Due at the last full hour: two clocks started now find the same slot.
        "SCHEDULE_PRUNE_EXPORTS": "0 * * * *",
        "SCHEDULE_RETRIES": "0",
    }
    for name in ("DJANGO_ALLOW_ASYNC_UNSAFE", "PROMETHEUS_MULTIPROC_DIR", "SQLITE_TEST_NAME"):
        shared.pop(name, None)
    # The manifest only (no compression: seconds, not minutes); whitenoise serves it as is.
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "settings.STORAGES['staticfiles'] = {'BACKEND': "
            "'django.contrib.staticfiles.storage.ManifestStaticFilesStorage'}; "
            "from django.core.management import call_command; "
            "call_command('collectstatic', interactive=False, verbosity=0)",
        ],
        cwd=ROOT,
        env={**shared, "DJANGO_SETTINGS_MODULE": "essaimage.settings"},
        check=True,
        timeout=300,
    )
    processes = Processes(tmp_path)
    servers = {}
    try:
        for name in ("a", "b"):
            port = free_port()
            env = {**shared, "BIND": f"127.0.0.1:{port}", "VAR_DIR": str(tmp_path / name)}
            processes.start(
                f"server-{name}",
                [sys.executable, "-m", "gunicorn", "-c", "essaimage/gunicorn.conf.py"]
                + ["essaimage.wsgi"],
                env,
            )
            servers[name] = f"http://127.0.0.1:{port}"
        for name, base in servers.items():

            def answers(base=base):
                try:
                    return Http(base).get("/healthz")[0] == 200
                except OSError:
                    return False

            wait_for(
                answers,
                timeout=STARTUP_SECONDS,
                step=0.5,
                what=lambda name=name: processes.log(f"server-{name}"),
            )
        yield servers, processes, shared
    finally:
        processes.stop_all()


def logged_in_session(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def metric(body: str, name: str) -> float:
    for line in body.splitlines():
        if line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_two_servers_share_one_database_and_one_redis(two_servers):
    servers, processes, env = two_servers
    admin = User.objects.create_superuser("nadia@example.org", "x")
    session = logged_in_session(admin)
    lac = make_structure("Centre social du Lac", dep="35")
    make_sheet(lac, "Atelier vélo du Lac", keywords=["Famille"])
    draft = make_sheet(
        lac,
        "Jardin partagé Zéphyrine",
        summary="Un potager au pied des immeubles.",
        publication_status=PublicationStatus.SUBMITTED,
    )
    a, b = Http(servers["a"], session), Http(servers["b"], session)
    metrics_auth = {"Authorization": "Bearer jeton-de-test"}

    # B's workers answer from their memory index before anything changes.
    def b_ready():
        b.get("/actions/?q=atelier")
        return json.loads(b.get("/healthz")[1])["search_index"] == "ready"

    for _ in range(4):  # each of B's two workers, whichever answers
        wait_for(b_ready, timeout=120, step=0.2, what="B's index is built")

    # 1. Published through A, found by a search on B: the change log, no rebuild.
    # Confirmed at once (the moderator already said yes on the confirmation page).
    status, _ = a.post(f"/contribuer/relecture/{draft.pk}/publier/", {"confirmation": "oui"})
    assert status == 302, status
    published = time.monotonic()
    wait_for(
        lambda: "Jardin partagé Zéphyrine" in b.get("/actions/?q=zephyrine")[1],
        timeout=10,
        what="the sheet published on A is found on B",
    )
    delay = time.monotonic() - published
    print(f"\ncross-server delay (published on A -> found on B): {delay * 1000:.0f} ms")
    assert delay < 10

    # 2. A vocabulary change on A: B's index is rebuilt for the new generation.
    _, before = b.get("/metrics", headers=metrics_auth)
    famille = Keyword.objects.get(label="Famille")
    status, _ = a.post(
        f"/contribuer/vocabulaire/keyword/{famille.pk}/renommer/",
        {f"rkeyword{famille.pk}-label": "Familles et parents"},
    )
    assert status == 302
    renamed = time.monotonic()
    wait_for(
        lambda: "Familles et parents" in b.get("/actions/")[1],
        timeout=10,
        what="B shows the new label",
    )

    def b_rebuilt():
        b.get("/actions/?q=atelier")
        _, body = b.get("/metrics", headers=metrics_auth)
        return metric(body, "essaimage_search_index_loads_total") > metric(
            before, "essaimage_search_index_loads_total"
        ) and (json.loads(b.get("/healthz")[1])["search_index"] == "ready")

    wait_for(b_rebuilt, timeout=120, step=0.2, what="B rebuilt its index")
    print(f"vocabulary change on A -> B's index rebuilt: {time.monotonic() - renamed:.1f} s")
    _, body = b.get("/metrics", headers=metrics_auth)
    from search.changes import log_state

    assert f'essaimage_search_index_generation_info{{generation="{log_state()[0]}"}} 1.0' in body

    # 3. Rate limits count across both servers (API: 4 a day per address).
    client_a = Http(servers["a"], forwarded_for="203.0.113.7")
    client_b = Http(servers["b"], forwarded_for="203.0.113.7")
    answers = [
        server.get("/api/v1/departements")[0]
        for server in (client_a, client_b, client_a, client_b, client_a, client_b)
    ]
    assert answers == [200, 200, 200, 200, 429, 429], answers
    assert Http(servers["b"], forwarded_for="203.0.113.99").get("/api/v1/departements")[0] == 200

    # 4. The export-job limit (2 waiting per address) holds across both servers.
    exporter_a = Http(servers["a"], forwarded_for="203.0.113.8")
    exporter_b = Http(servers["b"], forwarded_for="203.0.113.8")
    start = {"format": "csv", "querystring": ""}
    assert exporter_a.post("/actions/exports/", start)[0] == 302
    assert exporter_b.post("/actions/exports/", start)[0] == 302
    status, page = exporter_a.post("/actions/exports/", start)
    assert status == 429
    assert "déjà 2 exports en préparation" in page
    assert ExportJob.objects.count() == 2

    # 5. Two workers, two jobs: each job done once.
    for name in ("worker-1", "worker-2"):
        processes.start(
            name,
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.2"],
            env,
        )
    from django_tasks_db.models import DBTaskResult

    # Publishing and renaming enqueued jobs too (similar actions, duplicates): all done once.
    exports = DBTaskResult.objects.filter(task_path="public.tasks.build_export")
    wait_for(
        lambda: (
            exports.filter(status="SUCCESSFUL").count() == 2
            and not DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists()
        ),
        timeout=180,
        step=0.5,
        what=lambda: (
            f"both export jobs done: {list(DBTaskResult.objects.values('status', 'worker_ids'))}"
            + processes.log("worker-1")
            + processes.log("worker-2")
        ),
    )
    for result in DBTaskResult.objects.all():
        assert len(result.worker_ids) == 1, result.worker_ids
    assert DBTaskResult.objects.exclude(status="SUCCESSFUL").count() == 0
    for job in ExportJob.objects.all():
        status, _ = exporter_b.get(f"/actions/exports/{job.pk}/fichier")
        assert status == 200

    # 6. Two clocks, one slot: the job runs once.
    clocks = [
        processes.start(name, [sys.executable, "manage.py", "clock", "--once"], env)
        for name in ("clock-1", "clock-2")
    ]
    for clock in clocks:
        clock.wait(timeout=180)
    outputs = processes.log("clock-1") + processes.log("clock-2")
    runs = list(JobRun.objects.filter(job="prune_exports"))
    assert len(runs) == 1, outputs
    assert runs[0].outcome == JobRun.Outcome.SUCCEEDED, runs[0].output
    assert outputs.count("réussie.") == 1, outputs
    assert outputs.count("déjà lancée par une autre horloge") == 1, outputs

    # 7. Several gunicorn workers, right figures: every request to A counted once.
    _, first = a.get("/metrics", headers=metrics_auth)
    name = 'essaimage_http_requests_total{family="healthz",method="GET",status="200"}'
    for _ in range(20):
        a.get("/healthz")
    _, after = a.get("/metrics", headers=metrics_auth)
    assert metric(after, name) - metric(first, name) == 20
    pids = set(re.findall(r"Booting worker with pid: (\d+)", processes.log("server-a")))
    assert len(pids) >= 2, "A runs two workers"
    assert ActionSheet.objects.filter(pk=draft.pk, publication_status="published").exists()
