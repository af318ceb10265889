"""The one search service: pages, API, exports, feeds and statistics all call it.

    result = search_sheets(SearchForm(request.GET).to_query(), page=2)
    result.sheets, result.total, result.facets["keywords"], result.snippets[sheet.pk]

Only published sheets are found. Free text is matched and ranked by search.matching (the
database in use, through search.backends, only says which sheets hold which terms); filters,
facets, sorting and pagination are plain ORM, or search.fast's in-memory index.
"""

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.db.models import Count, F, Max, QuerySet
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.safestring import SafeString

from catalogue.models import ActionSheet, Keyword
from search import matching
from search import text as french
from search.backends import get_backend
from search.facets import DEFINITIONS, Facet, FacetValue, compute_facet
from search.matching import TextMatch
from search.models import SearchDocument, SearchWord
from search.query import SheetQuery

__all__ = [
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

# Many-to-many filters: key -> the through model's column pointing at the vocabulary value.
M2M_FILTERS = {
    "keywords": (ActionSheet.keywords.through, "keyword__value"),
    "initiators": (ActionSheet.initiators.through, "initiator__value"),
    "publics": (ActionSheet.publics.through, "public__value"),
    "action_partners": (ActionSheet.action_partners.through, "partnerkind__value"),
    "financial_partners": (ActionSheet.financial_partners.through, "partnerkind__value"),
}
FK_FILTERS = {
    "departement": "structure__departement__code__in",
    "region": "structure__departement__region__code__in",
    "dimension": "dimension__value__in",
    "status": "status__value__in",
    "territory": "territory__value__in",
    "structure": "structure_id__in",
    "structure_type": "structure__type__in",
    "year": "year__in",
}
ORDERINGS = {
    "title": (Lower("title"), "pk"),
    "departement": (F("structure__departement__code").asc(nulls_last=True), Lower("title"), "pk"),
    "year": (F("year").desc(nulls_last=True), Lower("title"), "pk"),
    "recent": (F("published_at").desc(nulls_last=True), F("created_at").desc(), "-pk"),
}


@dataclass
class SearchResult:
    query: SheetQuery
    sheets: list[ActionSheet]
    total: int
    page: int
    num_pages: int
    per_page: int | None
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    facet_groups: list[Facet] = field(default_factory=list)
    snippets: dict[int, SafeString] = field(default_factory=dict)
    # "Résultats pour « … »": the query with its unknown words corrected.
    suggestion: str | None = None
    # The results shown are those of `suggestion`; `exact_text` searches the words as typed.
    corrected: bool = False
    exact_text: str = ""
    # No sheet holds every concept: those holding the most (relaxed), or very few do and those
    # missing one concept follow them (widened).
    relaxed: bool = False
    widened: bool = False
    requested_page: int = 1
    base_url: str = ""

    @property
    def rows(self) -> list[tuple[ActionSheet, SafeString | None]]:
        """(sheet, snippet) pairs, for templates."""
        return [(sheet, self.snippets.get(sheet.pk)) for sheet in self.sheets]

    @property
    def selected_filters(self) -> list[tuple[str, FacetValue]]:
        """(facet label, value) of every ticked value: the "active filters" with remove links."""
        return [(f.label, v) for f in self.facet_groups for v in f.values if v.selected]

    @property
    def suggestion_querystring(self) -> str:
        return replace(self.query, q=self.suggestion or "").querystring()

    @property
    def exact_querystring(self) -> str:
        return replace(self.query, q=self.exact_text).querystring()

    @property
    def clear_url(self) -> str:
        return f"{self.base_url}?{self.query.without_filters().querystring()}"

    @property
    def sort(self) -> str:
        return self.query.effective_sort

    @property
    def page_out_of_range(self) -> bool:
        return self.requested_page != self.page

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def start_index(self) -> int:
        if not self.total:
            return 0
        return (self.page - 1) * (self.per_page or self.total) + 1

    @property
    def end_index(self) -> int:
        return self.start_index + len(self.sheets) - 1 if self.sheets else 0

    def page_url(self, number: int) -> str:
        extra = {"page": number if number > 1 else ""}
        if self.per_page and self.per_page != 25:
            extra["page_size"] = self.per_page
        return f"{self.base_url}?{self.query.querystring(**extra)}"

    @property
    def previous_url(self) -> str:
        return self.page_url(self.page - 1) if self.has_previous else ""

    @property
    def next_url(self) -> str:
        return self.page_url(self.page + 1) if self.has_next else ""

    @property
    def page_links(self) -> list[tuple[int | None, str]]:
        """(number, url) around the current page; (None, "") marks a gap."""
        wanted = {1, self.num_pages, *range(self.page - 2, self.page + 3)}
        links, previous = [], 0
        for number in sorted(n for n in wanted if 1 <= n <= self.num_pages):
            if number - previous > 1:
                links.append((None, ""))
            links.append((number, self.page_url(number)))
            previous = number
        return links


_UNSET = object()
_vocabulary_cache: tuple[tuple, dict[str, str]] | None = None


def _vocabulary() -> dict[str, str]:
    """{folded indexed word: its spelling with accents}, cached while the words do not change."""
    global _vocabulary_cache
    key = tuple(SearchWord.objects.aggregate(n=Count("pk"), last=Max("pk")).values())
    if _vocabulary_cache is None or _vocabulary_cache[0] != key:
        _vocabulary_cache = (key, dict(SearchWord.objects.values_list("word", "display")))
    return _vocabulary_cache[1]


def text_match(text: str, *, prefix_last: bool = False) -> TextMatch | None:
    """The sheets matching the free text `text` (search.matching), or None without text.
    `prefix_last`: the last word may be the start of a word (search as you type)."""
    plan = matching.plan_query(text, prefix_last=prefix_last)
    if not plan:
        return None
    return matching.evaluate(
        plan,
        get_backend(),
        total=SearchDocument.objects.count(),
        vocabulary=_vocabulary,
        labels=lambda: list(Keyword.objects.values_list("label", flat=True)),
    )


def filtered_sheets(query: SheetQuery, *, exclude: str | None = None, match=_UNSET):
    """Published sheets matching `query` (text and filters), unordered; `exclude` leaves one
    filter out (disjunctive facet counts). `match`: the query's text_match, when known."""
    if match is _UNSET:
        match = text_match(query.q)
    qs = ActionSheet.objects.published()
    if match is not None:
        qs = get_backend().filter_ids(qs, match.ids) if match.ranks else qs.none()
    for name, lookup in FK_FILTERS.items():
        values = getattr(query, name)
        if values and name != exclude:
            qs = qs.filter(**{lookup: values})
    for name, (through, column) in M2M_FILTERS.items():
        values = getattr(query, name)
        if values and name != exclude:
            qs = qs.filter(
                pk__in=through.objects.filter(**{f"{column}__in": values}).values("actionsheet_id")
            )
    if exclude != "year":
        if query.year_min:
            qs = qs.filter(year__gte=query.year_min)
        if query.year_max:
            qs = qs.filter(year__lte=query.year_max)
    return qs


def effective_sort(query: SheetQuery, match: TextMatch | None) -> str:
    sort = query.effective_sort
    return "title" if sort == "relevance" and match is None else sort


def ordered_ids(qs: QuerySet, query: SheetQuery, match: TextMatch | None) -> list[int]:
    """Ids of `qs` in the query's order (relevance: rank, then title as the database sorts it)."""
    sort = effective_sort(query, match)
    if sort != "relevance":
        return list(qs.order_by(*ORDERINGS[sort]).values_list("pk", flat=True))
    by_title = qs.order_by(*ORDERINGS["title"]).values_list("pk", flat=True)
    return sorted(by_title, key=lambda pk: -match.ranks[pk])  # stable: ties keep title order


def corrected_text(text: str, corrections: dict[str, str], *, quote: bool = False) -> str:
    """`text` with each corrected word replaced by its suggestion (or quoted, to search it as
    typed: a quoted word is never corrected)."""
    for typed, spelling in corrections.items():
        replacement = f'"{typed}"' if quote else spelling
        text = re.sub(
            rf"(?<!\w){re.escape(typed)}(?!\w)", lambda m, r=replacement: r, text, count=1
        )
    return text


def page_bounds(total: int, page: int, per_page: int | None) -> tuple[int, int, int, int | None]:
    """(page, num_pages, offset, limit), the page clamped into range; per_page None = all."""
    if not per_page:
        return 1, 1, 0, None
    num_pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), num_pages)
    return page, num_pages, (page - 1) * per_page, per_page


