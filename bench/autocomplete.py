"""Cost of the search box suggestions (issue 14, item 5), in-process:
`DATABASE_URL=… python bench/autocomplete.py [--repeat 3]`.

Uses the database of DATABASE_URL as it is (generate sheets first: `manage.py generate_synthetic
--count 20000 --seed 1`). Prints the size and build time of the worker's label index, then the
latency of a suggestion as a visitor types (every prefix of 2 letters or more of a few searches):
the service alone (`suggest`), its title query alone, and the whole GET of the fragment.
Nothing here is a test: only numbers.
"""

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "essaimage.settings")

# What visitors type, letter by letter (every prefix of 2 characters or more is measured).
TYPED = (
    "parentalité",
    "centre social",
    "numérique",
    "aide aux devoirs",
    "jardin partagé",
    "atelier cuisine",
    "café des parents",
    "ille et vilaine",
    "35",
    "saint",
    "sortie familles",
    "zzzz",
)


def prefixes() -> list[str]:
    return [text[:n] for text in TYPED for n in range(2, len(text) + 1) if text[:n].strip()]


def percentiles(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return (
        f"p50 {1000 * statistics.median(ordered):6.1f} ms  p95 {1000 * p95:6.1f} ms  "
        f"max {1000 * ordered[-1]:6.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="passes over the typed prefixes")
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from catalogue.models import ActionSheet
    from search import autocomplete

    settings.ALLOWED_HOSTS = ["*"]
    published = ActionSheet.objects.published().count()
    load = os.getloadavg()
    print(
        f"{published} published sheets ({connection.vendor}); load average "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )

    # The label index: built once per worker, again when the search index's generation moves.
    builds = []
    for i in range(args.repeat):
        autocomplete.clear_cache()
        if i == 0:
            tracemalloc.start()
        start = time.perf_counter()
        index = autocomplete.label_index()
        builds.append(time.perf_counter() - start)
        if i == 0:
            memory = tracemalloc.get_traced_memory()[0]
            tracemalloc.stop()
    kinds: dict[str, int] = {}
    for entry in index.entries:
        kinds[entry.kind] = kinds.get(entry.kind, 0) + 1
    print(
        f"label index: {len(index.entries)} labels ("
        + ", ".join(f"{n} {kind}" for kind, n in kinds.items())
        + f"), {len(index.words)} words, ~{memory / 1e6:.1f} MB; "
        f"built in {1000 * statistics.median(builds):.0f} ms (median of {len(builds)})"
    )

    typed = prefixes()
    client = Client()
    service, titles, labels, http, sizes, queries = [], [], [], [], [], []
    for _ in range(args.repeat):
        for text in typed:
            words = autocomplete.typed_words(text)
            start = time.perf_counter()
            autocomplete.label_index().lookup(words)
            labels.append(time.perf_counter() - start)
            start = time.perf_counter()
            autocomplete.title_suggestions(words)
            titles.append(time.perf_counter() - start)
            start = time.perf_counter()
            result = autocomplete.suggest(text)
            service.append(time.perf_counter() - start)
            sizes.append(result.count)
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get("/actions/suggestions/", {"q": text, "for": "home-q"})
                http.append(time.perf_counter() - start)
            assert response.status_code == 200, (text, response.status_code)
            queries.append(len(captured.captured_queries))
    print(f"{len(typed)} prefixes x {args.repeat} passes; suggestions per answer: "
          f"median {statistics.median(sizes):.0f}, max {max(sizes)}; "
          f"queries per request: {min(queries)}–{max(queries)}")  # fmt: skip
    print(f"{'label lookup (memory)':<28} {percentiles(labels)}")
    print(f"{'title query (search index)':<28} {percentiles(titles)}")
    print(f"{'suggest() (all groups)':<28} {percentiles(service)}")
    print(f"{'GET /actions/suggestions/':<28} {percentiles(http)}")
    slowest = sorted(zip(service, typed * args.repeat, strict=True), reverse=True)[:3]
    print("slowest prefixes: " + ", ".join(f"{t!r} {1000 * s:.0f} ms" for s, t in slowest))


if __name__ == "__main__":
    main()
