import json
import logging
import os
import re
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.test import SimpleTestCase

from essaimage.lib.logs import JsonFormatter

ROOT = Path(__file__).resolve().parent.parent.parent


class DeployCheckTestCase(SimpleTestCase):
    def test_it_passes_check_deploy_with_production_environment(self):
        env = {
            **os.environ,
            "DEBUG": "False",
            "SECRET_KEY": "k3Jq-9vX_2mZ7tLw0pR4sY8uB6nC1dF5gH0jK2lM4nP6qR8sT0vW2xY4zA6bC8d",
            "ALLOWED_HOSTS": "essaimage.example.org",
            "SITE_URL": "https://essaimage.example.org",
            "CONTACT_EMAIL": "contact@essaimage.example.org",
        }
        # Browser tests set it for Playwright; a production environment never has it.
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        result = subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("no issues", result.stdout)

    def test_the_documented_production_environment_passes_check_deploy(self):
        """docs/operations.md, "Production check": its env block, placeholders filled in."""
        doc = (ROOT / "docs" / "operations.md").read_text()
        block = re.search(r"```env\n(.*?)```", doc, re.S).group(1)
        documented = dict(line.split("=", 1) for line in block.splitlines() if "=" in line)
        documented = {
            name: secrets.token_urlsafe(50) if value.startswith("<") else value
            for name, value in documented.items()
        }
        self.assertIn("METRICS_TOKEN", documented)
        env = {**os.environ, **documented}
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        result = subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("no issues", result.stdout)

    def test_it_fails_check_deploy_with_the_development_key(self):
        env = {**os.environ, "DEBUG": "False", "ALLOWED_HOSTS": "essaimage.example.org"}
        env.pop("SECRET_KEY", None)
        result = subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("security.W009", result.stdout + result.stderr)

    def test_it_warns_when_site_url_is_left_at_a_loopback_address(self):
        env = {
            **os.environ,
            "DEBUG": "False",
            "SECRET_KEY": "k3Jq-9vX_2mZ7tLw0pR4sY8uB6nC1dF5gH0jK2lM4nP6qR8sT0vW2xY4zA6bC8d",
            "ALLOWED_HOSTS": "essaimage.example.org",
            "SITE_URL": "http://127.0.0.1:8000",
        }
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        result = subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("essaimage.W001", result.stdout + result.stderr)
        self.assertIn("SITE_URL", result.stdout + result.stderr)

    def test_it_warns_when_no_site_contact_is_set(self):
        env = {
            **os.environ,
            "DEBUG": "False",
            "SECRET_KEY": "k3Jq-9vX_2mZ7tLw0pR4sY8uB6nC1dF5gH0jK2lM4nP6qR8sT0vW2xY4zA6bC8d",
            "ALLOWED_HOSTS": "essaimage.example.org",
            "SITE_URL": "https://essaimage.example.org",
            "CONTACT_EMAIL": "",
        }
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        result = subprocess.run(
            [sys.executable, "manage.py", "check", "--fail-level", "WARNING"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("essaimage.W002", result.stdout + result.stderr)
        self.assertIn("CONTACT_EMAIL n'est pas défini", result.stdout + result.stderr)


class SqliteSettingsTestCase(SimpleTestCase):
    databases = {"default"}

    def test_it_opens_sqlite_in_wal_mode_with_a_busy_timeout(self):
        if connection.vendor != "sqlite":
            self.skipTest("SQLite settings only apply when the database is SQLite")
        with tempfile.TemporaryDirectory() as tmp:
            params = {**settings.DATABASES["default"], "NAME": str(Path(tmp) / "wal.sqlite3")}
            wrapper = DatabaseWrapper(params, alias="wal-check")
            try:
                with wrapper.cursor() as cursor:
                    cursor.execute("PRAGMA journal_mode")
                    self.assertEqual(cursor.fetchone()[0], "wal")
                    cursor.execute("PRAGMA busy_timeout")
                    self.assertEqual(cursor.fetchone()[0], 20000)
                    cursor.execute("PRAGMA synchronous")
                    self.assertEqual(cursor.fetchone()[0], 1)  # NORMAL
            finally:
                wrapper.close()


class JsonLogsTestCase(SimpleTestCase):
    def test_it_prints_one_json_object_per_record(self):
        record = logging.makeLogRecord(
            {"name": "ingest", "levelname": "WARNING", "msg": "fiche %s tronquée", "args": ("Été",)}
        )
        record.sheet_id = 42
        entry = json.loads(JsonFormatter().format(record))
        self.assertEqual(entry["message"], "fiche Été tronquée")
        self.assertEqual(entry["level"], "WARNING")
        self.assertEqual(entry["logger"], "ingest")
        self.assertEqual(entry["sheet_id"], 42)
        self.assertIn("time", entry)
