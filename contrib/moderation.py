"""Moderators' decisions: publish, return with a comment, archive, restore a version, merge a
duplicate, and review vocabulary values. Every decision is recorded as a Revision, sends
`sheets_changed` when the public content moves, and e-mails the sheet's authors.

Permissions are the caller's job (`contrib.access.can_review`, `can_merge`,
`can_manage_vocabulary`); services raise `editing.WorkflowError` with a French message when
the sheet's state forbids the decision.
"""

from django.db import transaction
from django.db.models import Case, Model, Q, When
from django.utils import timezone

from catalogue.models import ActionSheet, Attachment, PublicationStatus, Structure
from contrib import editing, notify
from contrib.editing import WorkflowError
from contrib.models import Autosave, PendingEdit, Revision, User

DECISIONS = {
    "published": "publiée",
    "returned": "renvoyée avec un commentaire",
    "archived": "archivée",
    "restored": "restaurée à une version précédente",
    "merged": "fusionnée avec une autre fiche",
}


@transaction.atomic
def publish(sheet: ActionSheet, moderator: User) -> Revision:
    """Make the authors' work public: apply the pending edit, or publish the draft. Atomic."""
    current = editing._lock(sheet)
    edit = editing.pending_edit(current)
    if edit is None and current.publication_status == PublicationStatus.PUBLISHED:
        raise WorkflowError("Cette fiche est déjà publiée et n'a aucune modification en attente.")
    editing.ensure_baseline(current)
    if edit is not None:
        editing.apply_snapshot(current, edit.data)
        edit.delete()
    now = timezone.now()
    current.publication_status = PublicationStatus.PUBLISHED
    current.published_at = now
    current.updated_at = now
    current.version += 1
    current.save(update_fields=["publication_status", "published_at", "updated_at", "version"])
    revision = editing._record(
        current, Revision.Kind.PUBLISHED, moderator, editing.snapshot(current)
    )
    editing._changed([current.pk])
    notify.sheet_decision(current, DECISIONS["published"], moderator)
    sheet.refresh_from_db()
    return revision


@transaction.atomic
def edit_as_administrator(sheet: ActionSheet, data: dict, administrator: User) -> Revision:
    """An edit made in the Django admin: a version like any other (revision, version counter,
    search index), published at once when the sheet is public, which e-mails its authors."""
    was_published = sheet.publication_status == PublicationStatus.PUBLISHED
    revision = editing.save_draft(sheet, data, administrator, sheet.version)
    if was_published:
        revision = publish(sheet, administrator)
    return revision


@transaction.atomic
def return_with_comment(sheet: ActionSheet, moderator: User, comment: str) -> Revision:
    """Send the authors' work back with a comment (required); the public content is unchanged."""
    comment = (comment or "").strip()
    if not comment:
        raise editing.InvalidSheetData({"comment": "expliquez à l'auteur ce qu'il faut revoir."})
    current = editing._lock(sheet)
    edit = editing.pending_edit(current)
    if edit is not None:
        edit.state = PendingEdit.State.RETURNED
        edit.comment = comment
        edit.save(update_fields=["state", "comment"])
        data, is_pending = edit.data, True
    elif current.publication_status in (PublicationStatus.SUBMITTED, PublicationStatus.DRAFT):
        current.publication_status = PublicationStatus.RETURNED
        current.save(update_fields=["publication_status"])
        data, is_pending = editing.snapshot(current), False
    else:
        raise WorkflowError("Il n'y a rien à renvoyer : cette fiche n'attend pas de relecture.")
    revision = editing._record(
        current, Revision.Kind.RETURNED, moderator, data, is_pending=is_pending, comment=comment
    )
    notify.sheet_decision(current, DECISIONS["returned"], moderator, comment)
    sheet.refresh_from_db()
    return revision


@transaction.atomic
def archive(sheet: ActionSheet, moderator: User, comment: str = "") -> Revision:
    """Withdraw a published sheet from the public catalogue (kept, restorable). Atomic."""
    current = editing._lock(sheet)
    if current.publication_status != PublicationStatus.PUBLISHED:
        raise WorkflowError("Seule une fiche publiée peut être archivée.")
    current.publication_status = PublicationStatus.ARCHIVED
    current.updated_at = timezone.now()
    current.version += 1
    current.save(update_fields=["publication_status", "updated_at", "version"])
    revision = editing._record(
        current, Revision.Kind.ARCHIVED, moderator, editing.snapshot(current), comment=comment
    )
    editing._changed([current.pk])
    notify.sheet_decision(current, DECISIONS["archived"], moderator, comment)
    sheet.refresh_from_db()
    return revision


