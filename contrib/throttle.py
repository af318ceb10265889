"""Login throttling that locks the attacker, not the account.

Attempts are counted in the shared cache (essaimage.lib.limits) per (account, client address)
and per client address. An address is refused for an account after LOGIN_FAILURES_PER_ACCOUNT
attempts on it, and for every account after LOGIN_FAILURES_PER_ADDRESS attempts, during
LOGIN_WINDOW_SECONDS; a success clears the account's count for that address. Nobody else is
affected: the account's owner, from their own address, still logs in with the right password.

Each attempt is counted *before* the password is checked, in one atomic step (`limits.hit`:
an increment on Redis, a claimed numbered key on the database cache) that both records it and
says whether it is over the limit. A check followed by a record let every concurrent guess
pass the check before any was recorded (6 guesses for a limit of 5, 7 on Redis).
"""

from django.conf import settings

from essaimage.lib import limits


def _counters(email: str, address: str) -> list[tuple[str, str, int]]:
    email = email.strip().lower()
    return [
        ("login-account", f"{email}|{address}", settings.LOGIN_FAILURES_PER_ACCOUNT),
        ("login-address", address, settings.LOGIN_FAILURES_PER_ADDRESS),
    ]


def _rate(limit: int) -> str:
    return f"{limit}/{settings.LOGIN_WINDOW_SECONDS}s"


def attempt(email: str, address: str) -> bool:
    """Count one login attempt; False when it is over a limit (then refuse it unchecked)."""
    over = [
        limits.hit(scope, ident, _rate(limit)) for scope, ident, limit in _counters(email, address)
    ]
    return not any(over)


def is_blocked(email: str, address: str) -> bool:
    return any(
        limits.retry_after(scope, ident, _rate(limit))
        for scope, ident, limit in _counters(email, address)
    )


def record_failure(email: str, address: str) -> None:
    for scope, ident, limit in _counters(email, address):
        limits.hit(scope, ident, _rate(limit))


def record_refusal(address: str) -> None:
    """An attempt refused while blocked still counts against the address."""
    limits.hit("login-address", address, _rate(settings.LOGIN_FAILURES_PER_ADDRESS))


def reset(email: str, address: str) -> None:
    """A success from this address clears its failures on this account."""
    limit = settings.LOGIN_FAILURES_PER_ACCOUNT
    _, period = limits.parse_rate(_rate(limit))
    limits.reset("login-account", f"{email.strip().lower()}|{address}", period)
