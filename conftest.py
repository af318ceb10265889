import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # Hashing with the real hasher costs ~0.3 s per user; tests only need a working hash.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # A background thread cannot see a test's uncommitted rows: rebuild in the request.
    settings.SEARCH_FAST_PATH_BACKGROUND = False
    # Similar lists in the request (discovery/tests/test_similarity_updates.py checks the job).
    settings.SIMILAR_IN_BACKGROUND = False
    # The per-process cache outlives each test's rolled-back data: stats/tests/test_cache.py
    # turns it on where it is the subject.
    settings.STATS_CACHE_SECONDS = 0
    # Throttle logic runs on a per-process cache (each test clears it); the tests of the
    # shared cache itself use the database cache and Redis (essaimage/tests/test_limits.py).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()  # counters never leak from one test to the next
    # The suggestions model a test trains (compute_similar, train_suggestions) stays its own.
    settings.SUGGESTIONS_MODEL = tmp_path / "suggestions.npz"
    # Index snapshots (search/snapshot.py) of a test stay its own, out of the repository.
    settings.SEARCH_INDEX_SNAPSHOT_DIR = str(tmp_path / "search-index")
