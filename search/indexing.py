"""Keep the search index in step with the sheets.

`index_sheets(ids)` (re)writes the documents of the given sheets and removes those of sheets
that no longer exist. It runs inside the caller's transaction, so the index commits or rolls
back with the sheets. Receivers: `catalogue.signals.sheets_changed` (importer, editing, API,
admin), ActionSheet deletion, and renames of structures and vocabulary values.
"""

import re
from collections.abc import Iterable

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from catalogue.fields import TEXT_FIELDS
from catalogue.models import ActionSheet, Departement, Keyword, Structure
from catalogue.signals import sheets_changed
from search import analysis
from search.backends import get_backend
from search.models import IndexState, SearchDocument, SearchWord

CHUNK = 500
# Change it whenever the analyser or the stored document changes: `migrate` then reindexes.
ANALYSER_VERSION = "2-light-c"
# Long texts of a sheet, in PRODUCT §2 order (weight D); the summary has its own column (C).
BODY_FIELDS = tuple(name for name in TEXT_FIELDS if name != "summary")
# Fields a result snippet may be cut from, first match wins.
SNIPPET_FIELDS = ("summary", *BODY_FIELDS)
_PRIVATE = str.maketrans("", "", "\ue000\ue001")
_WORD = re.compile(r"[^\W_]+")


def snippet_sources(sheet: ActionSheet) -> list[str]:
    return [getattr(sheet, name) for name in SNIPPET_FIELDS]


def _clean(value: str) -> str:
    # The PostgreSQL backend marks matches with these private characters.
    return (value or "").translate(_PRIVATE)


def build_document(sheet: ActionSheet) -> SearchDocument:
    structure = sheet.structure
    departement = structure.departement
    return SearchDocument(
        sheet_id=sheet.pk,
        title=_clean(sheet.title),
        keywords=_clean(" ; ".join(k.label for k in sheet.keywords.all())),
        # Partners and publics go with the structure ("who"): a query "CAF" finds the CAF.
        structure=_clean(
            " ; ".join(
                filter(
                    None,
                    [
                        _structure_text(structure.name, structure.commune, departement),
                        *(p.label for p in sheet.action_partners.all()),
                        *(p.label for p in sheet.financial_partners.all()),
                        *(p.label for p in sheet.publics.all()),
                    ],
                )
            )
        ),
        summary=_clean(sheet.summary),
        body=_clean("\n\n".join(filter(None, (getattr(sheet, n) for n in BODY_FIELDS)))),
    )


def _structure_text(name, commune, departement) -> str:
    return " ; ".join(
        filter(None, [name, commune, departement and getattr(departement, "name", departement)])
    )


def index_sheets(ids: Iterable[int]) -> int:
    """(Re)index the sheets `ids`; ids of deleted sheets leave the index. Returns the number indexed."""
    ids = sorted({int(i) for i in ids})
    backend = get_backend()
    indexed = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        sheets = (
            ActionSheet.objects.filter(pk__in=chunk)
            .select_related("structure__departement")
            .prefetch_related("keywords", "action_partners", "financial_partners", "publics")
        )
        documents = [build_document(sheet) for sheet in sheets]
        SearchDocument.objects.filter(pk__in=chunk).delete()
        SearchDocument.objects.bulk_create(documents)
        backend.index_documents(documents)
        _remember_words(documents)
        indexed += len(documents)
    return indexed


def remove_sheets(ids: Iterable[int]) -> None:
    SearchDocument.objects.filter(pk__in=list(ids)).delete()


def rebuild_index() -> int:
    """Empty the index and index every sheet again. Returns the number indexed."""
    SearchDocument.objects.all().delete()
    SearchWord.objects.all().delete()
    get_backend().clear_index()
    count = index_sheets(ActionSheet.objects.values_list("pk", flat=True))
    if not IndexState.objects.filter(pk=1).update(analyser=ANALYSER_VERSION):
        IndexState.objects.create(pk=1, analyser=ANALYSER_VERSION)
    from search.changes import bump_generation

    bump_generation()  # every worker's in-memory text index is rebuilt from it
    return count


def _remember_words(documents: list[SearchDocument]) -> None:
    # Fold each distinct word once: texts repeat their words many times.
    raw = set()
    for d in documents:
        for field in (d.title, d.keywords, d.structure, d.summary, d.body):
            raw.update(w.casefold() for w in _WORD.findall(field or ""))
    spelling: dict[str, str] = {}
    for word in sorted(raw):
        folded = analysis.fold(word)
        # Keep the accented spelling: suggestions say "parentalité", not "parentalite".
        if (
            3 <= len(folded) <= 60
            and not folded.isdigit()
            and (word != folded or folded not in spelling)
        ):
            spelling[folded] = word
    if spelling:
        SearchWord.objects.bulk_create(
            [SearchWord(word=w, display=d[:60]) for w, d in sorted(spelling.items())],
            ignore_conflicts=True,
            batch_size=1000,
        )


def ensure_current_index(**kwargs) -> None:
    """After `migrate`: reindex every sheet when the index was built by another analyser (this
    converts an existing database; a new one is only stamped)."""
    state = IndexState.objects.filter(pk=1).first()
    if state is not None and state.analyser == ANALYSER_VERSION:
        return
    if SearchDocument.objects.exists() or ActionSheet.objects.exists():
        rebuild_index()
    elif state is None:
        IndexState.objects.create(pk=1, analyser=ANALYSER_VERSION)
    else:
        IndexState.objects.filter(pk=1).update(analyser=ANALYSER_VERSION)


@receiver(sheets_changed, dispatch_uid="search_index_changed_sheets")
def _on_sheets_changed(sender, sheet_ids=(), **kwargs):
    index_sheets(sheet_ids)


@receiver(post_delete, sender=ActionSheet, dispatch_uid="search_remove_deleted_sheet")
def _on_sheet_deleted(sender, instance, **kwargs):
    remove_sheets([instance.pk])


@receiver(post_save, sender=Structure, dispatch_uid="search_reindex_structure")
def _on_structure_saved(sender, instance, created, raw=False, **kwargs):
    if created or raw:
        return
    departement = (
        Departement.objects.filter(pk=instance.departement_id)
        .values_list("name", flat=True)
        .first()
    )
    expected = _structure_text(instance.name, instance.commune, departement)
    stale = SearchDocument.objects.filter(sheet__structure=instance).exclude(
        structure__startswith=expected
    )
    index_sheets(stale.values_list("pk", flat=True))


@receiver(post_save, sender=Keyword, dispatch_uid="search_reindex_keyword")
def _on_keyword_saved(sender, instance, created, raw=False, **kwargs):
    if created or raw:
        return
    stale = SearchDocument.objects.filter(sheet__keywords=instance).exclude(
        keywords__contains=instance.label
    )
    index_sheets(stale.values_list("pk", flat=True))
