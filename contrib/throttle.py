"""Login throttling that locks the attacker, not the account.

Failed attempts are counted in the shared cache (essaimage.lib.limits) per (account, client
address) and per client address. An address is refused for an account after
LOGIN_FAILURES_PER_ACCOUNT failures on it, and for every account after
LOGIN_FAILURES_PER_ADDRESS failures, during LOGIN_WINDOW_SECONDS. Nobody else is affected: the
account's owner, from their own address, still logs in with the right password.
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
