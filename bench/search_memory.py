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
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:  # gone (a worker replaced by gunicorn)
        return {}
    for line in text.splitlines()[1:]:
        name, value, *_ = line.split()
        fields[name.rstrip(":")] = int(value)
    return {
        "rss": round(fields.get("Rss", 0) / 1024),
        "pss": round(fields.get("Pss", 0) / 1024),
        "uss": round((fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)) / 1024),
    }


def scaled(index, factor: int):
    """`index` made `factor` times larger in memory, as bench/postgres_scale.py makes a base
    larger: copy k of position p is position p + k × n, holding the same sheet (same id, same
    values, same words), so every bitmap and per-sheet array is `factor` times longer and every
    word keeps its selectivity. The bitmaps grow copy by copy and are then frozen, as the build
    grows them chunk by chunk. Pages load the original sheets (ids repeat)."""
    import array

    import numpy as np
    from pyroaring import BitMap, FrozenBitMap

    from search import textindex
    from search.engines import memory

    n = len(index.ids)

    def grown(bits):
        if not bits:
            return bits
        out = BitMap(bits)
        for k in range(1, factor):
            out |= bits.shift(k * n)
        return FrozenBitMap(out)

    def tiled(values: array.array) -> array.array:
        return array.array(values.typecode, values.tobytes() * factor)

    def repeated(order: array.array) -> array.array:
        ps = memory._np(order).astype(np.int64)
        copies = (np.repeat(ps, factor) + np.tile(np.arange(factor) * n, len(ps))).astype(np.uint32)
        return array.array("I", copies.tobytes())

    big = memory.Index(
        generation=index.generation,
        ids=tiled(index.ids),
        position=index.position,
        all=grown(index.all),
        bitmaps={
            name: {value: grown(bits) for value, bits in table.items()}
            for name, table in index.bitmaps.items()
        },
        labels=index.labels,
        structure_of=tiled(index.structure_of),
        rank={},
        order={sort: repeated(order) for sort, order in index.order.items()},
        vendor=index.vendor,
        log=index.log,
        applied=index.applied,
    )
    big.rank = memory._ranks(big)
    text = index.text
    if text is not None:
        big.text = textindex.TextIndex(
            {term: tuple(grown(b) for b in bitmaps) for term, bitmaps in text.terms.items()},
            text.complete,
            text.nbytes * factor,
            {key: tuple(grown(b) for b in bitmaps) for key, bitmaps in text.phrases.items()},
            {pair: grown(bits) for pair, bits in text.near.items()},
        )
    return big


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


def _mappings(pid: int) -> list[tuple[int, int, str]]:
    out = []
    for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
        parts = line.split()
        start, end = (int(x, 16) for x in parts[0].split("-"))
        name = parts[5] if len(parts) > 5 else ""
        out.append((start, end, name))
    return out


