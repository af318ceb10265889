"""Writing sheets: create, save (with optimistic locking), autosave, submit, attachments.

A sheet's content travels as a *snapshot*: a plain JSON-able dict of every editable field
(`FIELDS`), vocabulary values as primary keys, `attachments` as the ids of the active files.
Revisions, pending edits and restores all use it, so any version restores exactly.

Services take plain values and an author, never a request. They raise `EditError` subclasses
whose message is French and can be shown as is:
- `InvalidSheetData` (with `.errors`, a dict field -> message) for bad input,
- `EditConflict` when someone saved since the version the author started from,
- `WorkflowError` when the sheet's state forbids the action.
Public functions used by the API: `create_draft`, `save_draft`, `submit`, `snapshot`,
`working_snapshot`, `add_attachment`, `remove_attachment` (permissions: `contrib.access`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from catalogue import fields
from catalogue.fields import TEXT_FIELDS
from catalogue.models import (
    ActionSheet,
    Attachment,
    PublicationStatus,
    Source,
    Structure,
)
from catalogue.signals import sheets_changed
from contrib import access, notify
from contrib import attachments as attachment_files
from contrib.models import Autosave, PendingEdit, Revision, User
from essaimage import degraded

# The vocabulary of each choice and list field (catalogue.fields), read from the model.
CHOICE_FIELDS: dict[str, type[Model]] = {
    name: ActionSheet._meta.get_field(name).related_model for name in fields.CHOICE_FIELDS
}
LIST_FIELDS: dict[str, type[Model]] = {
    name: ActionSheet._meta.get_field(name).related_model for name in fields.LIST_FIELDS
}
# SENACS order (PRODUCT §2), which is also the order of the form and of the diff.
FIELDS = (*fields.SHEET_FIELDS, "year", "attachments")
# Fields a complete sheet fills (the completeness indicator): all but the details asked only
# in some cases (end_reason only when Terminée) and the financial partners; and the year.
USEFUL_FIELDS = (
    *(
        name
        for name in fields.SHEET_FIELDS
        if name not in {"end_reason", "initiators_detail", "financial_partners"}
    ),
    "year",
)
TITLE_MAX = 300


_OTHER_LABELS = {
    "attachments": "Fichier(s) associé(s)",
    "title": "Titre de l'action",
    "version": "Version",
    "comment": "Commentaire",
    "label": "Libellé",
    "onto": "Valeur de rattachement",
}


def field_label(name: str) -> str:
    if name in _OTHER_LABELS:
        return _OTHER_LABELS[name]
    try:
        return str(ActionSheet._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


class EditError(Exception):
    """An edit was refused; the message is French and meant for the person."""


class InvalidSheetData(EditError):
    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        details = " ".join(f"{field_label(k)} : {v}" for k, v in errors.items())
        super().__init__(f"La fiche n'a pas été enregistrée. {details}")


class WorkflowError(EditError):
    """The sheet is not in a state that allows this step (e.g. publishing a draft)."""


class EditConflict(EditError):
    """Someone saved the sheet since the author's version; their text is kept in `revision`."""

    def __init__(self, sheet: ActionSheet, revision: Revision, last: Revision | None):
        self.sheet = sheet
        self.revision = revision
        who = (last.author if last and last.author else None) or "une autre personne"
        when = timezone.localtime(last.created_at if last else sheet.updated_at)
        super().__init__(
            f"Cette fiche a été modifiée par {who} le {when:%d/%m/%Y à %H:%M} pendant que vous "
            "l'écriviez : votre enregistrement a été refusé pour ne rien écraser. Votre texte "
            "n'est pas perdu, il est conservé dans l'historique de la fiche."
        )


# Snapshots


def snapshot(sheet: ActionSheet) -> dict[str, Any]:
    """The sheet row's content as a snapshot (for a published sheet: the published content)."""
    data: dict[str, Any] = {"title": sheet.title, "year": sheet.year}
    for name in TEXT_FIELDS:
        data[name] = getattr(sheet, name)
    for name in CHOICE_FIELDS:
        data[name] = getattr(sheet, f"{name}_id")
    for name in LIST_FIELDS:
        data[name] = sorted(v.pk for v in getattr(sheet, name).all())
    data["attachments"] = sorted(a.pk for a in sheet.attachments.all() if a.removed_at is None)
    return {name: data[name] for name in FIELDS}


