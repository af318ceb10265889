"""Where the line between an export made at once and a background job should be, by time.

Times the CSV, XLSX and PDF booklet writers (the very functions the views call) on the first N
sheets of the database, several runs each, and prints the p95. The settings
EXPORT_SYNC_MAX_SHEETS and EXPORT_PDF_SYNC_MAX_SHEETS take the largest N under 1 s at p95.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 python bench/export_threshold.py
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "essaimage.settings")

import django  # noqa: E402

django.setup()

from catalogue import exports  # noqa: E402
from catalogue.models import ActionSheet  # noqa: E402
from public import export_jobs  # noqa: E402

RUNS = int(os.environ.get("RUNS", "7"))


def p95(values: list[float]) -> float:
    return (
        statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]
    )


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    query = export_jobs.query_of("")
    ids = list(ActionSheet.objects.published().order_by("pk").values_list("pk", flat=True))
    print(f"{len(ids)} published sheets")
    writers = {
        "csv": lambda qs: "".join(exports.write_csv(qs)),
        "xlsx": lambda qs: exports.write_xlsx(qs).read(),
        "pdf": lambda qs: exports.write_booklet_pdf(qs, filters=[], total=None),
    }
    sizes = {
        "csv": [100, 250, 500, 1000, 2000, 4000],
        "xlsx": [100, 250, 500, 1000, 2000, 4000],
        "pdf": [5, 10, 20, 40, 80],
    }
    only = os.environ.get("FORMATS", "csv,xlsx,pdf").split(",")
    if os.environ.get("PDF_SIZES"):
        sizes["pdf"] = [int(n) for n in os.environ["PDF_SIZES"].split(",")]
    for fmt, writer in writers.items():
        if fmt not in only:
            continue
        for n in sizes[fmt]:
            if n > len(ids):
                break
            runs = RUNS if fmt != "pdf" or n <= 40 else 3
            times = [
                timed(lambda w=writer, k=n: w(export_jobs.matching_sheets(query, limit=k)))
                for _ in range(runs)
            ]
            print(
                f"{fmt:4} {n:5} sheets: median {statistics.median(times):.3f} s, p95 {p95(times):.3f} s"
            )


if __name__ == "__main__":
    main()
