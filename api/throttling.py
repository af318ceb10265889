"""Rate limiting of anonymous clients: a cache-based counter per address (settings.API_ANON_RATE)."""

from django.conf import settings
from ninja.throttling import SimpleRateThrottle

from api import tokens


class AnonymousThrottle(SimpleRateThrottle):
    scope = "anon"

    def __init__(self):
        super().__init__(rate="1/s")  # replaced on each request by the current setting

    def allow_request(self, request) -> bool:
        self.rate = settings.API_ANON_RATE
        if not self.rate:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request) -> str | None:
        # A client with a valid personal token is identified, not anonymous.
        if tokens.user_for_key(tokens.bearer_key(request)) is not None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
