"""Probable duplicates (issue 14, item 3): `python bench/duplicates.py [--old] [--repeat 3]`.

Uses the database of DATABASE_URL as it is (generate sheets first; it WRITES: stored pairs, one
administrator and one région moderator). Prints wall and CPU seconds of the full computation
(`compute_pairs`; with --old also the on-the-fly `probable_duplicates` of the whole base, and
whether both give the same pairs), of the list page for both moderators, and of one sheet's
incremental update. Nothing here is a test: only numbers.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "essaimage.settings")


def timed(function, *args):
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--old", action="store_true", help="also time the on-the-fly version (whole base)"
    )
    parser.add_argument(
        "--old-region", action="store_true", help="time the on-the-fly version of the région"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--no-compute", action="store_true", help="keep the stored pairs (pages and update only)"
    )
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from catalogue.models import ActionSheet, PublicationStatus, Region
    from contrib.access import reviewable_sheets, reviewed_departements
    from contrib.models import ModeratorTerritory, User
    from discovery import duplicates

    settings.ALLOWED_HOSTS = ["*"]
    print(f"load average {os.getloadavg()[0]:.2f}; {ActionSheet.objects.count()} sheets")
    if not args.no_compute:
        (sheets, pairs), wall, cpu = timed(duplicates.compute_pairs)
        print(f"compute_pairs: {sheets} sheets, {pairs} pairs, {wall:.1f} s wall, {cpu:.1f} s CPU")
    if args.old:
        old, wall, cpu = timed(duplicates.probable_duplicates, ActionSheet.objects.all())
        print(f"probable_duplicates (old): {len(old)} pairs, {wall:.1f} s wall, {cpu:.1f} s CPU")
        stored = {
            (p.first_id, p.second_id): (round(p.score, 3), p.reasons)
            for p in duplicates.ProbableDuplicate.objects.all()
        }
        expected = {(p.first.pk, p.second.pk): (round(p.score, 3), p.reasons) for p in old}
        print("same pairs, scores and reasons:", stored == expected)

    admin, _ = User.objects.get_or_create(
        email="bench-admin@example.org", defaults={"is_superuser": True, "is_staff": True}
    )
    region = (
        Region.objects.annotate(n=Count("departements__structures__sheets")).order_by("-n").first()
    )
    moderator, created = User.objects.get_or_create(email="bench-region@example.org")
    if created:
        ModeratorTerritory.objects.create(user=moderator, region=region)
    client = Client()
    for label, user in (("administrator", admin), (f"région {region.name}", moderator)):
        client.force_login(user)
        times = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                response, wall, cpu = timed(client.get, "/contribuer/doublons/")
            assert response.status_code == 200
            times.append((wall, cpu))
        territory = reviewable_sheets(user).count()
        total = duplicates.stored_pairs(reviewed_departements(user), 1)[1]
        print(
            f"list page, {label} ({territory} sheets, {total} pairs): "
            f"median {statistics.median(t[0] for t in times) * 1000:.0f} ms wall, "
            f"{statistics.median(t[1] for t in times) * 1000:.0f} ms CPU, "
            f"{len(queries)} queries"
        )
        if args.old_region and user == moderator:
            old, wall, cpu = timed(duplicates.probable_duplicates, reviewable_sheets(user))
            print(f"  before (on the fly): {wall:.2f} s wall, {cpu:.2f} s CPU")

    sheet = ActionSheet.objects.filter(publication_status=PublicationStatus.PUBLISHED).last()
    times = [timed(duplicates.update_pairs, [sheet.pk])[1:] for _ in range(args.repeat)]
    print(
        f"update_pairs([one sheet]): median {statistics.median(t[0] for t in times):.2f} s wall, "
        f"{statistics.median(t[1] for t in times):.2f} s CPU"
    )


if __name__ == "__main__":
    main()