@transaction.atomic
def restore(sheet: ActionSheet, revision: Revision, moderator: User) -> Revision:
    """Bring back exactly the content of `revision` (attachments included) as a new version.

    The restored content becomes the sheet's content (public if the sheet is published); a
    pending edit is left for the authors. Atomic.
    """
    current = editing._lock(sheet)
    if revision.sheet_id != current.pk:
        raise WorkflowError("Cette version n'appartient pas à cette fiche.")
    editing.ensure_baseline(current)
    data = dict(revision.data)
    # Files of that version may since have moved to another sheet (merge): keep only ours.
    data["attachments"] = sorted(
        Attachment.objects.filter(sheet=current, pk__in=data.get("attachments", [])).values_list(
            "pk", flat=True
        )
    )
    editing.apply_snapshot(current, data)
    current.version += 1
    current.updated_at = timezone.now()
    current.save(update_fields=["version", "updated_at"])
    number = revision.version
    new = editing._record(
        current,
        Revision.Kind.RESTORED,
        moderator,
        editing.snapshot(current),
        comment=f"Contenu de la version {number} du {timezone.localtime(revision.created_at):%d/%m/%Y à %H:%M}.",
    )
    editing._changed([current.pk])
    notify.sheet_decision(current, DECISIONS["restored"], moderator, new.comment)
    sheet.refresh_from_db()
    return new


@transaction.atomic
def merge(duplicate: ActionSheet, target: ActionSheet, moderator: User) -> Revision:
    """Merge a duplicate into `target`: empty texts and choices of the target are filled from
    the duplicate, lists are united, files move over; the duplicate is archived. Atomic."""
    if duplicate.pk == target.pk:
        raise WorkflowError("Une fiche ne peut pas être fusionnée avec elle-même.")
    dup = editing._lock(duplicate)
    tgt = editing._lock(target)
    if tgt.publication_status == PublicationStatus.ARCHIVED:
        raise WorkflowError("La fiche cible est archivée : choisissez une fiche active.")
    editing.ensure_baseline(dup)
    editing.ensure_baseline(tgt)
    source = editing.working_snapshot(dup)
    merged = editing.snapshot(tgt)
    for name in editing.FIELDS:
        if name == "attachments":
            continue
        if name in editing.LIST_FIELDS:
            merged[name] = sorted({*merged[name], *source[name]})
        elif merged[name] in (None, "") and source[name] not in (None, ""):
            merged[name] = source[name]
    moved = Attachment.objects.filter(sheet=dup, pk__in=source["attachments"])
    moved_ids = list(moved.values_list("pk", flat=True))
    moved.update(sheet=tgt)
    merged["attachments"] = sorted({*merged["attachments"], *moved_ids})
    editing.apply_snapshot(tgt, merged)
    tgt.version += 1
    tgt.updated_at = timezone.now()
    tgt.save(update_fields=["version", "updated_at"])
    editing._record(
        tgt,
        Revision.Kind.MERGED,
        moderator,
        editing.snapshot(tgt),
        comment=f"Fiche « {dup.title} » (n° {dup.pk}) fusionnée dans celle-ci.",
    )
    PendingEdit.objects.filter(sheet=dup).delete()
    Autosave.objects.filter(sheet=dup).delete()
    dup.publication_status = PublicationStatus.ARCHIVED
    dup.version += 1
    dup.updated_at = timezone.now()
    dup.save(update_fields=["publication_status", "version", "updated_at"])
    revision = editing._record(
        dup,
        Revision.Kind.MERGED,
        moderator,
        editing.snapshot(dup),
        comment=f"Fusionnée dans « {tgt.title} » (n° {tgt.pk}).",
        merged_into=tgt,
    )
    editing._changed([dup.pk, tgt.pk])
    notify.sheet_decision(dup, DECISIONS["merged"], moderator, revision.comment, target=tgt)
    duplicate.refresh_from_db()
    target.refresh_from_db()
    return revision


@transaction.atomic
def attach_structure(sheet: ActionSheet, structure: Structure, moderator: User) -> ActionSheet:
    """Give a sheet imported without its structure ("structure non précisée") its structure.
    The caller checked contrib.access.can_attach_structure."""
    current = editing._lock(sheet)
    if not current.structure.is_unspecified:
        raise WorkflowError("Cette fiche a déjà une structure.")
    current.structure = structure
    current.version += 1
    current.updated_at = timezone.now()
    current.save(update_fields=["structure", "version", "updated_at"])
    editing._changed([current.pk])
    sheet.refresh_from_db()
    return sheet


# Vocabulary review (PRODUCT §3): values brought by imports or proposed by contributors.


def _relations(model: type[Model]):
    """(field name, is_list) of every ActionSheet field pointing at vocabulary `model`."""
    for name, field_model in editing.CHOICE_FIELDS.items():
        if field_model is model:
            yield name, False
    for name, field_model in editing.LIST_FIELDS.items():
        if field_model is model:
            yield name, True


