"""GUNICORN_PRELOAD: the master builds the search index before forking, so that a worker answers
its first search from the shared index (no build of its own) and never reuses the master's
database connection."""

import gc
import runpy
from pathlib import Path

import pytest
from django.db import connections

from catalogue.signals import sheets_changed
from essaimage.test import ensure_reference_data, make_sheet, make_structure
from search.engines import memory
from search.query import SheetQuery
from search.service import search_sheets

CONF = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"
# The hook closes connections: it must run outside a test transaction.
pytestmark = pytest.mark.django_db(transaction=True)


def test_the_master_builds_the_index_once_and_closes_its_connection(settings, monkeypatch):
    ensure_reference_data()
    settings.SEARCH_FAST_PATH = True
    lac = make_structure("Centre social du Lac", dep="35")
    sheet = make_sheet(lac, "Repair Café du Lac", summary="Réparer ensemble au bord du lac.")
    sheets_changed.send(sender=None, sheet_ids=[sheet.pk])
    monkeypatch.setenv("GUNICORN_PRELOAD", "1")
    conf = runpy.run_path(str(CONF))
    assert conf["preload_app"] is True
    monkeypatch.setattr(memory, "_index", None)
    closed = []
    close_all = connections.close_all
    monkeypatch.setattr(connections, "close_all", lambda: closed.append(True) or close_all())
    try:
        conf["when_ready"](None)
    finally:
        gc.unfreeze()
    assert closed, "the forked workers must open their own database connections"
    index = memory.ready_index()
    assert index is not None, "the first search must not wait for (nor start) a build"
    builds = memory.builds
    result = search_sheets(SheetQuery(q="réparer lac"))
    assert [s.pk for s in result.sheets] == [sheet.pk]
    assert memory.builds == builds


def test_without_the_setting_nothing_is_preloaded(monkeypatch):
    monkeypatch.delenv("GUNICORN_PRELOAD", raising=False)
    conf = runpy.run_path(str(CONF))
    assert conf["preload_app"] is False
    builds = memory.builds
    conf["when_ready"](None)
    assert memory.builds == builds


def test_the_master_loads_the_index_snapshot_instead_of_building(settings, monkeypatch):
    ensure_reference_data()
    settings.SEARCH_FAST_PATH = True
    lac = make_structure("Centre social du Lac", dep="35")
    sheet = make_sheet(lac, "Repair Café du Lac", summary="Réparer ensemble au bord du lac.")
    sheets_changed.send(sender=None, sheet_ids=[sheet.pk])
    monkeypatch.setattr(memory, "_index", None)
    memory.get_index()  # an earlier process (or manage.py search_snapshot) wrote the snapshot
    monkeypatch.setattr(memory, "_index", None)
    monkeypatch.setenv("GUNICORN_PRELOAD", "1")
    conf = runpy.run_path(str(CONF))
    builds = memory.builds
    try:
        conf["when_ready"](None)
    finally:
        gc.unfreeze()
    assert memory.builds == builds, "the master loads the snapshot"
    assert memory.ready_index() is not None
    result = search_sheets(SheetQuery(q="réparer lac"))
    assert [s.pk for s in result.sheets] == [sheet.pk]


def test_the_master_computes_what_workers_would_each_compute_on_first_use(settings, monkeypatch):
    ensure_reference_data()
    settings.SEARCH_FAST_PATH = True
    lac = make_structure("Centre social du Lac", dep="35")
    sheet = make_sheet(lac, "Repair Café du Lac", summary="Réparer ensemble au bord du lac.")
    sheets_changed.send(sender=None, sheet_ids=[sheet.pk])
    monkeypatch.setenv("GUNICORN_PRELOAD", "1")
    conf = runpy.run_path(str(CONF))
    monkeypatch.setattr(memory, "_index", None)
    try:
        conf["when_ready"](None)
    finally:
        gc.unfreeze()
    index = memory.ready_index()
    # Forked workers share these pages instead of each making them on its first search.
    assert index._structure_codes is not None
    assert index.text._sorted is not None and "lac" in index.text._sorted


# A child process: 100 MB freed in malloc's heap under a live block (so the heap's top cannot
# shrink by itself), then gunicorn's post_request hook; prints RSS before and after (MB).
FREED_HEAP = """
import runpy, sys
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024
conf = runpy.run_path(sys.argv[1])
blocks = [bytes(1000) for _ in range(100_000)]
above = bytes(1000)
del blocks
before = rss()
conf["post_request"](None, None, {}, None)
print(before, rss())
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="Linux only")
def test_after_each_request_a_worker_gives_freed_memory_back():
    import ctypes
    import subprocess
    import sys

    try:
        ctypes.CDLL("libc.so.6").malloc_trim  # noqa: B018
    except (OSError, AttributeError):
        pytest.skip("not glibc")
    root = CONF.parent.parent
    out = subprocess.run(
        [sys.executable, "-c", FREED_HEAP, str(CONF)],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    before, after = map(int, out.stdout.split())
    assert before - after >= 50, (before, after)
