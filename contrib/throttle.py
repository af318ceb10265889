"""Login throttling: a small counter of failed attempts in Django's cache, per e-mail and per
address. No dependency: a fixed window is enough against password guessing at our scale."""

from django.core.cache import cache

MAX_FAILURES = 5  # per e-mail address (and 20 per network address) ...
MAX_FAILURES_PER_IP = 20
WINDOW_SECONDS = 15 * 60  # ... within 15 minutes


def _keys(email: str, ip: str) -> list[tuple[str, int]]:
    return [
        (f"login-fail:email:{email.strip().lower()}", MAX_FAILURES),
        (f"login-fail:ip:{ip}", MAX_FAILURES_PER_IP),
    ]


def is_blocked(email: str, ip: str) -> bool:
    return any(cache.get(key, 0) >= limit for key, limit in _keys(email, ip))


def record_failure(email: str, ip: str) -> None:
    for key, _ in _keys(email, ip):
        if cache.add(key, 1, WINDOW_SECONDS):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, WINDOW_SECONDS)


def reset(email: str) -> None:
    cache.delete(f"login-fail:email:{email.strip().lower()}")
