"""The one search service: pages, API, exports, feeds and statistics all call it.

    result = search_sheets(SearchForm(request.GET).to_query(), page=2)
    result.sheets, result.total, result.facets["keywords"], result.snippets[sheet.pk]

Only published sheets are found. Free text goes to the backend of the database in use
(search.backends); filters, facets, sorting and pagination are plain ORM.
"""

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.db.models import F, QuerySet
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.safestring import SafeString

from catalogue.models import ActionSheet, Keyword
from search import text as french
from search.backends import get_backend
from search.facets import DEFINITIONS, Facet, FacetValue, compute_facet
from search.models import SearchWord
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
    "suggest",
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
    # A string, not F(): on SQLite the rank is an extra() select, which F() cannot resolve.
    "relevance": ("-search_rank", Lower("title"), "pk"),
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
    # "Vouliez-vous dire …": the corrected text when the typed one found nothing.
    suggestion: str | None = None
    # The results shown are those of `suggestion` (the typed text found nothing).
    corrected: bool = False
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


def _text_filtered(qs: QuerySet, text: str) -> QuerySet:
    parsed = french.parse_query(text)
    if not parsed:
        return qs
    return get_backend().filter_matching(qs, text, parsed)


def filtered_sheets(query: SheetQuery, *, exclude: str | None = None, text: str | None = None):
    """Published sheets matching `query` (text and filters), unordered; `exclude` leaves one
    filter out (disjunctive facet counts)."""
    if text is None:
        text, _ = effective_text(query)
    qs = _text_filtered(ActionSheet.objects.published(), text)
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


def _ordered(qs: QuerySet, query: SheetQuery, text: str) -> QuerySet:
    sort = query.effective_sort
    if sort == "relevance":
        parsed = french.parse_query(text)
        if parsed.required:
            qs = get_backend().annotate_rank(qs, text, parsed)
        else:
            sort = "title"
    return qs.order_by(*ORDERINGS[sort])


def searched_text(text: str) -> str:
    """The text sent to the backend: the typed one, plus vocabulary spellings close to its words."""
    text = text.replace("\x00", "")
    parsed = french.parse_query(text)
    if not parsed.required:
        return text
    # Only real words are widened; an unknown word is a typo, left to `suggest`.
    folded = {french.fold(w) for w in parsed.words}
    known = set(SearchWord.objects.filter(word__in=folded).values_list("word", flat=True))
    if not known:
        return text
    return french.expand_query(text, Keyword.objects.values_list("label", flat=True), only=known)


def effective_text(query: SheetQuery) -> tuple[str, str | None]:
    """(text sent to the backend, suggestion) for `query`, as `search_sheets` decides them:
    when the typed text finds nothing and a correction does, the correction is searched.
    Exports, statistics and `iter_sheet_ids` use it so they hold the sheets the list shows."""
    text = searched_text(query.q)
    if not french.parse_query(text).required or filtered_sheets(query, text=text).exists():
        return text, None
    suggestion = suggest(query.q)
    if suggestion:
        suggested_text = searched_text(suggestion)
        if filtered_sheets(query, text=suggested_text).exists():
            return suggested_text, suggestion
    return text, None


def suggest(text: str) -> str | None:
    """`text` with its unknown words replaced by the closest indexed words, or None."""
    found = list(re.finditer(r"\w+", text))
    folded = {m.group(): french.fold(m.group()) for m in found}
    known = set(
        SearchWord.objects.filter(word__in=set(folded.values())).values_list("word", flat=True)
    )
    backend = get_backend()
    replaced, changed = [], False
    cursor = 0
    for m in found:
        replaced.append(text[cursor : m.start()])
        word = folded[m.group()]
        replacement = None
        if word not in known and not word.isdigit() and m.group().upper() != "OR":
            replacement = backend.closest_word(word)
        replaced.append(replacement or m.group())
        changed = changed or bool(replacement)
        cursor = m.end()
    replaced.append(text[cursor:])
    return "".join(replaced) if changed else None


def page_bounds(total: int, page: int, per_page: int | None) -> tuple[int, int, int, int | None]:
    """(page, num_pages, offset, limit), the page clamped into range; per_page None = all."""
    if not per_page:
        return 1, 1, 0, None
    num_pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), num_pages)
    return page, num_pages, (page - 1) * per_page, per_page


def snippets_for(sheets: list[ActionSheet], text: str) -> dict[int, SafeString]:
    """Highlighted excerpts of the searched words, or the start of the summary without text."""
    parsed = french.parse_query(text)
    if sheets and parsed.required:
        return get_backend().snippets(sheets, text, parsed)
    return {s.pk: french.excerpt(s.summary) for s in sheets}


def search_sheets(
    query: SheetQuery,
    *,
    page: int = 1,
    per_page: int | None = 25,
    with_facets: bool = True,
    base_url: str | None = None,
    fast: bool | None = None,
) -> SearchResult:
    """Run `query`: one page of published sheets (`ActionSheet.objects.with_relations()`, in
    order), the total, facets with disjunctive counts and snippets. `per_page=None` returns
    every match (prefer `iter_sheets` for large exports). A page past the end gives the last.
    `fast` (default: settings.SEARCH_FAST_PATH) answers from search.fast's in-memory index."""
    base_url = base_url if base_url is not None else reverse("catalogue:sheet-list")
    if fast if fast is not None else settings.SEARCH_FAST_PATH:
        from search import fast as fast_path

        if not settings.SEARCH_FAST_PATH_BACKGROUND or fast_path.ready_index():
            return fast_path.search_sheets_fast(
                query, page=page, per_page=per_page, with_facets=with_facets, base_url=base_url
            )
        # The index is being rebuilt in the background: the database answers meanwhile.
    text = searched_text(query.q)
    suggestion, corrected = None, False
    qs = filtered_sheets(query, text=text)
    total = qs.count()
    if total == 0 and french.parse_query(text).required:
        suggestion = suggest(query.q)
        if suggestion:
            suggested_text = searched_text(suggestion)
            qs_suggested = filtered_sheets(query, text=suggested_text)
            total = qs_suggested.count()
            if total:
                qs, text, corrected = qs_suggested, suggested_text, True
            else:
                suggestion = None
    requested_page = page
    page, num_pages, offset, limit = page_bounds(total, page, per_page)
    window = slice(offset, offset + limit) if limit else slice(None)
    sheets = list(_ordered(qs, query, text).with_relations()[window]) if total else []
    result = SearchResult(
        query=query,
        sheets=sheets,
        total=total,
        page=page,
        num_pages=num_pages,
        per_page=per_page,
        suggestion=suggestion,
        corrected=corrected,
        requested_page=requested_page,
        base_url=base_url,
    )
    result.snippets = snippets_for(sheets, text)
    if with_facets:
        for definition in DEFINITIONS:
            facet = compute_facet(
                definition,
                filtered_sheets(query, exclude=definition.name, text=text),
                query,
                base_url,
            )
            result.facet_groups.append(facet)
            result.facets[definition.name] = facet.values
    return result


def selected_sheets(query: SheetQuery) -> QuerySet:
    """The published sheets the list shows for `query` (same text correction), unordered:
    what statistics, feeds and counts aggregate over."""
    text, _ = effective_text(query)
    return filtered_sheets(query, text=text)


def iter_sheet_ids(query: SheetQuery) -> Iterator[int]:
    """Every matching sheet id, in the query's order, without loading the sheets."""
    text, _ = effective_text(query)
    qs = _ordered(filtered_sheets(query, text=text), query, text)
    yield from qs.values_list("pk", flat=True).iterator(chunk_size=2000)


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
