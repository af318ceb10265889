"""Time of the statistics page (issue 13), in-process: `python bench/stats_page.py [--repeat 5]`.

Uses the database of DATABASE_URL as it is (import or generate sheets first). Prints, for a few
selections, the median time of a full GET (all figures, the map) and its number of queries, and
how many sheets have a budget or a number of people read. Nothing here is a test: only numbers.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "essaimage.settings")

SELECTIONS = (
    ("whole catalogue", ""),
    ("by région view", "vue=regions"),
    ("one région (zoom)", "region=84"),
    ("keyword", "keywords=parentalite"),
    ("text search", "q=numerique"),
    ("département + keyword", "departement=35&keywords=famille"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--sql", action="store_true", help="without the memory engine (every figure by SQL)"
    )
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from catalogue.models import ActionSheet
    from stats.models import SheetFigures

    settings.ALLOWED_HOSTS = ["*"]
    settings.SEARCH_FAST_PATH = not args.sql
    if not args.sql:
        from search.engines import memory

        start = time.perf_counter()
        memory.get_index()  # a running worker has it; build it before measuring pages
        print(f"memory index built in {time.perf_counter() - start:.1f} s")
    client = Client()
    published = ActionSheet.objects.published().count()
    figures = SheetFigures.objects.filter(sheet__publication_status="published")
    print(
        f"{published} published sheets; budget read for {figures.exclude(budget=None).count()}, "
        f"people for {figures.exclude(people=None).count()} ({connection.vendor})"
    )
    print(
        f"{'selection':<24} {'cold ms':>8} {'min ms':>8} {'queries':>8} {'cached ms':>10} "
        f"{'queries':>8} {'KB':>6}"
    )
    for name, querystring in SELECTIONS:
        url = "/statistiques/" + (f"?{querystring}" if querystring else "")
        row = []
        for seconds in (0, 300):  # cache off (every figure computed), then on (second visit)
            settings.STATS_CACHE_SECONDS = seconds
            client.get(url)  # fills the cache when on
            times = []
            for _ in range(args.repeat):
                with CaptureQueriesContext(connection) as queries:
                    start = time.perf_counter()
                    response = client.get(url)
                    times.append(time.perf_counter() - start)
                assert response.status_code == 200, (url, response.status_code)
            row.append((times, len(queries.captured_queries)))
        (cold, cold_queries), (warm, warm_queries) = row
        print(
            f"{name:<24} {1000 * statistics.median(cold):>8.0f} {1000 * min(cold):>8.0f} "
            f"{cold_queries:>8} {1000 * statistics.median(warm):>10.0f} {warm_queries:>8} "
            f"{len(response.content) // 1024:>6}"
        )


if __name__ == "__main__":
    main()
