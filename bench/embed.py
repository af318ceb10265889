"""Size and time of a portal's embeds (issue #24), in-process:
`python bench/embed.py [--sheets 5000] [--repeat 50]`.

Builds its own SQLite database (var/bench-embed.sqlite3, or --database-url), migrates it,
writes `--sheets` synthetic published sheets (bench/synthetic.py) once, creates a portal of
the most frequent département, then times each address (median and p95 of `--repeat` GETs after
one warm-up, the conditional GET too) and prints each body's bytes raw and gzip. Only numbers.
"""

import argparse
import gzip
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "essaimage.settings")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sheets", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2424)
    parser.add_argument("--database-url", default=f"sqlite:///{ROOT / 'var/bench-embed.sqlite3'}")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db.models import Count
    from django.test import Client

    from bench.synthetic import generate_sheets, synthetic_sheets
    from catalogue.models import ActionSheet
    from portals.models import Portal

    settings.ALLOWED_HOSTS = ["*"]
    settings.SEARCH_FAST_PATH_BACKGROUND = False
    call_command("migrate", verbosity=0)
    if not synthetic_sheets(args.seed).exists():
        start = time.perf_counter()
        generate_sheets(args.sheets, args.seed)
        print(f"generated {args.sheets} sheets in {time.perf_counter() - start:.0f} s")
    top = (
        ActionSheet.objects.published()
        .values("structure__departement")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    code = top["structure__departement"]
    Portal.objects.update_or_create(
        slug="bench", defaults={"title": "Portail de mesure", "selection": f"departement={code}"}
    )
    if settings.SEARCH_FAST_PATH:
        from search.engines import memory

        start = time.perf_counter()
        memory.get_index()
        print(f"memory index built in {time.perf_counter() - start:.1f} s")
    total = ActionSheet.objects.published().count()
    print(f"{total} published sheets; portal = département {code} ({top['n']} sheets)")
    client = Client()
    rows = [
        ("embed script", "/portails/bench/integration/script.js"),
        ("embed data (5, recent)", "/portails/bench/integration/fiches.json?n=5"),
        (
            "embed data (10, relevance)",
            "/portails/bench/integration/fiches.json?n=10&ordre=relevance",
        ),
        ("embed iframe (5, recent)", "/portails/bench/integration/liste/?n=5"),
        ("portal page", "/portails/bench/"),
        ("catalogue page, same filter", f"/actions/?departement={code}"),
    ]
    print(f"{'address':32} {'median ms':>10} {'p95 ms':>8} {'304 p95':>8} {'bytes':>8} {'gzip':>7}")
    for label, url in rows:
        response = client.get(url)  # warm-up
        body = response.content
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        conditional = []
        if "ETag" in response.headers:
            for _ in range(args.repeat):
                start = time.perf_counter()
                r = client.get(url, headers={"If-None-Match": response["ETag"]})
                conditional.append((time.perf_counter() - start) * 1000)
                assert r.status_code == 304
        print(
            f"{label:32} {statistics.median(times):10.1f} {p95(times):8.1f} "
            f"{(f'{p95(conditional):.1f}' if conditional else '-'):>8} "
            f"{len(body):8} {len(gzip.compress(body, 9)):7}"
        )


if __name__ == "__main__":
    main()
