"""Where a worker's memory goes while it answers searches (issue 12, item 6). JSON lines.

    DATABASE_URL=... python bench/search_memory.py [--rounds 3] [--tracemalloc] [--trim]
    DATABASE_URL=... python bench/search_memory.py --http [--workers 2] [--rounds 1]

Builds the memory engine's index in this process (as the gunicorn master does with
GUNICORN_PRELOAD=1), then runs bench/run.py's 36 queries through the search service, round
after round, printing after each round: RSS, glibc malloc's view (bytes in use, bytes free but
kept in its arenas, bytes in mmapped blocks), the match cache (entries, bytes counted by its
bound, bytes of Python objects it holds beyond that), the phrases and close pairs kept with the
text index, and, with --tracemalloc, the bytes Python and numpy hold (traced since the build)
and the lines that allocated them. `--trim` calls malloc_trim(0) after every search (what
search.memory_release does after a large request) and says how much RSS it gave back.
`--http` runs gunicorn instead (GUNICORN_PRELOAD=1: the master builds the index, the workers
share it), sends bench/run.py's pages family by family (catalogue, API, sheet pages, statistics,
a CSV export) with as many clients as workers, and prints RSS, PSS and USS of the master and of
each worker after each family.
Not a test: no assertion, only numbers.
"""

import argparse
import ctypes
import gc
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "essaimage.settings")

import django  # noqa: E402

django.setup()

from django.http import QueryDict  # noqa: E402

MB = 1024 * 1024


class MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def _libc():
    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = MallInfo2
    return libc


def malloc_view() -> dict:
    """glibc's arenas, every thread's: in use, free but kept, mmapped (MB)."""
    info = _libc().mallinfo2()
    return {
        "in_use": round(info.uordblks / MB, 1),
        "free_kept": round(info.fordblks / MB, 1),
        "mmapped": round(info.hblkhd / MB, 1),
    }


def memory_of(pid: int | str = "self") -> dict:
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value, *_ = line.split()
        fields[name.rstrip(":")] = int(value)
    return {
        "rss": round(fields.get("Rss", 0) / 1024),
        "pss": round(fields.get("Pss", 0) / 1024),
        "uss": round((fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)) / 1024),
    }


def deep_python(obj, seen: set) -> int:
    """Bytes of the Python objects under `obj` (numpy buffers and bitmaps counted apart)."""
    if id(obj) in seen:
        return 0
    seen.add(id(obj))
    size = sys.getsizeof(obj)
    if isinstance(obj, dict):
        size += sum(deep_python(k, seen) + deep_python(v, seen) for k, v in obj.items())
    elif isinstance(obj, list | tuple | set | frozenset):
        size += sum(deep_python(v, seen) for v in obj)
    return size


def cache_view(index) -> dict:
    entries = index.matches.entries
    counted = sum(m.nbytes for m, _, _ in entries.values())
    extra = 0
    for match, _, _ in entries.values():
        ranks = getattr(match, "_ranks", None)
        if ranks is not None:
            extra += deep_python(ranks, set())
    text = index.text
    return {
        "cache_entries": len(entries),
        "cache_counted_mb": round(counted / MB, 1),
        "cache_uncounted_mb": round(extra / MB, 1),
        "phrases": len(text.phrases) if text else 0,
        "near": len(text.near) if text else 0,
    }


def http(args) -> None:
    from bench import run

    url = os.environ["DATABASE_URL"]
    os.environ["GUNICORN_PRELOAD"] = "1"
    started = time.perf_counter()
    process = run.start_gunicorn(url, args)
    try:
        pids = run.worker_pids(process.pid)

        def report(step: str, **extra) -> None:
            print(
                json.dumps(
                    {
                        "step": step,
                        "master": memory_of(process.pid),
                        "workers": [memory_of(pid) for pid in pids],
                        **extra,
                        "load": os.getloadavg(),
                    }
                ),
                flush=True,
            )

        report("ready", seconds=round(time.perf_counter() - started))
        export = run.worker(url, "export-query", "10000")
        families = {
            "catalogue": ["/actions/?" + run.essaimage_qs(q) for q in run.QUERIES],
            "api": ["/api/v1/actions?" + run.essaimage_qs(q) for q in run.QUERIES],
            "sheets": run.worker(url, "sheet-urls", "200").get("urls", []),
            "stats": [args.stats_path] * 4,
            "export": [f"/actions/export.csv?{export['query']}"],
        }
        for _ in range(args.rounds):
            for name, paths in families.items():
                clients = 1 if name == "export" else args.workers
                result = run.load(args.port, paths, 1, clients=clients)
                report(name, p50_ms=result["p50_ms"], p95_ms=result["p95_ms"], errors=result["errors"])
    finally:
        process.terminate()
        process.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--http", action="store_true", help="measure gunicorn's workers")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8131)
    parser.add_argument("--stats-path", default="/statistiques/")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--trim", action="store_true")
    parser.add_argument("--freeze", action="store_true", help="gc.freeze() after the build")
    args = parser.parse_args()
    if args.http:
        http(args)
        return

    from bench.run import QUERIES, essaimage_qs
    from search.engines import memory
    from search.forms import SearchForm
    from search.service import search_sheets

    started, cpu = time.perf_counter(), time.process_time()
    index = memory.get_index()
    print(
        json.dumps(
            {
                "step": "built",
                "seconds": round(time.perf_counter() - started, 1),
                "cpu_seconds": round(time.process_time() - cpu, 1),
                **memory_of(),
                **malloc_view(),
                "load": os.getloadavg(),
            }
        ),
        flush=True,
    )
    if args.freeze:
        gc.freeze()
    if args.tracemalloc:
        import tracemalloc

        tracemalloc.start(8)
        first = tracemalloc.take_snapshot()
    trimmed = 0.0
    libc = _libc()
    for round_ in range(1, args.rounds + 1):
        started, cpu = time.perf_counter(), time.process_time()
        for q in QUERIES:
            form = SearchForm(QueryDict(essaimage_qs(q)))
            form.is_valid()
            result = search_sheets(form.to_query(), page=form.cleaned_data.get("page") or 1)
            list(result.sheets)
            if args.trim:
                before = memory_of()["rss"]
                libc.malloc_trim(0)
                trimmed += before - memory_of()["rss"]
        out = {
            "step": f"round {round_}",
            "seconds": round(time.perf_counter() - started, 1),
            "cpu_seconds": round(time.process_time() - cpu, 1),
            **memory_of(),
            **malloc_view(),
            **cache_view(memory.get_index()),
            "load": os.getloadavg(),
        }
        if args.trim:
            out["trimmed_mb"] = round(trimmed)
        if args.tracemalloc:
            out["traced_mb"] = round(tracemalloc.get_traced_memory()[0] / MB, 1)
        print(json.dumps(out), flush=True)
    if args.tracemalloc:
        last = tracemalloc.take_snapshot()
        for stat in last.compare_to(first, "traceback")[:12]:
            print(
                json.dumps(
                    {
                        "grown_mb": round(stat.size_diff / MB, 2),
                        "blocks": stat.count_diff,
                        "where": [str(frame) for frame in stat.traceback[-4:]],
                    }
                ),
                flush=True,
            )
    before = memory_of()
    libc.malloc_trim(0)
    print(json.dumps({"step": "malloc_trim(0)", "before": before, **memory_of()}), flush=True)
    del index


if __name__ == "__main__":
    main()
