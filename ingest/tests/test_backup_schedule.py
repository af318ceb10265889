"""deploy/backup.sh, the script the clock runs nightly (operations.jobs): archives that restore, rotated."""

import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

ROOT = Path(settings.BASE_DIR)


class BackupScheduleTestCase(SimpleTestCase):
    def test_the_scheduled_script_writes_archives_and_keeps_the_newest(self):
        work = Path(tempfile.mkdtemp(prefix="essaimage-backup-schedule-"))
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{work / 'site.sqlite3'}",
            "MEDIA_ROOT": str(work / "media"),
            "BACKUP_DIR": str(work / "sauvegardes"),
            "BACKUP_KEEP": "2",
            "PYTHON": sys.executable,
        }

        def run(*command):
            result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
            self.assertEqual(result.returncode, 0, result.stderr[-2000:])
            return result.stdout

        run(sys.executable, "manage.py", "migrate", "--noinput", "-v0")
        shutil.copy(work / "site.sqlite3", work / "restored.sqlite3")  # empty, migrated
        run(sys.executable, "manage.py", "import_senacs", "data/senacs_sample.txt")
        for day in ("20260101-031500", "20260102-031500"):  # two older nightly archives
            (work / "sauvegardes").mkdir(exist_ok=True)
            (work / "sauvegardes" / f"essaimage-{day}.zip").write_bytes(b"")
        out = run(str(ROOT / "deploy" / "backup.sh"))
        self.assertIn("Sauvegarde écrite dans", out)
        self.assertIn("24 fiches", out)

        archives = sorted((work / "sauvegardes").glob("essaimage-*.zip"))
        self.assertEqual(len(archives), 2)
        self.assertEqual(archives[0].name, "essaimage-20260102-031500.zip")
        with zipfile.ZipFile(archives[1]) as newest:
            self.assertIn("manifest.json", newest.namelist())

        # The archive restores into a fresh database.
        env["DATABASE_URL"] = f"sqlite:///{work / 'restored.sqlite3'}"
        out = run(sys.executable, "manage.py", "restore", str(archives[1]))
        self.assertIn("Restauration terminée : 24 fiches", out)
