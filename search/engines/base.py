"""The interface of the two search engines (search.engines.database, search.engines.memory),
and what the service computes before choosing one: the text match and the effective sort."""

from typing import Protocol

from django.db.models import Count, F, Max, Q, Sum, Value
from django.db.models.functions import Lower, LTrim, Replace

from catalogue.models import ActionSheet, Keyword
from search import matching, scoring
from search.backends import get_backend
from search.matching import TextMatch
from search.models import SearchDocument, SearchWord
from search.query import DEFAULT_SORT, SheetQuery
from search.results import SearchResult

# Quotes and brackets SENACS titles often start with: « "Café" » sorts under C, not first.
TITLE_PUNCTUATION = ('"', "«", "»", "\u201c", "\u201d", "\u201e", "(", ")", "[", "]", "\u00a0")


def title_sort_key():
    key = Lower("title")
    for char in TITLE_PUNCTUATION:
        key = Replace(key, Value(char), Value(" " if char == "\u00a0" else ""))
    return LTrim(key)


ORDERINGS = {
    "title": (title_sort_key(), "pk"),
    "departement": (
        F("structure__departement__code").asc(nulls_last=True),
        title_sort_key(),
        "pk",
    ),
    "year": (F("year").desc(nulls_last=True), title_sort_key(), "pk"),
    "recent": (F("published_at").desc(nulls_last=True), F("created_at").desc(), "-pk"),
}


class Engine(Protocol):
    """Answers one search: the page of sheets in order, the total and the facets."""

    def search(
        self,
        query: SheetQuery,
        match: TextMatch | None,
        *,
        sort: str,
        page: int,
        per_page: int | None,
        with_facets: bool,
        base_url: str,
        records: bool,
    ) -> SearchResult: ...


def effective_sort(query: SheetQuery, match: TextMatch | None) -> str:
    sort = query.effective_sort
    return DEFAULT_SORT if sort == "relevance" and match is None else sort


_vocabulary_cache: tuple[tuple, dict[str, str]] | None = None


def vocabulary_key() -> tuple:
    """What names the state of the typo vocabulary (SearchWord): its size and last row."""
    return tuple(SearchWord.objects.aggregate(n=Count("pk"), last=Max("pk")).values())


def _vocabulary() -> dict[str, str]:
    """{folded indexed word: its spelling with accents}, cached while the words do not change."""
    global _vocabulary_cache
    key = vocabulary_key()
    if _vocabulary_cache is None or _vocabulary_cache[0] != key:
        _vocabulary_cache = (key, dict(SearchWord.objects.values_list("word", "display")))
    return _vocabulary_cache[1]


def text_match(text: str, *, prefix_last: bool = False) -> TextMatch | None:
    """The sheets matching the free text `text` (search.matching), or None without text.
    `prefix_last`: the last word may be the start of a word (search as you type)."""
    plan = matching.plan_query(text, prefix_last=prefix_last)
    if not plan:
        return None
    # Only published sheets count (how many hold a word, corrections): a draft's words never
    # show, and the in-memory text index (search.textindex), which holds the published sheets,
    # answers the same.
    published = set(ActionSheet.objects.published().values_list("pk", flat=True))
    backend = get_backend()
    documents = SearchDocument.objects.filter(sheet__in=ActionSheet.objects.published())
    totals = documents.aggregate(
        **{f"sum_{name}": Sum(name) for name in scoring.LENGTH_FIELDS},
        **{
            f"with_{name}": Count("pk", filter=Q(**{f"{name}__gt": 0}))
            for name in scoring.LENGTH_FIELDS
        },
    )
    sums = tuple(totals[f"sum_{name}"] or 0 for name in scoring.LENGTH_FIELDS)
    holding = tuple(totals[f"with_{name}"] for name in scoring.LENGTH_FIELDS)
    return matching.evaluate(
        plan,
        backend,
        total=len(published),
        vocabulary=_vocabulary,
        labels=keyword_labels,
        lengths=lambda ids: document_lengths(backend, ids),
        averages=scoring.averages(sums, holding),
        universe=published,
    )


def document_lengths(backend, ids) -> dict[int, tuple[int, ...]]:
    """{sheet id: terms per field class} of the indexed sheets `ids`."""
    if not ids:
        return {}
    rows = backend.filter_ids(SearchDocument.objects.all(), list(ids)).values_list(
        "pk", *scoring.LENGTH_FIELDS
    )
    return {pk: tuple(sizes) for pk, *sizes in rows}


def keyword_labels() -> list[str]:
    return list(Keyword.objects.values_list("label", flat=True))
