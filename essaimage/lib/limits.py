"""Rate and concurrency limits kept in Django's default cache, which is shared by every worker
and server (the database cache table, or Redis when REDIS_URL is set: see settings), and keyed
by the real client address.

- `client_address(request)`: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT reverse proxies the
  address the outermost trusted proxy saw (X-Forwarded-For read from the right; what a client
  writes in the header itself is further left and never trusted).
- `hit(scope, ident, rate)`: count one event in a fixed window ("5/hour"); returns the seconds
  to wait when over the limit, else None. Exact with concurrent workers on every cache: Redis
  and the in-process cache increment atomically; on the database cache (whose `incr` is a read
  then a write, so two workers can both write 6) each event claims its own numbered key with
  `add`, which only one writer wins (`_claim`).
- `slot(scope, ident, per_client, total, timeout)`: a context manager holding one of `total`
  places (and one of `per_client` for this client) while heavy work runs; raises Busy.
"""

import hashlib
import ipaddress
import time
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


class Busy(Exception):
    """No place left: `for_client` True when this client already holds all of its places."""

    def __init__(self, retry_after: int, *, for_client: bool):
        super().__init__(retry_after)
        self.retry_after = retry_after
        self.for_client = for_client


def client_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if not forwarded:
        return remote
    candidate = forwarded[-min(count, len(forwarded))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def parse_rate(rate: str) -> tuple[int, int]:
    """ "5/hour" -> (5, 3600). Raises ValueError."""
    count, _, period = rate.partition("/")
    number = "".join(ch for ch in period if ch.isdigit()) or "1"
    unit = period.lstrip("0123456789").strip().lower()
    return int(count), int(number) * PERIODS[unit]


def _key(*parts: str) -> str:
    # Cache keys stay short and printable whatever the identifier (e-mail, IPv6 address).
    return "limits:" + hashlib.sha256(":".join(parts).encode()).hexdigest()[:40]


def window_key(scope: str, ident: str, period: int) -> str:
    """The cache key of the current window's counter."""
    return _key(scope, ident, str(period), str(int(time.time() // period)))


def _atomic_incr() -> bool:
    return isinstance(caches["default"], RedisCache | LocMemCache)


def count(scope: str, ident: str, period: int) -> int:
    """Events counted so far in the current window."""
    key = window_key(scope, ident, period)
    value = cache.get(key, 0)
    if not _atomic_incr():
        # The counter is a hint that can lag behind the claimed numbers.
        while cache.has_key(f"{key}:{value + 1}"):
            value += 1
    return value


def reset(scope: str, ident: str, period: int) -> None:
    """Forget the events of the current window."""
    key = window_key(scope, ident, period)
    numbered = [f"{key}:{n}" for n in range(1, count(scope, ident, period) + 1)]
    cache.delete_many([key, *numbered])


def _claim(key: str, timeout: int, ceiling: int) -> int:
    """The number of this event in the window, on a cache whose `incr` is not atomic: the
    counter gives a first guess, then the first free numbered key from it is taken with `add`
    (an INSERT only one writer wins). Past `ceiling` the exact number no longer matters."""
    cache.add(key, 0, timeout)
    try:
        number = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout)
        number = 1
    guess = number
    while number <= ceiling and not cache.add(f"{key}:{number}", 1, timeout):
        if not cache.has_key(f"{key}:{number}"):
            return guess  # the cache cannot write (read-only database): count no further
        number += 1
    if number > guess:
        cache.set(key, number, timeout)  # catch the hint up (a hint only: races are harmless)
    return number


def hit(scope: str, ident: str, rate: str) -> int | None:
    if not rate:
        return None
    limit, period = parse_rate(rate)
    now = time.time()
    window = int(now // period)
    key = window_key(scope, ident, period)
    if _atomic_incr():
        cache.add(key, 0, period + 1)
        try:
            value = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, period + 1)
            value = 1
    else:
        value = _claim(key, period + 1, limit + 1)
    if value > limit:
        return max(1, int((window + 1) * period - now) + 1)
    return None


def retry_after(scope: str, ident: str, rate: str) -> int | None:
    """Like hit() without counting: the wait if the limit is already reached."""
    if not rate:
        return None
    limit, period = parse_rate(rate)
    now = time.time()
    if count(scope, ident, period) >= limit:
        return max(1, int((int(now // period) + 1) * period - now) + 1)
    return None


def _take(prefix: str, places: int, timeout: int) -> str | None:
    for index in range(places):
        key = _key(prefix, str(index))
        if cache.add(key, 1, timeout):
            return key
    return None


@contextmanager
def slot(scope: str, ident: str, *, per_client: int, total: int, timeout: int, wait: int = 30):
    """Hold a place while heavy work runs. A place left by a killed worker frees itself
    after `timeout` seconds."""
    taken = []
    try:
        for prefix, places in ((f"{scope}:client:{ident}", per_client), (f"{scope}:all", total)):
            key = _take(prefix, places, timeout)
            if key is None:
                raise Busy(wait, for_client=not taken)
            taken.append(key)
        yield
    finally:
        for key in taken:
            cache.delete(key)
