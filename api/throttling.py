"""Rate limiting of anonymous clients (settings.API_ANON_RATE), per real client address
(essaimage.lib.limits.client_address: X-Forwarded-For only through TRUSTED_PROXY_COUNT
proxies), counted in the shared cache so every worker and server sees the same counter."""

from django.conf import settings
from ninja.throttling import BaseThrottle

from api import tokens
from essaimage.lib import limits


class AnonymousThrottle(BaseThrottle):
    def __init__(self):
        self._wait: int | None = None

    def allow_request(self, request) -> bool:
        # A client with a valid personal token is identified, not anonymous.
        if not settings.API_ANON_RATE or tokens.user_for_key(tokens.bearer_key(request)):
            return True
        self._wait = limits.hit("api-anon", limits.client_address(request), settings.API_ANON_RATE)
        return self._wait is None

    def wait(self) -> float | None:
        return self._wait
