import pytest


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # Hashing with the real hasher costs ~0.3 s per user; tests only need a working hash.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
