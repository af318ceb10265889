"""How much of an oversized upload the server takes in before refusing it (issue 9): a
contributor posts a 50 MiB file (limit ATTACHMENT_MAX_BYTES, 10 MiB) through Django's request
handling; prints the bytes the storing upload handlers received, the peak of Python
allocations and the time until the answer.

    python bench/upload_stream.py [--handlers old]
"""

import argparse
import io
import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "essaimage.settings")

import django  # noqa: E402

django.setup()

from django.core.files.uploadhandler import FileUploadHandler  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


class CountingUploadHandler(FileUploadHandler):
    received = 0

    def receive_data_chunk(self, raw_data, start):
        CountingUploadHandler.received += len(raw_data)
        return raw_data

    def file_complete(self, file_size):
        return None


STORING = [
    "bench.upload_stream.CountingUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--handlers", choices=["old", "new"], default="new")
    parser.add_argument("--size-mib", type=int, default=50)
    args = parser.parse_args()
    sys.modules.setdefault("bench.upload_stream", sys.modules[__name__])
    handlers = (
        STORING
        if args.handlers == "old"
        else ["essaimage.lib.uploads.MaxSizeUploadHandler", *STORING]
    )
    setup_test_environment()
    from django.db import connection
    from django.test.utils import (
        get_runner,  # noqa: F401
        setup_databases,
        teardown_databases,
    )

    names = setup_databases(verbosity=0, interactive=False)
    try:
        from catalogue.models import ActionSheet, Structure
        from contrib.models import Membership, User

        structure = Structure.objects.create(name="ADESIR", departement_id="974")
        sheet = ActionSheet.objects.create(structure=structure, title="Repair Café")
        user = User.objects.create_user("alice@example.org", "x")
        Membership.objects.create(user=user, structure=structure)
        client = Client()
        client.force_login(user)
        content = io.BytesIO(b"%PDF-1.4\n" + b"0" * (args.size_mib << 20))
        content.name = "gros.pdf"
        with override_settings(FILE_UPLOAD_HANDLERS=handlers):
            tracemalloc.start()
            start = time.perf_counter()
            r = client.post(f"/contribuer/fiches/{sheet.pk}/fichiers/", {"file": content})
            elapsed = time.perf_counter() - start
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        print(f"handlers: {args.handlers}, upload {args.size_mib} MiB, status {r.status_code}")
        print(f"bytes received by the storing handlers: {CountingUploadHandler.received:,}")
        print(f"time: {elapsed:.2f} s, python allocations peak: {peak / 1e6:.1f} MB")
    finally:
        teardown_databases(names, verbosity=0)
        connection.close()


if __name__ == "__main__":
    main()
