"""Keep the search index in step with the sheets.

`index_sheets(ids)` (re)writes the index rows of the given sheets and removes those of sheets
that no longer exist. It runs inside the caller's transaction, so the index commits or rolls
back with the sheets. Receivers: `catalogue.signals.sheets_changed` (importer, editing, API,
admin), ActionSheet deletion, and renames of structures and vocabulary values.

The index stores analysed terms only (never the text: snippets are cut from the sheets), once:
SQLite in `search_terms` under the external-content FTS5 table `search_fts`, PostgreSQL in the
tsvector `search_searchdocument.vector`.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Q
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from catalogue.bulk import bulk_cursor
from catalogue.fields import TEXT_FIELDS
from catalogue.models import ActionSheet, Keyword, PartnerKind, Public, Structure
from search import analysis
from search.backends import get_backend
from search.models import IndexState, SearchDocument, SearchWord

CHUNK = 1000
# Change it whenever the analyser or the stored document changes: `migrate` then reindexes.
ANALYSER_VERSION = "4-simplemma"
# Long texts of a sheet, in PRODUCT §2 order (weight D); the summary has its own column (C).
BODY_FIELDS = tuple(name for name in TEXT_FIELDS if name != "summary")
# Fields a result snippet may be cut from, first match wins.
SNIPPET_FIELDS = ("summary", *BODY_FIELDS)
# The index's columns (SQLite: `search_terms` and `search_fts`), weights A, B, B, C, D.
COLUMNS = ("title", "keywords", "structure", "summary", "body")
GAP = 20  # positions left between fields on PostgreSQL (> NEAR distance): kept in the count
_PRIVATE = str.maketrans("", "", "\ue000\ue001")
_WORD = re.compile(r"[^\W_]+")
# The characters whose casefold mixes letters and others, or turns another into a letter
# ("İ" → "i" + a combining dot): with them, a text's casefolded words are not its words
# casefolded (search/tests/test_indexing.py checks this list against the Unicode tables).
CASEFOLD_SPLITS = (
    "\u0130\u01f0\u0345\u0390\u03b0\u1e96\u1e97\u1e98\u1e99\u1f50\u1f52\u1f54\u1f56\u1fb6"
    "\u1fb7\u1fc6\u1fc7\u1fd2\u1fd3\u1fd6\u1fd7\u1fe2\u1fe3\u1fe4\u1fe6\u1fe7\u1ff6\u1ff7"
)
_CASEFOLD_SPLITS = re.compile(f"[{CASEFOLD_SPLITS}]")


@dataclass
class DocumentText:
    """The text of a sheet as the index sees it, one value per column (never stored)."""

    sheet_id: int
    title: str = ""
    keywords: str = ""
    structure: str = ""
    summary: str = ""
    body: str = ""

    def values(self) -> tuple[str, ...]:
        return (self.title, self.keywords, self.structure, self.summary, self.body)


def snippet_sources(sheet: ActionSheet) -> list[str]:
    return [getattr(sheet, name) for name in SNIPPET_FIELDS]


def _clean(value: str) -> str:
    # The PostgreSQL backend marks matches with these private characters (translate copies
    # every text, and texts almost never hold them: look first).
    if not value:
        return ""
    if "\ue000" in value or "\ue001" in value:
        return value.translate(_PRIVATE)
    return value


def build_document(sheet: ActionSheet) -> DocumentText:
    structure = sheet.structure
    departement = structure.departement
    return DocumentText(
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
        body=_clean(
            "\n\n".join(
                filter(
                    None,
                    (
                        *(getattr(sheet, n) for n in BODY_FIELDS),
                        archive_text(sheet.archive_themes, sheet.archive_sections),
                    ),
                )
            )
        ),
    )


# -- archived SENACS sheets (ingest.senacs_pages): their themes and older questions are long
# text too, in the body column after the current fields. ----------------------------------------


def archive_text(themes: list | None, sections: list | None) -> str:
    """The themes and the older question set of an archived SENACS sheet, as body text."""
    parts = [" ; ".join(themes or ())]
    parts.extend(section.get("text", "") for section in sections or ())
    return "\n\n".join(filter(None, parts))


def _structure_text(name, commune, departement) -> str:
    return " ; ".join(
        filter(None, [name, commune, departement and getattr(departement, "name", departement)])
    )


def document_terms(d: DocumentText, words: set[str] | None = None) -> list[str]:
    """The five columns' terms, cut so that the whole document stays within MAX_POSITION
    (PostgreSQL's limit; both backends lay them out the same way). `words`: gets the words of
    the texts, as written."""
    out, used = [], 0
    for value in d.values():
        room = max(0, analysis.MAX_POSITION - used)
        # (analysis keeps its latest answers: structures and keywords repeat.)
        if words is None:
            terms = analysis.terms(value)[:room]
        else:
            found, written = analysis.terms_and_words(value)
            words.update(written)
            terms = found[:room]
        used += len(terms) + GAP
        out.append(" ".join(terms))
    return out


def index_sheets(ids: Iterable[int]) -> int:
    """(Re)index the sheets `ids`; ids of deleted sheets leave the index. Returns the number indexed."""
    ids = sorted({int(i) for i in ids})
    indexed = 0
    labels = None
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        if labels is None:
            labels = _vocabulary_labels()
        indexed += index_documents(_documents(chunk, labels), replace=chunk)
    return indexed


# The relations whose labels a document holds, in build_document's order.
LABELLED_RELATIONS = ("keywords", "action_partners", "financial_partners", "publics")


def _vocabulary_labels(only: dict[str, set[int]] | None = None) -> dict[str, dict[int, tuple]]:
    """relation -> {value id: (position, label)}: the vocabularies are small, read them once
    (`only`: the values of these ids)."""
    out = {}
    for name in LABELLED_RELATIONS:
        values = ActionSheet._meta.get_field(name).related_model.objects.all()
        if only is not None:
            values = values.filter(pk__in=only.get(name, ()))
        out[name] = {pk: (position, label) for pk, position, label in
                     values.values_list("pk", "position", "label")}  # fmt: skip
    return out


def _documents(chunk: list[int], labels: dict[str, dict[int, tuple]]) -> list[DocumentText]:
    """build_document of the sheets `chunk`, read as plain rows (no model instances: the
    importer and the generator index thousands of sheets per second)."""
    rows = ActionSheet.objects.filter(pk__in=chunk).values_list(
        "pk", "title", "structure__name", "structure__commune", "structure__departement__name",
        "archive_themes", "archive_sections", *TEXT_FIELDS,
    )  # fmt: skip
    values: dict[str, dict[int, list]] = {}
    missing: dict[str, set[int]] = {}
    for name in LABELLED_RELATIONS:
        m2m = ActionSheet._meta.get_field(name)
        source, target = f"{m2m.m2m_field_name()}_id", f"{m2m.m2m_reverse_field_name()}_id"
        found: dict[int, list] = {}
        through = m2m.remote_field.through.objects.filter(**{f"{source}__in": chunk})
        for sheet_id, value_id in through.values_list(source, target):
            found.setdefault(sheet_id, []).append(value_id)
            if value_id not in labels[name]:
                missing.setdefault(name, set()).add(value_id)
        values[name] = found
    if missing:  # values created since the labels were read
        for name, more in _vocabulary_labels(missing).items():
            labels[name].update(more)
    documents = []
    for pk, title, name, commune, departement, themes, sections, *texts in rows:
        # The vocabularies' order (position, label), as sheet.keywords.all() gives them.
        related = {
            r: [label for _, label in sorted(labels[r][v] for v in values[r].get(pk, ()))]
            for r in values
        }
        text = dict(zip(TEXT_FIELDS, texts, strict=True))
        documents.append(
            DocumentText(
                sheet_id=pk,
                title=_clean(title),
                keywords=_clean(" ; ".join(related["keywords"])),
                structure=_clean(
                    " ; ".join(
                        filter(
                            None,
                            [
                                _structure_text(name, commune, departement),
                                *related["action_partners"],
                                *related["financial_partners"],
                                *related["publics"],
                            ],
                        )
                    )
                ),
                summary=_clean(text["summary"]),
                body=_clean(
                    "\n\n".join(
                        filter(
                            None,
                            (*(text[n] for n in BODY_FIELDS), archive_text(themes, sections)),
                        )
                    )
                ),
            )
        )
    return documents


def index_documents(documents: list[DocumentText], *, replace: Iterable[int] = ()) -> int:
    """Write the index rows of `documents` (after removing those of the sheets `replace`, which
    should hold theirs): the bulk path of the importer and the generator."""
    replace = list(replace)
    if replace:
        SearchDocument.objects.filter(pk__in=replace).delete()
    words: set[str] = set()
    get_backend().index_documents([(d.sheet_id, document_terms(d, words)) for d in documents])
    _remember_words(documents, words)
    return len(documents)


def remove_sheets(ids: Iterable[int]) -> None:
    SearchDocument.objects.filter(pk__in=list(ids)).delete()


def rebuild_index() -> int:
    """Empty the index and index every sheet again. Returns the number indexed."""
    get_backend().clear_index()
    SearchDocument.objects.all().delete()
    SearchWord.objects.all().delete()
    count = 0
    ids = list(ActionSheet.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        count += index_sheets(ids[start : start + CHUNK])
    if not IndexState.objects.filter(pk=1).update(analyser=ANALYSER_VERSION):
        IndexState.objects.create(pk=1, analyser=ANALYSER_VERSION)
    from search.changes import bump_generation

    bump_generation()  # every worker's in-memory text index is rebuilt from it
    return count


def _remember_words(documents: list[DocumentText], words: set[str]) -> None:
    """Keep the words of `documents` (`words`: those the analysis found in them, as written),
    folding each distinct word once: texts repeat their words many times."""
    if any(_CASEFOLD_SPLITS.search(value) for d in documents for value in d.values()):
        # The words of the casefolded texts, as the index always kept them (the texts joined
        # by a character that is no word).
        texts = "\n".join(value for d in documents for value in d.values())
        raw = set(_WORD.findall(texts.casefold()))
    else:
        # Without those characters, casefolding a text casefolds each of its words and
        # nothing else: the same words, without a second pass over the texts.
        raw = {word.casefold() for word in words}
    spelling: dict[str, str] = {}
    for word in sorted(raw):
        folded = _kept_word(word)
        # Keep the accented spelling: suggestions say "parentalité", not "parentalite".
        if folded is not None and (word != folded or folded not in spelling):
            spelling[folded] = word
    if spelling:
        # What bulk_create(ignore_conflicts=True) writes, without building a model per word.
        with bulk_cursor() as cursor:
            cursor.executemany(
                "INSERT INTO search_searchword (word, display) VALUES (%s, %s) "
                "ON CONFLICT (word) DO NOTHING",
                [(w, d[:60]) for w, d in sorted(spelling.items())],
            )


@lru_cache(maxsize=200_000)
def _kept_word(word: str) -> str | None:
    """The folded word a word of the texts is remembered as (None: too short or long, a number)."""
    folded = analysis._fold_word(word)
    if 3 <= len(folded) <= 60 and not folded.isdigit():
        return folded
    return None


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


@receiver(post_delete, sender=ActionSheet, dispatch_uid="search_remove_deleted_sheet")
def _on_sheet_deleted(sender, instance, **kwargs):
    remove_sheets([instance.pk])


def _structure_value(structure_id) -> str | None:
    row = (
        Structure.objects.filter(pk=structure_id)
        .values_list("name", "commune", "departement__name")
        .first()
    )
    return row and _structure_text(*row)


@receiver(pre_save, sender=Structure, dispatch_uid="search_structure_before_save")
def _before_structure_saved(sender, instance, raw=False, **kwargs):
    if instance.pk and not raw:
        instance._indexed_text = _structure_value(instance.pk)


@receiver(post_save, sender=Structure, dispatch_uid="search_reindex_structure")
def _on_structure_saved(sender, instance, created, raw=False, **kwargs):
    if created or raw:
        return
    before = getattr(instance, "_indexed_text", None)
    if before != _structure_value(instance.pk):
        stale = SearchDocument.objects.filter(sheet__structure=instance)
        index_sheets(stale.values_list("pk", flat=True))


# Vocabularies whose labels the index holds (keywords; partners and publics with the structure):
# model -> the sheets' relations to it.
LABELLED_VOCABULARIES = {
    Keyword: ("keywords",),
    PartnerKind: ("action_partners", "financial_partners"),
    Public: ("publics",),
}


def _before_label_saved(sender, instance, raw=False, **kwargs):
    if instance.pk and not raw:
        instance._indexed_label = (
            sender.objects.filter(pk=instance.pk).values_list("label", flat=True).first()
        )


def _on_label_saved(sender, instance, created, raw=False, **kwargs):
    """A renamed value (moderators' vocabulary page, admin, shell): its sheets are reindexed."""
    if created or raw or getattr(instance, "_indexed_label", None) == instance.label:
        return
    using = Q()
    for relation in LABELLED_VOCABULARIES[sender]:
        using |= Q(**{f"sheet__{relation}": instance})
    stale = SearchDocument.objects.filter(using).distinct()
    index_sheets(stale.values_list("pk", flat=True))


for _model in LABELLED_VOCABULARIES:
    pre_save.connect(
        _before_label_saved, sender=_model, dispatch_uid=f"search_{_model.__name__}_before_save"
    )
    post_save.connect(
        _on_label_saved, sender=_model, dispatch_uid=f"search_reindex_{_model.__name__}"
    )