def pending_edit(sheet: ActionSheet) -> PendingEdit | None:
    try:
        return sheet.pending_edit
    except PendingEdit.DoesNotExist:
        return None


def working_snapshot(sheet: ActionSheet) -> dict[str, Any]:
    """What the authors are working on: the pending edit of a published sheet, else the row."""
    edit = pending_edit(sheet)
    return dict(edit.data) if edit else snapshot(sheet)


def working_state(sheet: ActionSheet) -> str:
    """Workflow state of the authors' work: the pending edit's, else the sheet's."""
    edit = pending_edit(sheet)
    return edit.state if edit else sheet.publication_status


def _check_text(value: Any, name: str, errors: dict[str, str]) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[name] = "du texte est attendu."
        return ""
    if "\x00" in value:
        errors[name] = "le texte contient un caractère nul, qui ne peut pas être enregistré."
    # Browsers send CRLF line breaks; store plain LF so texts compare and diff cleanly.
    return value.replace("\r\n", "\n")


def _resolve(model: type[Model], value: Any, name: str, errors: dict[str, str]) -> int | None:
    """A vocabulary value given as an instance, a primary key or a label; new labels are
    kept and flagged for review, never dropped (PRODUCT §3)."""
    if value in (None, ""):
        return None
    if isinstance(value, model):
        return value.pk
    if isinstance(value, int) and not isinstance(value, bool):
        if model.objects.filter(pk=value).exists():
            return value
        errors[name] = f"valeur inconnue ({value})."
        return None
    if isinstance(value, str):
        label = " ".join(value.split())
        if not label or "\x00" in label or len(label) > 200:
            errors[name] = "valeur invalide."
            return None
        return model.objects.propose(label)[0].pk
    errors[name] = "valeur invalide."
    return None


_EMPTY: dict[str, Any] = {
    "title": "",
    **{name: "" for name in TEXT_FIELDS},
    **{name: [] for name in LIST_FIELDS},
    "attachments": [],
}


def _check_title(title: str, errors: dict[str, str]) -> None:
    if not title:
        errors["title"] = "le titre est obligatoire."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"{TITLE_MAX} caractères au plus (il en a {len(title)})."


def _year(value, errors: dict[str, str]) -> int | None:
    """A year between 1900 and 2100, or None for an empty one (an error noted otherwise)."""
    if value in (None, ""):
        return None
    try:
        year = int(value)
    except (TypeError, ValueError):
        errors["year"] = "une année sur quatre chiffres est attendue."
        return None
    if not 1900 <= year <= 2100:
        errors["year"] = "une année entre 1900 et 2100 est attendue."
    return year


def _resolve_list(model, values, name: str, errors: dict[str, str]) -> list[int]:
    """Primary keys of a list field's values (one value alone is a list of one)."""
    values = values or []
    if isinstance(values, str | Model) or not isinstance(values, Iterable):
        values = [values]
    pks = {_resolve(model, v, name, errors) for v in values}
    return sorted(pk for pk in pks if pk is not None)


def normalize(data: Mapping[str, Any], base: Mapping[str, Any]) -> dict[str, Any]:
    """Validate `data` (any subset of FIELDS) over `base`; return a full snapshot.

    Raises InvalidSheetData. Vocabulary values may be instances, primary keys or labels.
    """
    errors: dict[str, str] = {}
    unknown = set(data) - set(FIELDS) - {"version"}
    for name in sorted(unknown):
        errors[name] = "champ inconnu."
    result = {name: base.get(name, _EMPTY.get(name)) for name in FIELDS}
    if "title" in data:
        result["title"] = _check_text(data["title"], "title", errors).strip()
    _check_title(result["title"], errors)
    if "year" in data:
        result["year"] = _year(data["year"], errors)
    for name in TEXT_FIELDS:
        if name in data:
            result[name] = _check_text(data[name], name, errors)
    for name, model in CHOICE_FIELDS.items():
        if name in data:
            result[name] = _resolve(model, data[name], name, errors)
    for name, model in LIST_FIELDS.items():
        if name in data:
            result[name] = _resolve_list(model, data[name], name, errors)
    if "attachments" in data:
        try:
            result["attachments"] = sorted({int(i) for i in data["attachments"] or []})
        except (TypeError, ValueError):
            errors["attachments"] = "liste d'identifiants de fichiers attendue."
    if errors:
        raise InvalidSheetData(errors)
    return result


