"""The limits live in a cache shared by every worker: two separate Django processes (as two
gunicorn workers) count together, on the database cache and on Redis."""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from unittest import skipUnless

from django.db import connection
from django.test import SimpleTestCase, TestCase

from essaimage.lib import limits

ROOT = Path(__file__).resolve().parent.parent.parent
WORKER = """
import json, sys
import django
django.setup()
from django.conf import settings
from contrib import throttle
from essaimage.lib import limits
action, ident = sys.argv[1], sys.argv[2]
if action == "api":
    print(json.dumps([limits.hit("api-anon", ident, "3/day") for _ in range(2)]))
elif action == "burst":
    # A burst of events counted as fast as the process can: how many were let through.
    import time
    limit, events, start = int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    limits.count("burst", ident, 86400)  # connect before the start
    time.sleep(max(0.0, start - time.time()))
    print(json.dumps(sum(limits.hit("burst", ident, f"{limit}/day") is None for _ in range(events))))
elif action == "login-race":
    # Login guesses with a wrong password, as fast as the process can, through the real form;
    # the password check is made slow (as a real hasher is) by a backend that always refuses.
    import time
    from django.test import RequestFactory, override_settings
    from contrib.forms import LoginForm
    email, guesses, start = sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
    limits.count("login-account", "warm-up", 60)  # connect before the start
    time.sleep(max(0.0, start - time.time()))
    passed = 0
    with override_settings(AUTHENTICATION_BACKENDS=["essaimage.tests.test_limits.SlowRefusal"]):
        for _ in range(guesses):
            request = RequestFactory().post("/compte/connexion/", REMOTE_ADDR=ident)
            form = LoginForm(request, data={"username": email, "password": "devine"})
            form.is_valid()
            passed += not form.has_error("__all__", "throttled")
    print(json.dumps(passed))
elif action == "count":
    print(json.dumps(limits.count("burst", ident, 86400)))
elif action == "login-fail":
    for _ in range(3):
        throttle.record_failure("alice@example.org", ident)
    print(json.dumps({"blocked": throttle.is_blocked("alice@example.org", ident),
                      "other_address_blocked": throttle.is_blocked("alice@example.org", "198.51.100.7"),
                      "backend": settings.CACHES["default"]["BACKEND"]}))
"""


