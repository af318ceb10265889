"""A worker gives the memory its requests freed back to the system, but only once it grew
(essaimage/lib/malloc.py, called by gunicorn's post_request hook)."""

from essaimage.lib import malloc

MB = 1024 * 1024


def test_a_worker_trims_only_when_its_memory_grew(monkeypatch):
    trims = []
    resident = [300 * MB]
    monkeypatch.setattr(malloc, "_trim", lambda pad: trims.append(pad) or 1)
    monkeypatch.setattr(malloc, "resident_bytes", lambda: resident[0])
    monkeypatch.setattr(malloc, "_resident_after_trim", None)
    assert malloc.release_memory_if_grown()  # the first request: trimmed
    resident[0] += 4 * MB
    assert not malloc.release_memory_if_grown()  # small growth: left to malloc
    resident[0] += malloc.TRIM_STEP
    assert malloc.release_memory_if_grown()
    assert trims == [0, 0]


def test_resident_memory_is_read_on_linux():
    resident = malloc.resident_bytes()
    assert resident is None or resident > MB
