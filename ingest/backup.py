"""Canonical records (PRODUCT §5) out and back in: the JSON dump restores exactly."""

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import IO

from django.core.management.color import no_style
from django.db import connection, transaction

from catalogue import models as catalogue
from catalogue.fields import CHOICE_FIELDS, LIST_FIELDS, TEXT_FIELDS
from catalogue.records import sheet_record
from catalogue.signals import sheets_changed
from essaimage.lib.text import normalize_key
from ingest.importer import VOCABULARY_OF

CHUNK = 1000


class RestoreError(ValueError):
    """A record cannot be restored; the message says which record and which field."""


def iter_records(sheets: Iterable[catalogue.ActionSheet] | None = None) -> Iterator[dict]:
    """Every sheet as its canonical record, fetched in chunks (constant memory)."""
    queryset = catalogue.ActionSheet.objects.order_by("pk")
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last).with_relations()[:CHUNK])
        if not chunk:
            return
        for sheet in chunk:
            yield sheet_record(sheet)
        last = chunk[-1].pk


def write_records(records: Iterable[dict], out: IO[str], *, fmt: str = "json") -> int:
    count = 0
    if fmt == "jsonl":
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
        return count
    out.write("[")
    for record in records:
        out.write(",\n" if count else "\n")
        out.write(json.dumps(record, ensure_ascii=False))
        count += 1
    out.write("\n]\n")
    return count


def read_records(text: str) -> list[dict]:
    """Records from a JSON array or JSON Lines text; RestoreError says where it is broken."""
    stripped = text.lstrip()
    try:
        if stripped.startswith("["):
            records = json.loads(text)
        else:
            records = []
            for number, line in enumerate(text.splitlines(), 1):
                if line.strip():
                    try:
                        records.append(json.loads(line))
                    except json.JSONDecodeError as error:
                        raise RestoreError(
                            f"ligne {number} : JSON invalide ({error.msg})."
                        ) from error
    except json.JSONDecodeError as error:
        raise RestoreError(f"ligne {error.lineno} : JSON invalide ({error.msg}).") from error
    if not all(isinstance(r, dict) for r in records):
        raise RestoreError("chaque enregistrement doit être un objet JSON.")
    return records


@transaction.atomic
def restore_records(records: list[dict]) -> int:
    """Create or overwrite sheets (same ids) from records. Atomic: all or nothing."""
    vocabularies = {
        model: {v.key: v for v in model.objects.all()} for model in set(VOCABULARY_OF.values())
    }

    def value(name: str, label: str):
        if not label:
            return None
        model = VOCABULARY_OF[name]
        key = normalize_key(label)
        if key not in vocabularies[model]:
            vocabularies[model][key] = model.objects.create(label=label, needs_review=True)
        return vocabularies[model][key]

    ids = []
    for number, record in enumerate(records, 1):
        try:
            structure = _restore_structure(record["structure"])
            sheet_id = int(record["id"])
            defaults = {
                "title": record["title"],
                "year": record["year"],
                "structure": structure,
                "publication_status": record["publication_status"],
                **{name: record[name] for name in TEXT_FIELDS},
                **{name: value(name, record[name]) for name in CHOICE_FIELDS},
            }
            if defaults["publication_status"] not in catalogue.PublicationStatus.values:
                raise ValueError(f"publication_status inconnu « {defaults['publication_status']} »")
            sheet, created = catalogue.ActionSheet.objects.update_or_create(
                pk=sheet_id, defaults=defaults
            )
            if created:
                sheet.source = catalogue.Source.BACKUP
            for name in LIST_FIELDS:
                getattr(sheet, name).set([value(name, label) for label in record[name]])
            sheet.attachments.all().delete()
            for attachment in record["attachments"]:
                catalogue.Attachment.objects.create(
                    sheet=sheet,
                    name=attachment["name"],
                    source_url=attachment["url"],
                    size=attachment["size"] or 0,
                )
            catalogue.ActionSheet.objects.filter(pk=sheet.pk).update(
                source=sheet.source,
                created_at=datetime.fromisoformat(record["created_at"]),
                updated_at=datetime.fromisoformat(record["updated_at"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise RestoreError(
                f"enregistrement n° {number} (id {record.get('id')!r}) : champ manquant ou invalide ({error})."
            ) from error
        ids.append(sheet.pk)
    _reset_sequences()
    sheets_changed.send(sender=restore_records, sheet_ids=ids)
    return len(ids)


def _restore_structure(data: dict) -> catalogue.Structure:
    departement = data.get("departement")
    structure, _ = catalogue.Structure.objects.update_or_create(
        pk=int(data["id"]),
        defaults={
            "name": data["name"],
            "type": data["type"],
            "departement_id": departement["code"] if departement else None,
        },
    )
    return structure


def _reset_sequences() -> None:
    # Explicit ids leave PostgreSQL's sequences behind; the next insert would collide.
    sql = connection.ops.sequence_reset_sql(
        no_style(), [catalogue.ActionSheet, catalogue.Structure]
    )
    with connection.cursor() as cursor:
        for statement in sql:
            cursor.execute(statement)
