"""In-process measurements, run by bench/run.py in a subprocess with DATABASE_URL set.

Each task prints one JSON object on the last line of stdout.
    worker.py info
    worker.py import PATH
    worker.py search QUERIES.json REPEAT
    worker.py floor QUERIES.json REPEAT      (SQLite only: the raw work, with sqlite3)
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
    started, cpu = time.perf_counter(), time.process_time()
    report = import_paths([Path(path)])
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    created = ActionSheet.objects.count() - before
    out(
        {
            "sheets": created,
            "seconds": seconds,
            "cpu_seconds": cpu,
            "load": os.getloadavg(),
            "report": str(report)[:500],
        }
    )


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
        from search.engines import memory

        started = time.perf_counter()
        memory.get_index()
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


# --- The raw SQLite floor ----------------------------------------------------------------------
# What a hand-written answer costs: the FTS5 match on the analysed terms the index stores
# (search.analysis, as search/backends/sqlite_fts5.py writes them), the filters, the count, the
# top 25 (bm25, or the sort) with their titles, and one GROUP BY per facet Essaimage computes —
# plain counts over the matches, no disjunctive counts, no relaxed matching, no snippets.

_SHEET = "catalogue_actionsheet"
FLOOR_FACETS = {
    "departement": f"SELECT s.departement_id, count(*) FROM m JOIN {_SHEET} a ON a.id = m.id "
    "JOIN catalogue_structure s ON s.id = a.structure_id GROUP BY 1",
    "region": f"SELECT d.region_id, count(*) FROM m JOIN {_SHEET} a ON a.id = m.id "
    "JOIN catalogue_structure s ON s.id = a.structure_id "
    "JOIN catalogue_departement d ON d.code = s.departement_id GROUP BY 1",
    "structure_type": f"SELECT s.type, count(*) FROM m JOIN {_SHEET} a ON a.id = m.id "
    "JOIN catalogue_structure s ON s.id = a.structure_id GROUP BY 1",
    "structure": f"SELECT a.structure_id, count(*) FROM m JOIN {_SHEET} a ON a.id = m.id GROUP BY 1",
    "dimension": f"SELECT a.dimension_id, count(*) FROM m JOIN {_SHEET} a ON a.id = m.id GROUP BY 1",
    "status": f"SELECT a.status_id, count(*) FROM m JOIN {_SHEET} a ON a.id = m.id GROUP BY 1",
    "territory": f"SELECT a.territory_id, count(*) FROM m JOIN {_SHEET} a ON a.id = m.id GROUP BY 1",
    "year": f"SELECT a.year, count(*) FROM m JOIN {_SHEET} a ON a.id = m.id GROUP BY 1",
    **{
        name: f"SELECT t.{column}_id, count(*) FROM m JOIN {_SHEET}_{name} t "
        f"ON t.actionsheet_id = m.id GROUP BY 1"
        for name, column in (
            ("keywords", "keyword"),
            ("publics", "public"),
            ("initiators", "initiator"),
            ("action_partners", "partnerkind"),
            ("financial_partners", "partnerkind"),
        )
    },
}
_VOCABULARY_FILTERS = {
    "keywords": ("keywords", "keyword", "keyword"),
    "publics": ("publics", "public", "public"),
}


def floor_statements(qs: str) -> tuple[list[tuple[str, list]], str, list]:
    """(statements filling the temp table m, ordering SQL of the top 25, its parameters)."""
    from search import analysis

    params = QueryDict(qs)
    # Unary + keeps SQLite off the status index (nearly every sheet is published), so the
    # selective filters drive the scan.
    where, args = ["+a.publication_status = 'published'"], []
    text = params.get("q", "")
    terms = analysis.terms(text) if text else []
    source = f"{_SHEET} a"
    if terms:
        # The FTS5 match drives the join (CROSS JOIN keeps that order in SQLite).
        source = f"search_fts CROSS JOIN {_SHEET} a ON a.id = search_fts.rowid"
        where.append("search_fts MATCH ?")
        args.append(" ".join(f'"{t}"' for t in terms))
        rank = "bm25(search_fts)"
    else:
        rank = "0"
    if params.getlist("departement"):
        codes = params.getlist("departement")
        where.append(
            "a.structure_id IN (SELECT id FROM catalogue_structure WHERE departement_id IN "
            f"({', '.join('?' * len(codes))}))"
        )
        args += codes
    for name, (table, column, vocab) in _VOCABULARY_FILTERS.items():
        for value in params.getlist(name):
            where.append(
                f"a.id IN (SELECT actionsheet_id FROM {_SHEET}_{table} t JOIN catalogue_{vocab} v "
                f"ON v.id = t.{column}_id WHERE v.value = ?)"
            )
            args.append(value)
    if params.get("dimension"):
        where.append("a.dimension_id IN (SELECT id FROM catalogue_dimension WHERE value = ?)")
        args.append(params["dimension"])
    if params.get("year"):
        where.append("a.year = ?")
        args.append(int(params["year"]))
    fill = (
        f"INSERT INTO m SELECT a.id, {rank} FROM {source} WHERE " + " AND ".join(where),
        args,
    )
    sort = params.get("sort") or ("relevance" if terms else "title")
    order = {
        "relevance": "m.rank, lower(a.title), a.id",
        "title": "lower(a.title), a.id",
        "year": "a.year IS NULL, a.year DESC, lower(a.title), a.id",
    }[sort]
    page = int(params.get("page", 1))
    top = (
        f"SELECT a.id, a.title FROM m JOIN {_SHEET} a ON a.id = m.id ORDER BY {order} "
        "LIMIT 25 OFFSET ?"
    )
    return [("DELETE FROM m", []), fill], top, [(page - 1) * 25]


def task_floor(queries_path: str, repeat: str) -> None:
    import sqlite3

    from django.conf import settings

    database = settings.DATABASES["default"]
    if not database["ENGINE"].endswith("sqlite3"):
        out({"error": "the SQLite floor needs a SQLite base"})
        return
    db = sqlite3.connect(f"file:{database['NAME']}?mode=ro", uri=True)
    db.execute("CREATE TEMP TABLE m (id INTEGER PRIMARY KEY, rank REAL)")
    queries = json.loads(Path(queries_path).read_text())

    def run(qs: str) -> int:
        statements, top, top_args = floor_statements(qs)
        for sql, args in statements:
            db.execute(sql, args)
        total = db.execute("SELECT count(*) FROM m").fetchone()[0]
        db.execute(top, top_args).fetchall()
        for sql in FLOOR_FACETS.values():
            db.execute(sql).fetchall()
        return total

    totals = {q["essaimage"]: run(q["essaimage"]) for q in queries}  # warm-up
    timings: dict[str, list[float]] = {}
    for _ in range(int(repeat)):
        for q in queries:
            started = time.perf_counter()
            run(q["essaimage"])
            timings.setdefault(q["essaimage"], []).append(time.perf_counter() - started)
    out({"timings": timings, "totals": totals, "facets": len(FLOOR_FACETS)})


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
        "floor": task_floor,
        "sheet-urls": task_sheet_urls,
        "export-query": task_export_query,
    }[task](*args)
