"""The database engine: filters, facets, sorting and pagination as plain ORM queries.

It answers when the in-memory index is off or being rebuilt, and is the reference the memory
engine is tested against. It also gives the querysets statistics, feeds and exports aggregate
over (`filtered_sheets`).
"""

from django.db.models import QuerySet

from catalogue.models import ActionSheet
from search import rescoring
from search.backends import get_backend
from search.engines.base import ORDERINGS, text_match
from search.facets import DEFINITIONS, compute_facet
from search.matching import TextMatch
from search.query import SheetQuery
from search.results import SearchResult, load_sheets, page_bounds, result_for

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

_UNSET = object()


def filtered_sheets(query: SheetQuery, *, exclude: str | None = None, match=_UNSET) -> QuerySet:
    """Published sheets matching `query` (text and filters), unordered; `exclude` leaves one
    filter out (disjunctive facet counts). `match`: the query's text_match, when known."""
    if match is _UNSET:
        match = text_match(query.q)
    qs = ActionSheet.objects.published()
    if match is not None:
        ids = match.ids
        qs = get_backend().filter_ids(qs, ids) if ids else qs.none()
    if query.exclude:
        qs = qs.exclude(pk__in=query.exclude)
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


def ordered_ids(qs: QuerySet, sort: str, match: TextMatch | None) -> list[int]:
    """Ids of `qs` in the `sort` order (relevance: rank, then title as the database sorts it)."""
    if sort != "relevance":
        return list(qs.order_by(*ORDERINGS[sort]).values_list("pk", flat=True))
    by_title = qs.order_by(*ORDERINGS["title"]).values_list("pk", flat=True)
    ranks = match.ranks  # once: the memory engine's match makes it on each call
    ordered = sorted(by_title, key=lambda pk: -ranks[pk])  # stable: ties keep title order
    if match.rescorer is None:
        return ordered
    # The ranking's second stage, on the first page of what the visitor sees.
    return rescoring.reorder(ordered, lambda ids: [ranks[pk] for pk in ids], match.rescorer)


def iter_ids(query: SheetQuery, sort: str, match: TextMatch | None):
    qs = filtered_sheets(query, match=match)
    if sort == "relevance":
        yield from ordered_ids(qs, sort, match)
        return
    yield from qs.order_by(*ORDERINGS[sort]).values_list("pk", flat=True).iterator(chunk_size=2000)


class DatabaseEngine:
    def text_match(self, text: str, *, prefix_last: bool = False):
        return text_match(text, prefix_last=prefix_last)

    def search(self, query, match, *, sort, page, per_page, with_facets, base_url, records):
        qs = filtered_sheets(query, match=match)
        total = qs.count()
        requested_page = page
        page, num_pages, offset, limit = page_bounds(total, page, per_page)
        window = slice(offset, offset + limit) if limit else slice(None)
        if not total:
            chosen = []
        elif sort == "relevance":
            chosen = ordered_ids(qs, sort, match)[window]
        else:
            chosen = list(qs.order_by(*ORDERINGS[sort]).values_list("pk", flat=True)[window])
        sheets = load_sheets(chosen, match, records=records)
        result: SearchResult = result_for(
            query, match, sheets, total, page, num_pages, per_page, base_url
        )
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


engine = DatabaseEngine()