def snippets_for(sheets: list[ActionSheet], match: TextMatch | None) -> dict[int, SafeString]:
    """Highlighted excerpts of the matched words, or the start of the summary without text."""
    from search.indexing import snippet_sources

    if not sheets or match is None:
        return {s.pk: french.excerpt(s.summary) for s in sheets}
    result = {}
    for sheet in sheets:
        sources = snippet_sources(sheet)
        found = next((h for src in sources if (h := french.highlight(src, match.highlight))), None)
        result[sheet.pk] = found or french.excerpt(next((src for src in sources if src), ""))
    return result


def search_sheets(
    query: SheetQuery,
    *,
    page: int = 1,
    per_page: int | None = 25,
    with_facets: bool = True,
    base_url: str | None = None,
    fast: bool | None = None,
    as_you_type: bool = False,
) -> SearchResult:
    """Run `query`: one page of published sheets (`ActionSheet.objects.with_relations()`, in
    order), the total, facets with disjunctive counts and snippets. `per_page=None` returns
    every match (prefer `iter_sheets` for large exports). A page past the end gives the last.
    `fast` (default: settings.SEARCH_FAST_PATH) answers from search.fast's in-memory index;
    `as_you_type` matches the last word as the start of a word."""
    base_url = base_url if base_url is not None else reverse("catalogue:sheet-list")
    if fast if fast is not None else settings.SEARCH_FAST_PATH:
        from search import fast as fast_path

        if not settings.SEARCH_FAST_PATH_BACKGROUND or fast_path.ready_index():
            return fast_path.search_sheets_fast(
                query,
                page=page,
                per_page=per_page,
                with_facets=with_facets,
                base_url=base_url,
                as_you_type=as_you_type,
            )
        # The index is being rebuilt in the background: the database answers meanwhile.
    match = text_match(query.q, prefix_last=as_you_type)
    qs = filtered_sheets(query, match=match)
    total = qs.count()
    requested_page = page
    page, num_pages, offset, limit = page_bounds(total, page, per_page)
    window = slice(offset, offset + limit) if limit else slice(None)
    if not total:
        sheets = []
    elif effective_sort(query, match) == "relevance":
        chosen = ordered_ids(qs, query, match)[window]
        by_id = ActionSheet.objects.with_relations().in_bulk(chosen)
        sheets = [by_id[pk] for pk in chosen]
    else:
        sort = effective_sort(query, match)
        sheets = list(qs.order_by(*ORDERINGS[sort]).with_relations()[window])
    result = result_for(query, match, sheets, total, page, num_pages, per_page, base_url)
    result.requested_page = requested_page
    if with_facets:
        for definition in DEFINITIONS:
            facet = compute_facet(
                definition,
                filtered_sheets(query, exclude=definition.name, match=match),
                query,
                base_url,
            )
            result.facet_groups.append(facet)
            result.facets[definition.name] = facet.values
    return result