class SlowRefusal:
    """An authentication backend that takes as long as a password hash and refuses."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        time.sleep(0.05)
        return None

    def get_user(self, user_id):
        return None


def redis_url() -> str:
    return os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"


def redis_is_running() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return bool(os.environ.get("REDIS_URL"))
    return True


def wait_for_a_whole_day_window(margin: float = 120.0) -> None:
    """The daily windows are UTC days (limits.window_key): started within `margin` seconds of
    midnight, the processes of one check could count in two windows (seen once in CI)."""
    left = 86400 - time.time() % 86400
    if left < margin:
        time.sleep(left + 1)


class SharedCacheMixin:
    def run_worker(self, env: dict, *args: str):
        done = subprocess.run(
            [sys.executable, "-c", WORKER, *args],
            cwd=ROOT,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "essaimage.settings", **env},
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return json.loads(done.stdout.strip().splitlines()[-1])

    def check_concurrent_bursts_are_counted_exactly(self, env: dict):
        """Four processes hitting one limit at once let exactly `limit` events through: no
        update is lost between two workers (the database cache's own incr is a read then a
        write)."""
        address = f"burst-{uuid.uuid4().hex}"
        limit, events, processes = 100, 50, 4
        wait_for_a_whole_day_window()
        start = str(time.time() + 8)  # every process has started and connected by then
        runs = [
            subprocess.Popen(
                [sys.executable, "-c", WORKER, "burst", address, str(limit), str(events), start],
                cwd=ROOT,
                env={**os.environ, "DJANGO_SETTINGS_MODULE": "essaimage.settings", **env},
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(processes)
        ]
        allowed = []
        for run in runs:
            out, err = run.communicate(timeout=120)
            self.assertEqual(run.returncode, 0, err[-2000:])
            allowed.append(json.loads(out.strip().splitlines()[-1]))
        self.assertEqual(sum(allowed), limit)
        self.assertGreaterEqual(self.run_worker(env, "count", address), limit)

    def check_concurrent_login_guesses_are_capped(self, env: dict):
        """Four processes guessing one account's password at once: no more guesses reach the
        password check than LOGIN_FAILURES_PER_ACCOUNT (5), however they interleave."""
        address = f"198.51.100.{uuid.uuid4().int % 250}"
        email = f"victim-{uuid.uuid4().hex[:8]}@example.org"
        start = str(time.time() + 8)
        runs = [
            subprocess.Popen(
                [sys.executable, "-c", WORKER, "login-race", address, email, "4", start],
                cwd=ROOT,
                env={**os.environ, "DJANGO_SETTINGS_MODULE": "essaimage.settings", **env},
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(4)
        ]
        passed = []
        for run in runs:
            out, err = run.communicate(timeout=120)
            self.assertEqual(run.returncode, 0, err[-2000:])
            passed.append(json.loads(out.strip().splitlines()[-1]))
        self.assertEqual(sum(passed), 5, passed)

    def check_two_processes_count_together(self, env: dict, backend: str):
        address = f"203.0.113.{uuid.uuid4().int % 250}-{uuid.uuid4().hex[:6]}"
        wait_for_a_whole_day_window()
        first = self.run_worker(env, "api", address)
        second = self.run_worker(env, "api", address)
        # 3 requests a day in all (a day: the two processes never straddle two windows, as they
        # could with a minute on a loaded machine): the second process's second request is refused.
        self.assertEqual(first, [None, None])
        self.assertIsNone(second[0])
        self.assertGreater(second[1], 0)
        # Login failures: 3 in one process + 3 in the other block this address for the
        # account (5 allowed), and only this address.
        self.run_worker(env, "login-fail", address)
        state = self.run_worker(env, "login-fail", address)
        self.assertEqual(state["backend"], backend)
        self.assertTrue(state["blocked"])
        self.assertFalse(state["other_address_blocked"])


class DatabaseCacheTestCase(SharedCacheMixin, TestCase):
    def database_env(self) -> dict:
        env = {"REDIS_URL": ""}
        if connection.vendor == "sqlite":  # the test database lives in memory: use a file
            path = Path(tempfile.mkdtemp(prefix="essaimage-cache-")) / "db.sqlite3"
            env["DATABASE_URL"] = f"sqlite:///{path}"
            subprocess.run(
                [sys.executable, "manage.py", "createcachetable"],
                cwd=ROOT,
                env={**os.environ, **env},
                check=True,
                capture_output=True,
            )
        else:  # the test database, whose cache table the test runner created
            settings = connection.settings_dict
            env["DATABASE_URL"] = (
                f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/"
                f"{settings['NAME']}"
            )
        return env

    def test_two_processes_share_the_database_cache(self):
        self.check_two_processes_count_together(
            self.database_env(), "django.core.cache.backends.db.DatabaseCache"
        )

    def test_concurrent_bursts_lose_no_event_on_the_database_cache(self):
        self.check_concurrent_bursts_are_counted_exactly(self.database_env())

    def test_concurrent_login_guesses_are_capped_on_the_database_cache(self):
        self.check_concurrent_login_guesses_are_capped(self.database_env())


@skipUnless(redis_is_running(), "Redis is not running (set REDIS_URL)")
class RedisCacheTestCase(SharedCacheMixin, SimpleTestCase):
    def test_two_processes_share_redis(self):
        env = {"REDIS_URL": redis_url(), "DATABASE_URL": "sqlite:///:memory:"}
        self.check_two_processes_count_together(env, "django.core.cache.backends.redis.RedisCache")

    def test_concurrent_bursts_lose_no_event_on_redis(self):
        env = {"REDIS_URL": redis_url(), "DATABASE_URL": "sqlite:///:memory:"}
        self.check_concurrent_bursts_are_counted_exactly(env)

    def test_concurrent_login_guesses_are_capped_on_redis(self):
        env = {"REDIS_URL": redis_url(), "DATABASE_URL": "sqlite:///:memory:"}
        self.check_concurrent_login_guesses_are_capped(env)


class ClientAddressTestCase(SimpleTestCase):
    def address(self, remote: str, forwarded: str | None = None) -> str:
        meta = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            meta["HTTP_X_FORWARDED_FOR"] = forwarded

        class Request:
            META = meta

        return limits.client_address(Request)

    def test_without_proxies_the_header_is_ignored(self):
        with self.settings(TRUSTED_PROXY_COUNT=0):
            self.assertEqual(self.address("203.0.113.5", "192.0.2.1"), "203.0.113.5")

    def test_behind_proxies_the_address_is_read_from_the_right(self):
        with self.settings(TRUSTED_PROXY_COUNT=1):
            self.assertEqual(self.address("10.0.0.1", "192.0.2.1, 203.0.113.5"), "203.0.113.5")
            self.assertEqual(self.address("10.0.0.1", "garbage"), "10.0.0.1")
            self.assertEqual(self.address("10.0.0.1"), "10.0.0.1")
        with self.settings(TRUSTED_PROXY_COUNT=2):
            self.assertEqual(
                self.address("10.0.0.2", "192.0.2.1, 203.0.113.5, 10.0.0.1"), "203.0.113.5"
            )
