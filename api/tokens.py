"""Services for personal API tokens: create, revoke, and find the user behind a key."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from api.models import ApiToken

KEY_PREFIX = "ess_"
MAX_ACTIVE_TOKENS = 10


class TokenLimitReached(Exception):
    """The user already has MAX_ACTIVE_TOKENS active tokens."""


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def active_tokens(user):
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True)


@transaction.atomic
def create_token(user, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its key, which is never stored nor shown again."""
    if active_tokens(user).count() >= MAX_ACTIVE_TOKENS:
        raise TokenLimitReached(
            f"Vous avez déjà {MAX_ACTIVE_TOKENS} jetons actifs : révoquez-en un d'abord."
        )
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name.strip()[:100], key_hash=_hash(key), prefix=key[:10]
    )
    return token, key


def revoke_token(user, pk: int) -> ApiToken:
    """Revoke one of `user`'s tokens (idempotent); raise ApiToken.DoesNotExist for others'."""
    token = ApiToken.objects.get(user=user, pk=pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def user_for_key(key: str):
    """The active user owning this active key, or None; records the token's last use."""
    if not key or not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def bearer_key(request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    return key.strip() if scheme.lower() in ("bearer", "token") else ""
