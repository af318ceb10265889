"""The whole catalogue as downloadable files (page "Données ouvertes"): built once per state of
the published catalogue, in the job worker, and served as plain files with their size and date."""

import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max
from django.utils import timezone

from catalogue.models import ActionSheet
from public import export_jobs

logger = logging.getLogger(__name__)

FORMATS = ("csv", "xlsx", "json")
LABELS = {"csv": "CSV (tableur, séparateur « ; »)", "xlsx": "Excel (XLSX)", "json": "JSON"}
STATE_FILE = "etat.json"
BUILD_LOCK = "open-data:build-queued"


@dataclass(frozen=True)
class OpenDataFile:
    fmt: str
    label: str
    name: str
    size: int
    built_at: datetime
    sheet_count: int


def directory() -> Path:
    return Path(settings.OPEN_DATA_DIR)


def file_name(fmt: str) -> str:
    return f"essaimage-fiches-actions.{fmt}"


def catalogue_state() -> str:
    """Changes whenever a sheet is published, edited or withdrawn (count and last change)."""
    published = ActionSheet.objects.published()
    last = published.aggregate(last=Max("updated_at"))["last"]
    return f"{published.count()}:{last.isoformat() if last else '-'}"


def _read_state() -> dict | None:
    try:
        return json.loads((directory() / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def build_files() -> dict:
    """Write the three files (atomically: a reader never gets half a file) and their state."""
    folder = directory()
    folder.mkdir(parents=True, exist_ok=True)
    state = catalogue_state()
    query = export_jobs.query_of("")
    sizes = {}
    for fmt in FORMATS:
        part = folder / f"{file_name(fmt)}.part"
        export_jobs.write_file(fmt, query, part)
        os.replace(part, folder / file_name(fmt))
        sizes[fmt] = (folder / file_name(fmt)).stat().st_size
    info = {
        "state": state,
        "built_at": timezone.now().isoformat(),
        "sheet_count": int(state.split(":", 1)[0]),
        "sizes": sizes,
    }
    tmp = folder / f"{STATE_FILE}.part"
    tmp.write_text(json.dumps(info), encoding="utf-8")
    os.replace(tmp, folder / STATE_FILE)
    cache.delete(BUILD_LOCK)
    return info


def published_files() -> tuple[list[OpenDataFile], bool]:
    """The files as last built, and whether newer ones are being prepared (queued if needed)."""
    info = _read_state()
    stale = info is None or info.get("state") != catalogue_state()
    if stale and cache.add(BUILD_LOCK, "1", timeout=settings.OPEN_DATA_REBUILD_SECONDS):
        from public.tasks import build_open_data

        build_open_data.enqueue()
    if info is None:
        return [], True
    built_at = datetime.fromisoformat(info["built_at"])
    files = [
        OpenDataFile(fmt, LABELS[fmt], file_name(fmt), size, built_at, info["sheet_count"])
        for fmt, size in info["sizes"].items()
        if (directory() / file_name(fmt)).exists()
    ]
    return files, stale
