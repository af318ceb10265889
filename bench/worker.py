"""In-process measurements, run by bench/run.py in a subprocess with DATABASE_URL set.

Each task prints one JSON object on the last line of stdout.
    worker.py info
    worker.py import PATH
    worker.py search QUERIES.json REPEAT
    worker.py sheet-urls COUNT
    worker.py export-query ROWS
"""

import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "essaimage.settings")

import django  # noqa: E402

django.setup()

from django.db.models import Count  # noqa: E402
from django.http import QueryDict  # noqa: E402

from catalogue.models import ActionSheet, Structure  # noqa: E402


def out(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False))


def task_info() -> None:
    out(
        {
            "sheets": ActionSheet.objects.published().count(),
            "structures": Structure.objects.count(),
            "vendor": django.db.connection.vendor,
        }
    )


def task_import(path: str) -> None:
    try:
        from ingest.importer import import_paths
    except ImportError as error:
        out({"error": f"importer unavailable: {error}"})
        return
    before = ActionSheet.objects.count()
    started = time.perf_counter()
    report = import_paths([Path(path)])
    seconds = time.perf_counter() - started
    created = ActionSheet.objects.count() - before
    out({"sheets": created, "seconds": seconds, "report": str(report)[:500]})


def _search_callable():
    """(form_class, run(form) -> (total, n_results, n_facet_values)) from the search app."""
    from search.forms import SearchForm
    from search.service import search_sheets

    def run(form):
        result = search_sheets(form.to_query(), page=form.cleaned_data.get("page") or 1)
        sheets = list(result.sheets)
        facets = getattr(result, "facets", None) or {}
        n_values = 0
        for values in facets.values() if isinstance(facets, dict) else facets:
            n_values += len(list(getattr(values, "values", values)))
        return result.total, len(sheets), n_values

    return SearchForm, run


def task_search(queries_path: str, repeat: str) -> None:
    try:
        SearchForm, run = _search_callable()
    except ImportError as error:
        out({"error": f"search service unavailable: {error}"})
        return
    queries = json.loads(Path(queries_path).read_text())
    index_seconds = None
    from django.conf import settings

    if settings.SEARCH_FAST_PATH:
        from search import fast

        started = time.perf_counter()
        fast.get_index()
        index_seconds = time.perf_counter() - started
    timings: dict[str, list[float]] = {}
    totals: dict[str, int] = {}
    errors: dict[str, str] = {}
    # Warm-up: the first query pays for imports, caches and the OS page cache.
    for q in queries:
        form = SearchForm(QueryDict(q["essaimage"]))
        if not form.is_valid():
            errors[q["essaimage"]] = json.dumps(form.errors, ensure_ascii=False)
            continue
        totals[q["essaimage"]] = run(form)[0]
    # CPU time of this process too: on a shared machine it says what the wall clock cannot.
    cpu: dict[str, list[float]] = {}
    for _ in range(int(repeat)):
        for q in queries:
            if q["essaimage"] in errors:
                continue
            started, started_cpu = time.perf_counter(), time.process_time()
            form = SearchForm(QueryDict(q["essaimage"]))
            form.is_valid()
            run(form)
            timings.setdefault(q["essaimage"], []).append(time.perf_counter() - started)
            cpu.setdefault(q["essaimage"], []).append(time.process_time() - started_cpu)
    out(
        {
            "timings": timings,
            "cpu": cpu,
            "totals": totals,
            "errors": errors,
            "index_seconds": index_seconds,
        }
    )


def task_sheet_urls(count: str) -> None:
    ids = list(ActionSheet.objects.published().values_list("pk", flat=True))
    rng = random.Random(42)
    chosen = rng.sample(ids, min(int(count), len(ids)))
    urls = [s.get_absolute_url() for s in ActionSheet.objects.filter(pk__in=chosen)]
    out({"urls": urls})


def task_export_query(rows: str) -> None:
    """A département filter selecting about `rows` sheets (all sheets if the base is smaller)."""
    wanted = int(rows)
    total = ActionSheet.objects.published().count()
    if total <= wanted:
        out({"query": "", "rows": total})
        return
    counts = (
        ActionSheet.objects.published()
        .values("structure__departement")
        .annotate(n=Count("pk"))
        .order_by("-n", "structure__departement")
    )
    chosen, n = [], 0
    for row in counts:
        if n >= wanted:
            break
        chosen.append(row["structure__departement"])
        n += row["n"]
    out({"query": "&".join(f"departement={code}" for code in chosen), "rows": n})


if __name__ == "__main__":
    task, *args = sys.argv[1:]
    {
        "info": task_info,
        "import": task_import,
        "search": task_search,
        "sheet-urls": task_sheet_urls,
        "export-query": task_export_query,
    }[task](*args)
