"""How long do `backup` and `restore` take on N synthetic sheets (issue 9, finding 8)?

Builds (once, kept in --workdir) a SQLite database with N sheets from `generate_synthetic`,
times `manage.py backup`, then `manage.py restore` into a freshly migrated database (SQLite, or
the PostgreSQL database given by --restore-url, which is dropped and recreated), and checks the
restored row counts. `--old` also times the open-data path `export_actions` → `import_actions`.

    python bench/backup_restore.py --sheets 100000
    python bench/backup_restore.py --sheets 20000 --old
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


CPU: dict[str, float] = {}


def manage(url: str, *args: str) -> tuple[float, str]:
    """Run a management command: (wall seconds, output); its CPU seconds go to CPU[command]."""
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env={**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU[args[0]] = round(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, 1)
    return time.perf_counter() - started, result.stdout.strip()


def fresh(url: str, path: Path | None) -> None:
    if path is not None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        name = url.rsplit("/", 1)[1]
        base = url.rsplit("/", 1)[0] + "/postgres"
        subprocess.run(["psql", base, "-qc", f'DROP DATABASE IF EXISTS "{name}"'], check=True)
        subprocess.run(["psql", base, "-qc", f'CREATE DATABASE "{name}"'], check=True)
    manage(url, "migrate", "--noinput", "-v0")


def counts(url: str) -> dict:
    code = (
        "import json; from ingest.archive import BACKED_UP, _model; "
        "print(json.dumps({l: _model(l)._base_manager.count() for l in BACKED_UP}))"
    )
    _, out = manage(url, "shell", "-c", code)
    return json.loads(out.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sheets", type=int, default=100000)
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "essaimage-bb"))
    parser.add_argument("--restore-url", help="postgres://… database to restore into (recreated)")
    parser.add_argument("--old", action="store_true", help="also time export/import_actions")
    parser.add_argument(
        "--source", help="an existing SQLite base to back up (migrated first; never regenerated)"
    )
    args = parser.parse_args()
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    source = Path(args.source) if args.source else work / f"source-{args.sheets}.sqlite3"
    source_url = f"sqlite:///{source}"
    figures = {"sheets": args.sheets, "load_average_at_start": os.getloadavg()}
    if args.source:
        manage(source_url, "migrate", "--noinput", "-v0")
    elif not source.exists():
        fresh(source_url, source)
        seconds, _ = manage(source_url, "generate_synthetic", "--count", str(args.sheets))
        figures["generate_seconds"] = round(seconds, 1)
    expected = counts(source_url)

    archive = work / f"backup-{args.sheets}.zip"
    seconds, _ = manage(source_url, "backup", str(archive))
    figures["backup_seconds"] = round(seconds, 1)
    figures["backup_cpu_seconds"] = CPU["backup"]
    figures["archive_mb"] = round(archive.stat().st_size / 1e6, 1)

    target = None if args.restore_url else work / "restored.sqlite3"
    target_url = args.restore_url or f"sqlite:///{target}"
    fresh(target_url, target)
    seconds, out = manage(target_url, "restore", str(archive))
    figures["restore_seconds"] = round(seconds, 1)
    figures["restore_cpu_seconds"] = CPU["restore"]  # what it takes on an idle machine, roughly
    figures["restore_report"] = out
    figures["restore_database"] = target_url.split(":", 1)[0]
    figures["counts_identical"] = counts(target_url) == expected

    if args.old:
        export = work / f"records-{args.sheets}.jsonl"
        seconds, _ = manage(
            source_url, "export_actions", "--format", "jsonl", "--output", str(export)
        )
        figures["old_export_seconds"] = round(seconds, 1)
        fresh(target_url, target)
        seconds, _ = manage(target_url, "import_actions", str(export))
        figures["old_import_seconds"] = round(seconds, 1)

    figures["load_average_at_end"] = os.getloadavg()
    for key, value in figures.items():
        print(f"{key:>20}: {value}")


if __name__ == "__main__":
    main()
