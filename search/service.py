"""The one search service: pages, API, exports, feeds and statistics all call it.

    result = search_sheets(SearchForm(request.GET).to_query(), page=2)
    result.sheets, result.total, result.facets["keywords"], result.snippets[sheet.pk]

Only published sheets are found. Free text is matched and ranked by search.matching (the
database in use, through search.backends, only says which sheets hold which terms). Then one of
two engines (search.engines) does filters, facets, sorting and the page: the in-memory index of
each worker (`memory`), or plain ORM queries (`database`) when the index is off or rebuilding.
Both answer the same (search/tests/test_fast_path.py).
"""

from collections.abc import Iterator

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse

from catalogue.models import ActionSheet
from search.engines import database, memory
from search.engines.base import ORDERINGS, effective_sort, text_match
from search.engines.database import filtered_sheets
from search.facets import Facet, FacetValue
from search.query import SheetQuery
from search.results import SearchResult
from search.signals import search_answered

__all__ = [
    "ORDERINGS",
    "Facet",
    "FacetValue",
    "SearchResult",
    "SheetQuery",
    "filtered_sheets",
    "iter_sheet_ids",
    "iter_sheets",
    "search_sheets",
    "selected_sheets",
    "text_match",
]


def choose_engine(fast: bool | None = None):
    """The memory engine when enabled and its index is ready (a stale index starts rebuilding
    in the background and the database answers meanwhile), else the database engine."""
    if not (fast if fast is not None else settings.SEARCH_FAST_PATH):
        return database.engine
    if not settings.SEARCH_FAST_PATH_BACKGROUND:
        return memory.MemoryEngine(memory.get_index())
    index = memory.ready_index()
    return database.engine if index is None else memory.MemoryEngine(index)


def search_sheets(
    query: SheetQuery,
    *,
    page: int = 1,
    per_page: int | None = 25,
    with_facets: bool = True,
    base_url: str | None = None,
    fast: bool | None = None,
    as_you_type: bool = False,
    records: bool = False,
) -> SearchResult:
    """Run `query`: one page of published sheets in order (what a result card shows; with
    `records`, every relation: `ActionSheet.objects.with_relations()`), the total, facets with disjunctive counts and snippets. `per_page=None` returns
    every match (prefer `iter_sheets` for large exports). A page past the end gives the last.
    `fast` (default: settings.SEARCH_FAST_PATH) lets the in-memory engine answer;
    `as_you_type` matches the last word as the start of a word."""
    base_url = base_url if base_url is not None else reverse("catalogue:sheet-list")
    engine = choose_engine(fast)
    search_answered.send(
        sender=None, engine="memory" if isinstance(engine, memory.MemoryEngine) else "database"
    )
    match = engine.text_match(query.q, prefix_last=as_you_type)
    return engine.search(
        query,
        match,
        sort=effective_sort(query, match),
        page=page,
        per_page=per_page,
        with_facets=with_facets,
        base_url=base_url,
        records=records,
    )


def selected_sheets(query: SheetQuery) -> QuerySet:
    """The published sheets the list shows for `query` (same text matching), unordered:
    what statistics, feeds and counts aggregate over."""
    return filtered_sheets(query, match=choose_engine().text_match(query.q))


def iter_sheet_ids(query: SheetQuery) -> Iterator[int]:
    """Every matching sheet id, in the query's order, without loading the sheets."""
    # The text matched as the list matches it (the in-memory index when ready: same answer).
    match = choose_engine().text_match(query.q)
    yield from database.iter_ids(query, effective_sort(query, match), match)


def iter_sheets(query: SheetQuery, *, chunk_size: int = 500) -> Iterator[ActionSheet]:
    """Every matching sheet (with relations), in order, loaded `chunk_size` at a time."""
    ids = list(iter_sheet_ids(query))
    for start in range(0, len(ids), chunk_size):
        chunk = ids[start : start + chunk_size]
        by_id = ActionSheet.objects.with_relations().in_bulk(chunk)
        for pk in chunk:
            if pk in by_id:
                yield by_id[pk]


def published_count() -> int:
    return ActionSheet.objects.published().count()
