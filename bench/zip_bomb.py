"""Memory and time of the upload check on a zip bomb (issue 9): a 1 MB .odt whose `mimetype`
entry inflates to 1 GiB. Prints the file size, the verdict, the peak of Python allocations
(tracemalloc), the process's peak resident memory and the elapsed time.

    python bench/zip_bomb.py                      # the current contrib/attachments.py
    python bench/zip_bomb.py --module OLD.py      # another version, e.g. from `git show`
    python bench/zip_bomb.py --size-mib 256       # a smaller bomb
"""

import argparse
import importlib.util
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "essaimage.settings")

import django  # noqa: E402

django.setup()

from django.core.exceptions import ValidationError  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402

from contrib.tests.zipbomb import odt_bomb  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--module", help="path of an attachments.py to measure instead")
    parser.add_argument("--size-mib", type=int, default=1024)
    args = parser.parse_args()
    if args.module:
        spec = importlib.util.spec_from_file_location("attachments_under_test", args.module)
        attachments = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(attachments)
    else:
        from contrib import attachments
    content = odt_bomb(args.size_mib << 20)
    upload = SimpleUploadedFile("bombe.odt", content)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    start = time.perf_counter()
    try:
        kind = attachments.check_upload(upload)
        verdict = f"accepted as {kind.label}"
    except ValidationError as error:
        verdict = f"refused: {' '.join(error.messages)}"
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"file: {len(content) / 1e6:.2f} MB, entry inflates to {args.size_mib} MiB")
    print(f"verdict: {verdict}")
    print(f"time: {elapsed:.3f} s")
    print(f"python allocations peak (tracemalloc): {peak / 1e6:.1f} MB")
    print(f"process peak RSS: {rss_before / 1024:.0f} MB before, {rss_after / 1024:.0f} MB after")


if __name__ == "__main__":
    main()
