"""Writes while an import runs: does any autosave, API PATCH or login fail (issue 9, finding 3)?

Builds a fresh SQLite database (file, WAL, the site's settings), generates a SENACS export of
`--sheets` synthetic sheets, starts `manage.py import_senacs` in another process and, while it
runs, has `--clients` processes each log in, autosave its draft and PATCH it through the API, in a
loop; each client is its own process, as gunicorn's workers are. Prints the import time, the number of requests, of errors (5xx) and the writers' longest
wait; `--json` prints the same as one JSON object on the last line.

    python bench/import_concurrency.py --sheets 20000 --clients 20
    python bench/import_concurrency.py --sheets 2000 --clients 4 --busy-timeout 2 --json
"""

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "essaimage-bench-9"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sheets", type=int, default=20000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--busy-timeout", type=int, default=20, help="SQLITE_BUSY_TIMEOUT (s)")
    parser.add_argument("--batch-size", type=int, help="IMPORT_BATCH_SIZE (default: settings)")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument(
        "--think", type=float, default=1.0, help="seconds each client waits between rounds"
    )
    parser.add_argument("--workdir", help="keep the database and export here")
    parser.add_argument("--json", action="store_true")
    return parser.parse_args()


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )


def prepare(env: dict, workdir: Path, args) -> Path:
    manage(env, "migrate", "--noinput", "-v0")
    export = workdir / f"senacs-{args.sheets}-{args.seed}.txt"
    if not export.exists():
        manage(
            env,
            "generate_synthetic",
            "--count",
            str(args.sheets),
            "--seed",
            str(args.seed),
            "--senacs-output",
            str(export),
        )
    return export


def make_clients(count: int) -> list[dict]:
    """One contributor per client, with a draft sheet of their structure and an API key."""
    from api.tokens import create_token
    from catalogue.models import ActionSheet, Departement, Structure
    from contrib.models import Membership, User

    departement = Departement.objects.get(code="35")
    clients = []
    for index in range(count):
        user = User.objects.create_user(f"bench{index}@essaimage.test", PASSWORD)
        structure = Structure.objects.create(
            name=f"Centre social du banc {index}", departement=departement
        )
        Membership.objects.create(user=user, structure=structure)
        sheet = ActionSheet.objects.create(structure=structure, title=f"Brouillon {index}")
        _, key = create_token(user, "banc")
        clients.append({"email": user.email, "sheet": sheet.pk, "key": key})
    return clients


def client_loop(client: dict, stop, results, think: float) -> None:
    from django.db import connections
    from django.test import Client

    connections.close_all()  # never share the parent's SQLite connection
    done = []

    browser = Client(raise_request_exception=False)
    api = Client(raise_request_exception=False)
    round_ = 0
    while not stop.is_set():
        round_ += 1
        calls = [
            (
                "login",
                lambda: browser.post(
                    "/compte/connexion/", {"username": client["email"], "password": PASSWORD}
                ),
            ),
            (
                "autosave",
                lambda n=round_: browser.post(
                    f"/contribuer/fiches/{client['sheet']}/brouillon-auto/",
                    {"title": f"Brouillon {n}", "summary": "Texte tapé " * n},
                    headers={"HX-Request": "true"},
                ),
            ),
            (
                "api-patch",
                lambda n=round_: api.patch(
                    f"/api/v1/actions/{client['sheet']}",
                    json.dumps({"summary": f"Résumé {n}"}),
                    content_type="application/json",
                    headers={"Authorization": f"Bearer {client['key']}"},
                ),
            ),
        ]
        for kind, call in calls:
            started = time.perf_counter()
            response = call()
            seconds = time.perf_counter() - started
            done.append((kind, response.status_code, seconds))
        stop.wait(think)
    results.put(done)


def main() -> dict:
    args = parse_args()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="essaimage-import-concurrency-"))
    workdir.mkdir(parents=True, exist_ok=True)
    database = workdir / f"concurrency-{os.getpid()}.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "SQLITE_BUSY_TIMEOUT": str(args.busy_timeout),
        "DEBUG": "True",
        "DJANGO_SETTINGS_MODULE": "essaimage.settings",
        "SEARCH_FAST_PATH_BACKGROUND": "False",
        # The 500s are counted here; their tracebacks would drown the figures.
        "LOG_LEVEL": "CRITICAL",
    }
    if args.batch_size:
        env["IMPORT_BATCH_SIZE"] = str(args.batch_size)
    os.environ.update(env)
    export = prepare(env, workdir, args)

    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    # Logins hash the password: the fast hasher keeps the clients' loop on the database.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The clients' busy timeout, whatever the settings of the code under test say.
    from django.db import connections

    connections["default"].settings_dict["OPTIONS"]["timeout"] = args.busy_timeout
    clients = make_clients(args.clients)

    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    stop = context.Event()
    workers = [
        context.Process(target=client_loop, args=(c, stop, queue, args.think)) for c in clients
    ]
    started = time.perf_counter()
    importer = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "import_senacs", str(export)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    for worker in workers:
        worker.start()
    stdout, stderr = importer.communicate()
    import_seconds = time.perf_counter() - started
    stop.set()
    results = [row for _ in workers for row in queue.get()]
    for worker in workers:
        worker.join()

    from catalogue.models import ActionSheet

    errors = [r for r in results if r[1] >= 500]
    waits = sorted(r[2] for r in results)
    summary = {
        "sheets": args.sheets,
        "clients": args.clients,
        "think_seconds": args.think,
        "busy_timeout": args.busy_timeout,
        "batch_size": int(
            env.get("IMPORT_BATCH_SIZE") or getattr(settings, "IMPORT_BATCH_SIZE", 0)
        ),
        "import_ok": importer.returncode == 0,
        "import_seconds": round(import_seconds, 2),
        "sheets_imported": ActionSheet.objects.filter(source="senacs").count(),
        "requests": len(results),
        "errors": len(errors),
        "errors_by_kind": {k: sum(1 for r in errors if r[0] == k) for k in {r[0] for r in errors}},
        "statuses": sorted({r[1] for r in results}),
        "max_wait_seconds": round(waits[-1], 2) if waits else None,
        "p95_wait_seconds": round(waits[int(len(waits) * 0.95)], 2) if waits else None,
        "import_stderr": stderr[-500:] if importer.returncode else "",
    }
    if not args.workdir:
        for path in workdir.iterdir():
            if path.name.startswith(database.name):
                path.unlink()
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        for key, value in summary.items():
            print(f"{key:>18}: {value}")
    return summary


if __name__ == "__main__":
    main()
