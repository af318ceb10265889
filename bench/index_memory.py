"""Build the memory engine's index once in this process and print what it costs (JSON).

    DATABASE_URL=... python bench/index_memory.py [--no-text] [--tracemalloc] [--snapshot DIR]
    DATABASE_URL=... python bench/index_memory.py --load DIR
    DATABASE_URL=... python bench/index_memory.py --start DIR [--workers N]


Prints the build's wall clock, CPU seconds of this process and seconds spent waiting for the
database (execute calls; not the fetches of a server-side cursor), the server backend's CPU
seconds (PostgreSQL on this machine), the process's RSS after the build and its peak (VmHWM), and the size
of each structure of the index (MB: Python objects counted deeply, bitmaps by their serialized
size). `--tracemalloc` adds the top allocation sites of the build (slower build).
`--snapshot DIR` then writes the index's snapshot (search/snapshot.py) to DIR (time, CPU, file
size) and loads it in a new process (`--load DIR`: the wall clock, CPU seconds, RSS and peak of
a process that loads the snapshot of the current generation and follows the change log instead
of building), and checks that the loaded index holds the same sheets, orders and terms.
`--start DIR --workers N` starts N processes at once that each get the index as a worker does
(search.engines.memory.index_for: the snapshot, else the build under the file lock, written
for the others), and prints, per process, whether it built and its wall clock and CPU seconds.
Not a test: no assertion, only numbers.
"""

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "essaimage.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from pyroaring import AbstractBitMap  # noqa: E402

MB = 1024 * 1024


