"""A full disk for real: the SQLite database on a small tmpfs filled to the last byte. Reading
pages keeps working (they used to be 500s: "disk I/O error", the WAL files cannot be created);
/healthz says "degraded"; a write gets the French 503. Needs root to mount a tmpfs: skipped
otherwise (the CI container runs as root)."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from unittest import skipUnless

from django.test import SimpleTestCase

from essaimage.test import SAMPLE_PATH

ROOT = Path(__file__).resolve().parent.parent.parent

PREPARE = """
import django
django.setup()
from contrib.models import User
User.objects.create_user("alice@example.org", "mot-de-passe-solide-42")
"""

VISIT = """
import json
import django
django.setup()
from django.test import Client
from catalogue.models import ActionSheet
visitor = Client(raise_request_exception=False)
out = {}
sheet = ActionSheet.objects.published().first()
for url in ["/", "/actions/", "/actions/?q=parents", sheet.get_absolute_url(), "/api/v1/actions",
            "/statistiques/", "/compte/connexion/", "/actions/export.csv", "/healthz"]:
    r = visitor.get(url, follow=True)
    body = b"".join(r.streaming_content) if r.streaming else r.content
    out[url] = [r.status_code, body.decode("utf-8", "replace")]
r = visitor.post("/compte/connexion/",
                 {"username": "alice@example.org", "password": "mot-de-passe-solide-42"})
out["login"] = [r.status_code, r.content.decode()]
print(json.dumps(out))
"""


def can_mount() -> bool:
    return os.geteuid() == 0 and shutil.which("mount") is not None


@skipUnless(can_mount(), "mounting a tmpfs needs root")
class FullDiskTestCase(SimpleTestCase):
    def test_pages_read_on_a_full_disk_and_writes_get_a_french_503(self):
        work = Path(tempfile.mkdtemp(prefix="essaimage-full-"))
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "essaimage.settings",
            "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
            "REDIS_URL": "",
        }
        manage = [sys.executable, "manage.py"]
        for command in (
            ["migrate", "-v0"],
            ["createcachetable"],
            ["import_senacs", str(SAMPLE_PATH)],
        ):
            subprocess.run(manage + command, cwd=ROOT, env=env, check=True, capture_output=True)
        subprocess.run([sys.executable, "-c", PREPARE], cwd=ROOT, env=env, check=True)

        disk = work / "disk"
        disk.mkdir()
        size = (work / "db.sqlite3").stat().st_size + 1024 * 1024
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(disk)],
            capture_output=True,
            text=True,
        )
        if mounted.returncode != 0:
            self.skipTest(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
        self.addCleanup(subprocess.run, ["umount", str(disk)], check=False)
        shutil.copy(work / "db.sqlite3", disk / "db.sqlite3")
        filler = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT)
        try:  # fill the disk to the last byte
            while os.write(filler, b"\0" * 4096):
                pass
        except OSError:
            pass
        finally:
            os.close(filler)
        self.assertLess(shutil.disk_usage(disk).free, 4096)

        visit = subprocess.run(
            [sys.executable, "-c", VISIT],
            cwd=ROOT,
            env={
                **env,
                "DATABASE_URL": f"sqlite:///{disk / 'db.sqlite3'}",
                "VAR_DIR": str(disk / "var"),
            },
            capture_output=True,
            text=True,
            timeout=120,
        )
        self.assertEqual(visit.returncode, 0, visit.stderr[-3000:])
        pages = json.loads(visit.stdout.strip().splitlines()[-1])
        for url, (status, _) in pages.items():
            if url not in ("login", "/healthz"):
                self.assertEqual(status, 200, (url, visit.stderr[-2000:]))
        self.assertIn("Modification momentanément indisponible", pages["/actions/"][1])
        self.assertIn("le disque du serveur est plein", pages["/actions/"][1])
        self.assertEqual(pages["/healthz"][0], 200)
        health = json.loads(pages["/healthz"][1])
        self.assertIn(health.pop("search_index"), ("ready", "building", "off"))
        self.assertEqual(health, {"status": "degraded", "database": "disk-full"})
        status, body = pages["login"]
        self.assertEqual(status, 503)
        self.assertIn("Enregistrement impossible pour le moment", body)
        self.assertIn("le disque du serveur est plein", body)