def flagged_values() -> list[tuple[str, Model]]:
    """Every value waiting for review, as (vocabulary name, value), vocabulary by vocabulary."""
    seen, result = set(), []
    for model in (*editing.CHOICE_FIELDS.values(), *editing.LIST_FIELDS.values()):
        if model in seen:
            continue
        seen.add(model)
        for value in model.objects.filter(needs_review=True).order_by("created_at", "pk"):
            result.append((model._meta.verbose_name, value))
    return result


def vocabulary_models() -> dict[str, type[Model]]:
    models = {}
    for model in (*editing.CHOICE_FIELDS.values(), *editing.LIST_FIELDS.values()):
        models[model._meta.model_name] = model
    return models


def _sheets_using(value: Model) -> list[int]:
    ids: set[int] = set()
    for name, _ in _relations(type(value)):
        ids |= set(ActionSheet.objects.filter(**{name: value}).values_list("pk", flat=True))
    return sorted(ids)


@transaction.atomic
def accept_value(value: Model) -> Model:
    """Keep the value as it is in its vocabulary."""
    value.needs_review = False
    value.save()
    return value


@transaction.atomic
def rename_value(value: Model, label: str) -> Model:
    """Give the value a corrected label; every sheet using it follows. Raises InvalidSheetData."""
    label = " ".join((label or "").split())
    if not label or len(label) > 200:
        raise editing.InvalidSheetData({"label": "un libellé de 1 à 200 caractères est attendu."})
    model = type(value)
    clash = model.objects.matching(label).exclude(pk=value.pk).first()
    if clash:
        raise editing.InvalidSheetData(
            {"label": f"« {clash.label} » existe déjà : rattachez plutôt la valeur à celle-ci."}
        )
    value.label = label
    value.needs_review = False
    value.save()
    editing._changed(_sheets_using(value))
    return value


def _replace_in_snapshot(data: dict, names: list[str], old: int, new: int) -> bool:
    changed = False
    for name in names:
        current = data.get(name)
        if isinstance(current, list) and old in current:
            data[name] = sorted({new if pk == old else pk for pk in current})
            changed = True
        elif current == old:
            data[name] = new
            changed = True
    return changed


@transaction.atomic
def map_value(value: Model, onto: Model) -> int:
    """Merge `value` into the existing `onto`: every sheet, pending edit and stored version
    follows, then `value` is deleted. Returns the number of sheets that changed."""
    model = type(value)
    if not isinstance(onto, model) or onto.pk == value.pk:
        raise editing.InvalidSheetData({"onto": "choisissez une autre valeur du même vocabulaire."})
    sheet_ids = _sheets_using(value)
    names = []
    for name, is_list in _relations(model):
        names.append(name)
        if is_list:
            through = getattr(ActionSheet, name).through
            column = f"{model._meta.model_name}_id"
            already = set(
                through.objects.filter(**{column: onto.pk}).values_list("actionsheet_id", flat=True)
            )
            through.objects.filter(**{column: value.pk}, actionsheet_id__in=already).delete()
            through.objects.filter(**{column: value.pk}).update(**{column: onto.pk})
        else:
            ActionSheet.objects.filter(**{name: value}).update(**{name: onto})
    # Stored snapshots refer to values by key: rewrite them so every version stays restorable.
    for row_model in (PendingEdit, Revision):
        for row in row_model.objects.all().only("pk", "data").iterator():
            if _replace_in_snapshot(row.data, names, value.pk, onto.pk):
                row_model.objects.filter(pk=row.pk).update(data=row.data)
    value.delete()
    editing._changed(sheet_ids)
    return len(sheet_ids)


def merge_candidates(sheet: ActionSheet, reviewable, text: str = "", limit: int = 30):
    """Sheets `sheet` could be merged into: among `reviewable` (the moderator's territory),
    those whose title contains `text`, or without text, its stored probable duplicates
    (discovery.duplicates), most likely first, each with its `duplicate_reasons`."""
    from discovery.models import ProbableDuplicate

    candidates = reviewable.exclude(pk=sheet.pk).exclude(
        publication_status=PublicationStatus.ARCHIVED
    )
    text = " ".join(text.split())
    if not text:
        pairs = ProbableDuplicate.objects.filter(Q(first=sheet) | Q(second=sheet))
        found = {
            (p.second_id if p.first_id == sheet.pk else p.first_id): (p.score, p.reasons)
            for p in pairs
        }
        chosen = list(candidates.filter(pk__in=found).select_related("structure__departement"))
        for candidate in chosen:
            candidate.duplicate_reasons = found[candidate.pk][1]
        chosen.sort(key=lambda c: (-found[c.pk][0], c.title, c.pk))
        return chosen[:limit]
    candidates = candidates.filter(title__icontains=text)
    return (
        candidates.select_related("structure__departement")
        .annotate(same_title=Case(When(title__iexact=sheet.title, then=0), default=1))
        .order_by("same_title", "title", "pk")[:limit]
    )