def _frames(pid: int, start: int, end: int):
    """Page frame numbers of [start, end) in `pid` (0: not present). Needs root."""
    import numpy as np

    with open(f"/proc/{pid}/pagemap", "rb") as f:
        f.seek(start // 4096 * 8)
        raw = np.frombuffer(f.read((end - start) // 4096 * 8), dtype=np.uint64)
    present = (raw >> np.uint64(63)) & np.uint64(1)
    return np.where(present == 1, raw & np.uint64((1 << 55) - 1), 0)


def _kind(start: int, end: int, name: str) -> str:
    if name == "[heap]":
        return "malloc heap (brk)"
    if name.startswith("/"):
        return "files"
    if name:
        return name
    size = end - start
    if size in (256 * 1024, 1024 * 1024):
        return "anonymous 256 KiB/1 MiB (Python object arenas)"
    return "anonymous, other (numpy, malloc mmaps, thread arenas)"


def object_map(index) -> dict[int, str]:
    """Address -> what: the objects of the index by role, then every other object the collector
    tracks by type (and the strings and numbers they hold directly)."""
    where: dict[int, str] = {}

    def mark(obj, what: str) -> None:
        where.setdefault(id(obj), what)

    text = index.text
    if text is not None:
        for term, bitmaps in text.terms.items():
            mark(term, "text.terms: term strings")
            mark(bitmaps, "text.terms: tuples")
            for b in bitmaps:
                mark(b, "text.terms: bitmaps")
        mark(text.terms, "text.terms: dict")
        for key, bitmaps in text.phrases.items():
            mark(key, "text.phrases")
            mark(bitmaps, "text.phrases")
    for name, table in index.bitmaps.items():
        mark(table, f"bitmaps[{name}]")
        for value, bits in table.items():
            mark(value, f"bitmaps[{name}]: keys")
            mark(bits, f"bitmaps[{name}]: bitmaps")
    for name, table in index.labels.items():
        mark(table, f"labels[{name}]")
        for value, label in table.items():
            mark(value, f"labels[{name}]: keys")
            mark(label, f"labels[{name}]: labels")
    for obj in gc.get_objects():
        what = type(obj).__name__
        mark(obj, f"other {what}")
        if isinstance(obj, dict):
            for k, v in obj.items():
                mark(k, f"other {type(k).__name__} in dicts")
                mark(v, f"other {type(v).__name__} in dicts")
        elif isinstance(obj, list | tuple):
            for v in obj:
                mark(v, f"other {type(v).__name__} in lists")
    return where


def attribute(pages: list[int], where: dict[int, str]) -> dict[str, float]:
    """MB of `pages` (addresses) per role of the objects starting on them (shared out)."""
    by_page: dict[int, list[str]] = {}
    wanted = set(pages)
    for address, what in where.items():
        page = address // 4096 * 4096
        if page in wanted:
            by_page.setdefault(page, []).append(what)
    out: dict[str, float] = {}
    for page in pages:
        roles = by_page.get(page) or ["no object starts there (malloc data, numpy, roaring)"]
        for role in roles:
            out[role] = out.get(role, 0) + 4096 / len(roles)
    return {k: round(v / MB, 2) for k, v in sorted(out.items(), key=lambda kv: -kv[1])[:25]}


def copied_pages(master: int, worker: int) -> list[int]:
    masters = _mappings(master)
    out = []
    for start, end, name in _mappings(worker):
        if name.startswith("/") or name.startswith("[v") or name == "[stack]":
            continue
        for ms, me, _ in masters:
            if ms <= start and end <= me:
                try:
                    mine, theirs = _frames(worker, start, end), _frames(master, start, end)
                except OSError:
                    break
                copied = (mine != 0) & (theirs != 0) & (mine != theirs)
                out.extend(start + i * 4096 for i in copied.nonzero()[0].tolist())
                break
    return out


def _few_changes(master: int, worker: int, start: int, pages) -> int:
    """How many of these pages differ from the master's in at most 8 words of 8 bytes (a few
    reference counts or malloc headers written), rather than being rewritten."""
    import numpy as np

    few = 0
    with open(f"/proc/{master}/mem", "rb") as a, open(f"/proc/{worker}/mem", "rb") as b:
        for page in pages.tolist():
            address = start + page * 4096
            try:
                a.seek(address)
                b.seek(address)
                x = np.frombuffer(a.read(4096), dtype=np.uint64)
                y = np.frombuffer(b.read(4096), dtype=np.uint64)
            except (OSError, ValueError):
                continue
            if len(x) == len(y) == 512 and int((x != y).sum()) <= 8:
                few += 1
                if os.environ.get("PAGES_VERBOSE") and few % 500 == 1:
                    where = np.flatnonzero(x != y)
                    print(
                        f"  page {address:x}: words {where.tolist()} "
                        f"{[hex(int(v)) for v in x[where]]} -> {[hex(int(v)) for v in y[where]]}",
                        file=sys.stderr,
                    )
    return few


def pages_report(master: int, workers: list[int], detail: bool = True) -> dict:
    """Per kind of mapping, each worker's private pages: copied from the master's (same
    address, another frame: written since the fork) or its own (absent from the master)."""
    import numpy as np

    masters = {(s, e): n for s, e, n in _mappings(master)}
    report = {}
    for worker in workers:
        kinds: dict[str, dict[str, float]] = {}
        for start, end, name in _mappings(worker):
            if name in ("[vvar]", "[vsyscall]"):
                continue
            try:
                mine = _frames(worker, start, end)
            except OSError:
                continue
            theirs = None
            for (ms, me), _ in masters.items():
                if ms <= start and end <= me:
                    try:
                        theirs = _frames(master, start, end)
                    except OSError:
                        theirs = None
                    break
            k = kinds.setdefault(
                _kind(start, end, name),
                {"shared": 0, "copied": 0, "own": 0, "copied, few words changed": 0},
            )
            present = mine != 0
            if theirs is None:
                k["own"] += int(present.sum())
                continue
            k["shared"] += int((present & (mine == theirs)).sum())
            copied = present & (theirs != 0) & (mine != theirs)
            k["copied"] += int(copied.sum())
            k["own"] += int((present & (theirs == 0)).sum())
            if detail and copied.any():
                few = _few_changes(master, worker, start, np.flatnonzero(copied))
                k["copied, few words changed"] += few
                if os.environ.get("PAGES_VERBOSE") and copied.sum() > 256:
                    print(
                        f"{start:x}-{end:x} {(end - start) / MB:.1f} MB {name}: "
                        f"copied {copied.sum() * 4 / 1024:.1f} MB, few {few * 4 / 1024:.1f} MB",
                        file=sys.stderr,
                    )
        report[worker] = {
            kind: {what: round(n * 4096 / MB, 1) for what, n in counts.items()}
            for kind, counts in kinds.items()
        }
    return report


def http(args) -> None:
    from bench import run

    url = os.environ["DATABASE_URL"]
    os.environ["GUNICORN_PRELOAD"] = "1"
    started = time.perf_counter()
    process = run.start_gunicorn(url, args)
    try:
        pids = run.worker_pids(process.pid)

        def report(step: str, **extra) -> None:
            pids[:] = run.worker_pids(process.pid)  # a worker may have been replaced
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
                if name not in args.families.split(","):
                    continue
                clients = 1 if name == "export" else args.workers
                result = run.load(args.port, paths, 1, clients=clients)
                report(
                    name, p50_ms=result["p50_ms"], p95_ms=result["p95_ms"], errors=result["errors"]
                )
        print(json.dumps({"pages_mb": pages_report(process.pid, pids)}), flush=True)
    finally:
        process.terminate()
        process.wait(timeout=60)


def search_rounds(args, *, trim: bool, tracing: bool = False, label: str = "") -> None:
    """bench/run.py's 36 queries, `args.rounds` times, through the search service; memory after
    each round. `trim`: malloc_trim(0) after each search, as gunicorn's post_request hook."""
    from bench.run import QUERIES, essaimage_qs
    from essaimage.lib.malloc import release_memory_if_grown
    from search.engines import memory
    from search.forms import SearchForm
    from search.service import search_sheets

    released = 0
    for round_ in range(1, args.rounds + 1):
        started, cpu = time.perf_counter(), time.process_time()
        for q in QUERIES:
            form = SearchForm(QueryDict(essaimage_qs(q)))
            form.is_valid()
            result = search_sheets(form.to_query(), page=form.cleaned_data.get("page") or 1)
            list(result.sheets)
            if trim:
                released += release_memory_if_grown()
        out = {
            "step": f"{label}round {round_}",
            "seconds": round(time.perf_counter() - started, 1),
            "cpu_seconds": round(time.process_time() - cpu, 1),
            **memory_of(),
            **malloc_view(),
            **cache_view(memory.get_index()),
            "load": os.getloadavg(),
        }
        if trim:
            out["trims_releasing"] = released
        if tracing:
            import tracemalloc

            out["traced_mb"] = round(tracemalloc.get_traced_memory()[0] / MB, 1)
        print(json.dumps(out), flush=True)


def compare(index, args) -> None:
    """Two children forked from this process, as two generations of preloaded workers: the
    code before (match cache bound 32 MB, nothing trimmed, nothing shared beforehand), then
    after (memory.share in the master, malloc_trim after each search, the bound of now)."""
    from django.db import connections

    from essaimage.lib.malloc import release_memory
    from search import textindex
    from search.engines import memory

    connections.close_all()
    gc.freeze()
    for label in ("before", "after"):
        if label == "after":
            memory.share(index)
            connections.close_all()
            gc.freeze()
            release_memory()
        done_r, done_w = os.pipe()
        child = os.fork()
        if not child:
            os.close(done_r)
            if label == "before":
                textindex.MAX_CACHE_BYTES = 32 * MB
            search_rounds(args, trim=label == "after", label=f"{label}: ")
            os.write(done_w, b"x")
            time.sleep(3600)
        os.close(done_w)
        os.read(done_r, 1)
        print(
            json.dumps(
                {
                    "step": f"{label}: child done",
                    "parent": memory_of(),
                    "child": memory_of(child),
                    "pages_mb": pages_report(os.getpid(), [child], detail=False)[child],
                    "load": os.getloadavg(),
                }
            ),
            flush=True,
        )
        os.kill(child, 9)
        os.waitpid(child, 0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--http", action="store_true", help="measure gunicorn's workers")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8131)
    parser.add_argument("--stats-path", default="/statistiques/")
    parser.add_argument("--families", default="catalogue,api,sheets,stats,export")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--trim", action="store_true")
    parser.add_argument("--freeze", action="store_true", help="gc.freeze() after the build")
    parser.add_argument("--mmap-threshold", type=int, help="mallopt(M_MMAP_THRESHOLD) in the child")
    parser.add_argument("--scale", type=int, default=1, help="the index made N times larger")
    parser.add_argument("--compare", action="store_true", help="children before/after")
    parser.add_argument("--thread", action="store_true", help="search in another thread")
    parser.add_argument(
        "--attribute", action="store_true", help="with --fork: copied pages by object"
    )
    parser.add_argument(
        "--fork", action="store_true", help="search in a forked child (as a preloaded worker)"
    )
    args = parser.parse_args()
    if args.http:
        http(args)
        return

    from search.engines import memory

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
    if args.scale > 1:
        started, cpu = time.perf_counter(), time.process_time()
        index = memory._index = scaled(index, args.scale)
        gc.collect()
        _libc().malloc_trim(0)
        print(
            json.dumps(
                {
                    "step": f"scaled x{args.scale}",
                    "positions": len(index.ids),
                    "seconds": round(time.perf_counter() - started, 1),
                    "cpu_seconds": round(time.process_time() - cpu, 1),
                    **memory_of(),
                    **malloc_view(),
                }
            ),
            flush=True,
        )
    if args.compare:
        compare(index, args)
        return
    if args.freeze:
        gc.freeze()
    if args.fork:
        from django.db import connections

        connections.close_all()
        where = object_map(index) if args.attribute else None
        gc.freeze()
        done_r, done_w = os.pipe()
        child = os.fork()
        if child:
            os.close(done_w)
            os.read(done_r, 1)
            print(
                json.dumps({"step": "child done", "parent": memory_of(), "child": memory_of(child)})
            )
            print(json.dumps({"pages_mb": pages_report(os.getpid(), [child])}), flush=True)
            if where is not None:
                pages = copied_pages(os.getpid(), child)
                print(json.dumps({"copied_mb_by_object": attribute(pages, where)}), flush=True)
            os.kill(child, 9)
            os.waitpid(child, 0)
            return
        os.close(done_r)
        if args.mmap_threshold:
            # M_MMAP_THRESHOLD (-3): fixed, so glibc stops raising it after each large free.
            _libc().mallopt(-3, args.mmap_threshold)
    if args.tracemalloc:
        import tracemalloc

        tracemalloc.start(8)
        first = tracemalloc.take_snapshot()
    rounds = lambda: search_rounds(args, trim=args.trim, tracing=args.tracemalloc)  # noqa: E731
    libc = _libc()

    if args.thread:
        import threading

        runner = threading.Thread(target=rounds)
        runner.start()
        runner.join()
    else:
        rounds()
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
    if args.fork:
        os.write(done_w, b"x")
        time.sleep(3600)
    before = memory_of()
    libc.malloc_trim(0)
    print(json.dumps({"step": "malloc_trim(0)", "before": before, **memory_of()}), flush=True)
    del index


if __name__ == "__main__":
    main()