def changed_fields(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[str]:
    if old is None:
        return [name for name in FIELDS if new.get(name) not in (None, "", [])]
    return [name for name in FIELDS if old.get(name) != new.get(name)]


def apply_snapshot(sheet: ActionSheet, data: Mapping[str, Any]) -> None:
    """Write a snapshot onto the sheet row, its relations and its attachments (no version bump)."""
    sheet.title = data["title"]
    sheet.year = data["year"]
    for name in TEXT_FIELDS:
        setattr(sheet, name, data[name])
    for name in CHOICE_FIELDS:
        setattr(sheet, f"{name}_id", data[name])
    sheet.save()
    for name in LIST_FIELDS:
        getattr(sheet, name).set(data[name])
    active = set(data["attachments"])
    now = timezone.now()
    sheet.attachments.filter(pk__in=active).update(removed_at=None)
    sheet.attachments.exclude(pk__in=active).filter(removed_at=None).update(removed_at=now)


def _record(
    sheet: ActionSheet,
    kind: str,
    author: User | None,
    data: Mapping[str, Any],
    *,
    previous: Mapping[str, Any] | None = None,
    is_pending: bool = False,
    comment: str = "",
    merged_into: ActionSheet | None = None,
) -> Revision:
    if previous is None:
        last = sheet.revisions.exclude(kind=Revision.Kind.CONFLICT).first()
        previous = last.data if last else None
    return Revision.objects.create(
        sheet=sheet,
        kind=kind,
        version=sheet.version,
        author=author if author and author.is_authenticated else None,
        data=dict(data),
        changed_fields=changed_fields(previous, data),
        publication_status=sheet.publication_status,
        is_pending=is_pending,
        comment=comment,
        merged_into=merged_into,
    )


def ensure_baseline(sheet: ActionSheet) -> None:
    """Sheets that arrived without history (imports) get their original content as version 1,
    so the first edit can always be undone."""
    if not sheet.revisions.exists():
        _record(sheet, Revision.Kind.BASELINE, None, snapshot(sheet), previous={})


def _changed(sheet_ids: Iterable[int]) -> None:
    sheets_changed.send(sender=ActionSheet, sheet_ids=list(sheet_ids))


def _lock(sheet: ActionSheet) -> ActionSheet:
    return ActionSheet.objects.select_for_update().get(pk=sheet.pk)


# Services


@transaction.atomic
def create_draft(
    structure: Structure,
    data: Mapping[str, Any],
    author: User,
    *,
    source: str = Source.ESSAIMAGE,
) -> ActionSheet:
    """Create a draft sheet of `structure` from `data` (must hold a title). Atomic.

    Raises InvalidSheetData. `source` says where it was written (Source.API for the API).
    """
    content = normalize(data, {"attachments": []})
    sheet = ActionSheet(
        structure=structure, publication_status=PublicationStatus.DRAFT, source=source
    )
    sheet.updated_at = timezone.now()
    apply_snapshot(sheet, content)
    _record(sheet, Revision.Kind.CREATED, author, snapshot(sheet), previous={})
    _changed([sheet.pk])
    return sheet


def save_draft(
    sheet: ActionSheet, data: Mapping[str, Any], author: User, version: int | None = None
) -> Revision:
    """Save the authors' work as a new version. Atomic.

    A published sheet keeps its public content: the edit goes to its PendingEdit until a
    moderator publishes it. `version` is the sheet version the author started from
    (default: data["version"]); if someone saved since, nothing is applied, the new text is
    kept as a conflict revision (committed in its own transaction unless the caller holds an
    outer one) and EditConflict is raised. Raises InvalidSheetData, WorkflowError.
    """
    if version is None:
        version = data.get("version")
    with transaction.atomic():
        current = _lock(sheet)
        base = working_snapshot(current)
        if version is not None and str(version) != str(current.version):
            conflict = _check_conflict(current, data, base, version)
        else:
            revision = _save(current, data, base, author)
            sheet.refresh_from_db()
            return revision
    # Outside the failed save: the refused text must survive, nothing else was written.
    with transaction.atomic():
        last = current.revisions.exclude(kind=Revision.Kind.CONFLICT).first()
        kept = _record(current, Revision.Kind.CONFLICT, author, conflict, previous=base)
        kept.version = int(version)
        kept.save(update_fields=["version"])
    raise EditConflict(current, kept, last)


def _check_conflict(current, data, base, version) -> dict[str, Any]:
    try:
        int(version)
    except (TypeError, ValueError):
        raise InvalidSheetData({"version": "numéro de version invalide."}) from None
    return normalize(data, base)


def _save(current: ActionSheet, data, base, author) -> Revision:
    if current.publication_status == PublicationStatus.ARCHIVED:
        raise WorkflowError("Cette fiche est archivée : elle ne peut plus être modifiée.")
    content = normalize(data, base)
    ensure_baseline(current)
    current.version += 1
    current.updated_at = timezone.now()
    if current.publication_status == PublicationStatus.PUBLISHED:
        edit = pending_edit(current) or PendingEdit(sheet=current, created_at=timezone.now())
        edit.data = content
        edit.author = author
        edit.updated_at = timezone.now()
        if edit.state == PendingEdit.State.RETURNED:
            edit.state = PendingEdit.State.DRAFT
        edit.save()
        current.save(update_fields=["version", "updated_at"])
        revision = _record(current, Revision.Kind.SAVED, author, content, is_pending=True)
    else:
        if current.publication_status == PublicationStatus.RETURNED:
            current.publication_status = PublicationStatus.DRAFT
        apply_snapshot(current, content)
        revision = _record(current, Revision.Kind.SAVED, author, content)
        _changed([current.pk])
    Autosave.objects.filter(sheet=current, author=author).delete()
    return revision


def autosave(
    sheet: ActionSheet, form_data: Mapping[str, Any], author: User, version: int
) -> Autosave:
    """Keep `author`'s unsaved form (raw values) so nothing is lost; one per person and sheet."""
    saved, _ = Autosave.objects.update_or_create(
        sheet=sheet,
        author=author,
        defaults={"data": dict(form_data), "base_version": version, "saved_at": timezone.now()},
    )
    return saved


def last_autosave(sheet: ActionSheet, author: User) -> Autosave | None:
    return Autosave.objects.filter(sheet=sheet, author=author).first()


def discard_autosave(sheet: ActionSheet, author: User) -> None:
    Autosave.objects.filter(sheet=sheet, author=author).delete()


@transaction.atomic
def submit(sheet: ActionSheet, author: User) -> Revision:
    """Ask a moderator to review the authors' work. Raises WorkflowError. Atomic."""
    current = _lock(sheet)
    edit = pending_edit(current)
    if current.publication_status == PublicationStatus.ARCHIVED:
        raise WorkflowError("Cette fiche est archivée : elle ne peut pas être soumise.")
    if current.publication_status == PublicationStatus.PUBLISHED:
        if edit is None:
            raise WorkflowError("Cette fiche est publiée et n'a aucune modification à relire.")
        if edit.state == PendingEdit.State.SUBMITTED:
            raise WorkflowError("Ces modifications attendent déjà une relecture.")
        edit.state = PendingEdit.State.SUBMITTED
        edit.comment = ""
        edit.save(update_fields=["state", "comment"])
        revision = _record(current, Revision.Kind.SUBMITTED, author, edit.data, is_pending=True)
    else:
        if current.publication_status == PublicationStatus.SUBMITTED:
            raise WorkflowError("Cette fiche attend déjà une relecture.")
        current.publication_status = PublicationStatus.SUBMITTED
        current.save(update_fields=["publication_status"])
        revision = _record(current, Revision.Kind.SUBMITTED, author, snapshot(current))
    notify.send(
        "submitted",
        access.moderators_of(current.structure).values_list("email", flat=True),
        {"sheet": current, "author": author, "is_edit": revision.is_pending},
    )
    sheet.refresh_from_db()
    return revision


@transaction.atomic
def add_attachment(sheet: ActionSheet, upload, author: User) -> Attachment:
    """Validate and store an uploaded file on the sheet. Raises InvalidSheetData. Atomic.

    On a published sheet the file joins the pending edit and stays hidden until publication.
    """
    try:
        checked = attachment_files.check_upload(upload)
    except ValidationError as error:
        raise InvalidSheetData({"attachments": " ".join(error.messages)}) from None
    current = _lock(sheet)
    if current.publication_status == PublicationStatus.ARCHIVED:
        raise WorkflowError("Cette fiche est archivée : elle ne peut plus être modifiée.")
    try:  # under the sheet's lock: two uploads at once cannot both take the last place
        attachment_files.check_sheet_room(current, upload.size)
    except ValidationError as error:
        raise InvalidSheetData({"attachments": " ".join(error.messages)}) from None
    is_published = current.publication_status == PublicationStatus.PUBLISHED
    try:
        attachment = attachment_files.store(current, upload, checked, hidden=is_published)
    except OSError as error:  # the partial file is already removed
        if degraded.failure_reason(error):
            raise  # disk full or read-only storage: the site's degraded mode answers (503)
        raise EditError(
            f"Le fichier « {upload.name} » n'a pas pu être enregistré sur le serveur (espace "
            "disque insuffisant ?). Réessayez plus tard ; la fiche n'a pas changé."
        ) from None
    # The row rolls back with this transaction if anything below fails: the file must go too.
    try:
        data = working_snapshot(current)
        data["attachments"] = sorted({*data["attachments"], attachment.pk})
        save_draft(current, data, author, current.version)
    except BaseException:
        attachment_files.discard_file(attachment.file.name, attachment.file.storage)
        raise
    sheet.refresh_from_db()
    return attachment


@transaction.atomic
def remove_attachment(sheet: ActionSheet, attachment: Attachment, author: User) -> Revision:
    """Take a file off the sheet; the file stays stored, so history can bring it back."""
    current = _lock(sheet)
    data = working_snapshot(current)
    data["attachments"] = [pk for pk in data["attachments"] if pk != attachment.pk]
    revision = save_draft(current, data, author, current.version)
    sheet.refresh_from_db()
    return revision


# Completeness and diff, for the pages


@dataclass
class Completeness:
    filled: int
    total: int
    missing: list[str]

    @property
    def percent(self) -> int:
        return round(100 * self.filled / self.total) if self.total else 100


def completeness(data: Mapping[str, Any]) -> Completeness:
    """Which useful fields of a snapshot are still empty."""
    missing = [field_label(n) for n in USEFUL_FIELDS if data.get(n) in (None, "", [])]
    total = len(USEFUL_FIELDS)
    return Completeness(filled=total - len(missing), total=total, missing=missing)


def _vocab_labels(model: type[Model], pks) -> str:
    if pks in (None, [], ""):
        return ""
    if not isinstance(pks, list):
        pks = [pks]
    labels = dict(model.objects.filter(pk__in=pks).values_list("pk", "label"))
    return ", ".join(labels.get(pk, f"(valeur supprimée {pk})") for pk in pks)


def display_value(name: str, value: Any) -> str:
    """A snapshot value as a person reads it (labels, file names)."""
    if name in CHOICE_FIELDS:
        return _vocab_labels(CHOICE_FIELDS[name], value)
    if name in LIST_FIELDS:
        return _vocab_labels(LIST_FIELDS[name], value)
    if name == "attachments":
        files = dict(Attachment.objects.filter(pk__in=value or []).values_list("pk", "name"))
        return ", ".join(files.get(pk, "?") for pk in value or [])
    return "" if value is None else str(value)


@dataclass
class FieldDiff:
    name: str
    label: str
    old: str
    new: str
    # (tag, text) with tag in "same", "del", "ins": the template escapes and marks them.
    parts: list[tuple[str, str]]


def diff(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[FieldDiff]:
    """Readable word-level differences between two snapshots, in SENACS order."""
    old = old or {}
    result = []
    for name in FIELDS:
        before = display_value(name, old.get(name))
        after = display_value(name, new.get(name))
        if before == after:
            continue
        a, b = before.split(" "), after.split(" ")
        parts: list[tuple[str, str]] = []
        matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                parts.append(("same", " ".join(a[i1:i2])))
            if tag in ("delete", "replace"):
                parts.append(("del", " ".join(a[i1:i2])))
            if tag in ("insert", "replace"):
                parts.append(("ins", " ".join(b[j1:j2])))
        result.append(FieldDiff(name, field_label(name), before, after, parts))
    return result


def max_upload_bytes() -> int:
    return settings.ATTACHMENT_MAX_BYTES