def result_for(query, match, sheets, total, page, num_pages, per_page, base_url) -> "SearchResult":
    """The SearchResult of both paths (ORM and search.fast), facets aside."""
    corrections = match.corrections if match is not None else {}
    result = SearchResult(
        query=query,
        sheets=sheets,
        total=total,
        page=page,
        num_pages=num_pages,
        per_page=per_page,
        suggestion=corrected_text(query.q, corrections) if corrections else None,
        corrected=bool(corrections),
        exact_text=corrected_text(query.q, corrections, quote=True) if corrections else "",
        relaxed=bool(match and match.relaxed),
        widened=bool(match and match.widened),
        base_url=base_url,
    )
    result.snippets = snippets_for(sheets, match)
    return result


def selected_sheets(query: SheetQuery) -> QuerySet:
    """The published sheets the list shows for `query` (same text matching), unordered:
    what statistics, feeds and counts aggregate over."""
    return filtered_sheets(query)


def iter_sheet_ids(query: SheetQuery) -> Iterator[int]:
    """Every matching sheet id, in the query's order, without loading the sheets."""
    match = text_match(query.q)
    qs = filtered_sheets(query, match=match)
    if effective_sort(query, match) == "relevance":
        yield from ordered_ids(qs, query, match)
        return
    sort = effective_sort(query, match)
    yield from qs.order_by(*ORDERINGS[sort]).values_list("pk", flat=True).iterator(chunk_size=2000)


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
