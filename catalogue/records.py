"""The canonical JSON record of a sheet (PRODUCT §5): JSON export, API and backups share it."""

from typing import Any

from django.conf import settings

from catalogue.fields import CHOICE_FIELDS, LIST_FIELDS, SHEET_FIELDS, TEXT_FIELDS
from catalogue.models import ActionSheet

# Key order of a record, as PRODUCT §5 lists them.
RECORD_KEYS = (
    "id",
    "title",
    "year",
    *SHEET_FIELDS[1:],
    "attachments",
    "structure",
    "publication_status",
    "created_at",
    "updated_at",
    "url",
    "archive",
)


def _labels(manager) -> list[str]:
    # Sorted in Python so a prefetched relation costs no query.
    return [v.label for v in sorted(manager.all(), key=lambda v: (v.position, v.label))]


def structure_record(structure) -> dict[str, Any]:
    departement = structure.departement
    region = departement.region if departement else None
    return {
        "id": structure.pk,
        "name": structure.name,
        "type": structure.type,
        "departement": {"code": departement.code, "name": departement.name}
        if departement
        else None,
        "region": {"code": region.code, "name": region.name} if region else None,
    }


def sheet_record(sheet: ActionSheet) -> dict[str, Any]:
    """One sheet as a plain dict; expects a sheet from `ActionSheet.objects.with_relations()`."""
    record: dict[str, Any] = {"id": sheet.pk, "title": sheet.title, "year": sheet.year}
    for name in CHOICE_FIELDS:
        value = getattr(sheet, name)
        record[name] = value.label if value else ""
    for name in TEXT_FIELDS:
        record[name] = getattr(sheet, name)
    for name in LIST_FIELDS:
        record[name] = _labels(getattr(sheet, name))
    record["attachments"] = [
        {"name": a.name, "url": _absolute(a.url), "size": a.size}
        for a in sheet.attachments.all()
        if a.removed_at is None
    ]
    record["structure"] = structure_record(sheet.structure)
    record["publication_status"] = sheet.publication_status
    record["created_at"] = sheet.created_at.isoformat()
    record["updated_at"] = sheet.updated_at.isoformat()
    record["url"] = _absolute(sheet.get_absolute_url())
    record["archive"] = archive_record(sheet)
    return {key: record[key] for key in RECORD_KEYS}


def archive_record(sheet: ActionSheet) -> dict[str, Any] | None:
    """What an archived SENACS sheet adds (its older questions under their own labels)."""
    if not sheet.is_senacs_archive:
        return None
    return {
        "senacs_id": sheet.senacs_id,
        "senacs_url": sheet.senacs_url,
        "themes": list(sheet.archive_themes or ()),
        "sections": [
            {"label": s.get("label", ""), "text": s.get("text", "")}
            for s in sheet.archive_sections or ()
        ],
    }


def _absolute(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL + url