def status(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def backend_cpu(pid: int | None) -> float:
    """CPU seconds of the PostgreSQL backend `pid` (same machine), 0 when unreadable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def deep_size(obj, seen: set) -> int:
    """Bytes of `obj` and what it holds (containers, numpy buffers, bitmaps serialized)."""
    if id(obj) in seen:
        return 0
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        return obj.nbytes + 112
    if isinstance(getattr(obj, "array", None), np.ndarray):  # memory.Positions
        return deep_size(obj.array, seen)
    if isinstance(obj, AbstractBitMap):
        return sys.getsizeof(obj) + len(obj.serialize())
    size = sys.getsizeof(obj)
    if isinstance(obj, dict):
        size += sum(deep_size(k, seen) + deep_size(v, seen) for k, v in obj.items())
    elif isinstance(obj, list | tuple | set | frozenset):
        size += sum(deep_size(v, seen) for v in obj)
    return size


def cpu_seconds() -> float:
    """CPU seconds of this process, every thread (a build may run in several)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def fingerprint(index) -> str:
    """A digest of what the index answers from (ids, bitmaps, orders, labels, terms)."""
    digest = hashlib.sha256()
    digest.update(index.ids.tobytes())
    digest.update(index.all.serialize())
    for name in sorted(index.bitmaps):
        for value in sorted(index.bitmaps[name], key=str):
            digest.update(f"{name}={value}".encode() + index.bitmaps[name][value].serialize())
    for sort in sorted(index.order):
        digest.update(index.order[sort].tobytes() + index.rank[sort].tobytes())
    digest.update(
        repr(sorted((n, sorted(t.items(), key=str)) for n, t in index.labels.items())).encode()
    )
    if index.text is not None:
        for term in sorted(index.text.terms):
            digest.update(term.encode() + b"".join(b.serialize() for b in index.text.terms[term]))
        for phrase in sorted(index.text.phrases):
            digest.update(repr(phrase).encode())
            digest.update(b"".join(b.serialize() for b in index.text.phrases[phrase]))
    return digest.hexdigest()[:16]


def load_snapshot(directory: str, text: bool) -> None:
    """Load the current generation's snapshot as a starting process does; print its figures."""
    from search import snapshot
    from search.changes import log_state
    from search.engines import memory

    settings = {"SEARCH_INDEX_SNAPSHOT_DIR": directory}
    if not text:
        settings["SEARCH_TEXT_INDEX_MB"] = 0
    rss_before = status("VmRSS")
    with override_settings(**settings):
        started, started_cpu = time.perf_counter(), cpu_seconds()
        token, *log = log_state()
        index = snapshot.load(snapshot.key_for(token))
        loaded = time.perf_counter() - started
        index = memory._follow(index, tuple(log)) if index is not None else None
        wall, cpu = time.perf_counter() - started, cpu_seconds() - started_cpu
    out = {
        "loaded": index is not None,
        "load_seconds": round(loaded, 2),
        "load_and_follow_seconds": round(wall, 2),
        "load_cpu_seconds": round(cpu, 2),
        "rss_before_mb": round(rss_before),
        "rss_after_load_mb": round(status("VmRSS")),
        "peak_mb": round(status("VmHWM")),
        "load_average": os.getloadavg(),
    }
    if index is not None:
        out["sheets"] = len(index.all)
        out["fingerprint"] = fingerprint(index)
    print(json.dumps(out), flush=True)


def write_snapshot(index, directory: str, text: bool) -> dict:
    from search import snapshot

    settings = {"SEARCH_INDEX_SNAPSHOT_DIR": directory}
    if not text:
        settings["SEARCH_TEXT_INDEX_MB"] = 0
    with override_settings(**settings):
        started, started_cpu = time.perf_counter(), cpu_seconds()
        path = snapshot.write(index, snapshot.key_for(index.generation))
        wall, cpu = time.perf_counter() - started, cpu_seconds() - started_cpu
    out = {
        "write_seconds": round(wall, 2),
        "write_cpu_seconds": round(cpu, 2),
        "file_mb": round(path.stat().st_size / MB, 1) if path else None,
        "fingerprint": fingerprint(index),
    }
    command = [sys.executable, __file__, "--load", directory] + (["--no-text"] if not text else [])
    loaded = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = loaded.stdout.strip().splitlines()
    out["load"] = json.loads(lines[-1]) if lines else {"error": loaded.stderr[-2000:]}
    out["same_index"] = out["load"].get("fingerprint") == out["fingerprint"]
    return out


def start(directory: str, workers: int) -> None:
    """`workers` processes at once get the index as a starting worker does (index_for)."""
    if workers > 1:
        command = [sys.executable, __file__, "--start", directory]
        children = [
            subprocess.Popen(command, stdout=subprocess.PIPE, text=True) for _ in range(workers)
        ]
        results = [
            json.loads(child.communicate()[0].strip().splitlines()[-1]) for child in children
        ]
        print(json.dumps({"workers": results, "load_average": os.getloadavg()}), flush=True)
        return
    from search.changes import log_state
    from search.engines import memory

    with override_settings(SEARCH_INDEX_SNAPSHOT_DIR=directory):
        started, started_cpu = time.perf_counter(), cpu_seconds()
        index = memory.index_for(log_state()[0])
        wall, cpu = time.perf_counter() - started, cpu_seconds() - started_cpu
    out = {
        "built": memory.builds,
        "seconds": round(wall, 1),
        "cpu_seconds": round(cpu, 1),
        "sheets": len(index.all),
        "rss_mb": round(status("VmRSS")),
    }
    print(json.dumps(out), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-text", action="store_true", help="SEARCH_TEXT_INDEX_MB=0")
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--chunk", type=int, help="textindex.CHUNK_DOCUMENTS (PostgreSQL)")
    parser.add_argument(
        "--search",
        nargs=2,
        metavar=("QUERIES", "REPEAT"),
        help="then bench/worker.py's search with this index (its JSON on the last line)",
    )
    parser.add_argument("--snapshot", metavar="DIR", help="then write, and load in a new process")
    parser.add_argument("--load", metavar="DIR", help="only load the snapshot from DIR")
    parser.add_argument("--start", metavar="DIR", help="get the index as a starting worker does")
    parser.add_argument("--workers", type=int, default=1, help="with --start: processes at once")
    args = parser.parse_args()
    if args.start:
        start(args.start, args.workers)
        return
    if args.load:
        load_snapshot(args.load, text=not args.no_text)
        return
    from search import textindex

    if args.chunk and hasattr(textindex, "CHUNK_DOCUMENTS"):
        textindex.CHUNK_DOCUMENTS = args.chunk

    from search.changes import log_state
    from search.engines import memory

    waited = [0.0]

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            waited[0] += time.perf_counter() - started

    if args.tracemalloc:
        import tracemalloc

        tracemalloc.start()
    rss_before = status("VmRSS")
    backend = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
    server_before = backend_cpu(backend)
    settings = {"SEARCH_TEXT_INDEX_MB": 0} if args.no_text else {}
    with override_settings(**settings), connection.execute_wrapper(timed):
        started, started_cpu = time.perf_counter(), cpu_seconds()
        index = memory.build_index(log_state()[0])
        wall, cpu = time.perf_counter() - started, cpu_seconds() - started_cpu
    out = {
        "sheets": len(index.all),
        "positions": len(index.ids),
        "build_seconds": round(wall, 1),
        "build_cpu_seconds": round(cpu, 1),
        "database_seconds": round(waited[0], 1),
        # The build runs on this connection: its backend's CPU is the server's work.
        "server_cpu_seconds": round(backend_cpu(backend) - server_before, 1),
        "rss_before_mb": round(rss_before),
        "rss_after_mb": round(status("VmRSS")),
        "peak_mb": round(status("VmHWM")),
        "load_average": os.getloadavg(),
    }
    if args.tracemalloc:
        snapshot = tracemalloc.take_snapshot()
        out["tracemalloc_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / MB)
        out["top_allocations"] = [
            f"{stat.size / MB:.1f} MB {stat.traceback}"
            for stat in snapshot.statistics("lineno")[:12]
        ]
        tracemalloc.stop()
    sizes = {}
    seen: set = set()
    for name in (
        "ids",
        "position",
        "structure_of",
        "rank",
        "order",
        "bitmaps",
        "labels",
        "_title_rank",
        "_position_array",
        "_structure_codes",
    ):
        if hasattr(index, name):
            sizes[name] = round(deep_size(getattr(index, name), seen) / MB, 1)
    if index.text is not None:
        sizes["text.terms"] = round(deep_size(index.text.terms, seen) / MB, 1)
        sizes["text.phrases"] = round(deep_size(index.text.phrases, seen) / MB, 1)
        out["terms"] = len(index.text.terms)
    out["sizes_mb"] = sizes
    if args.snapshot:
        out["snapshot"] = write_snapshot(index, args.snapshot, text=not args.no_text)
    print(json.dumps(out), flush=True)
    if args.search:
        from bench import worker

        memory._index = index  # the one just built: no second build at this size
        worker.task_search(*args.search)


if __name__ == "__main__":
    main()
