"""What a catalogue-like page shows around the search result: facets in reading order, the
filters a visitor can remove, and the page's fixed filter (a structure or a département page).

A page with a fixed filter only ever lists sheets of that filter: the other facets refine within
the page (their links stay on it), and a value of the fixed facet other than the page's own
leads to the whole catalogue with every filter kept (`catalogue_url`), never to a page whose
heading would no longer match its list.
"""

from dataclasses import dataclass, replace

from django.urls import reverse

from catalogue.display import display_label
from search.facets import Facet, FacetDefinition, FacetValue, compute_facet
from search.query import Place, SheetQuery
from search.service import SearchResult, filtered_sheets

# Values beyond this many sit inside a "voir plus" disclosure (selected values never do).
FACET_VISIBLE = 8
# Facets read by name rather than by size: alphabetical order.
ALPHABETICAL = {"departement", "region"}
# Facets whose values are vocabulary rows: their labels read through catalogue.display.
VOCABULARIES = {
    "keywords",
    "dimension",
    "status",
    "publics",
    "territory",
    "initiators",
    "action_partners",
    "financial_partners",
}


@dataclass(frozen=True)
class FixedFilter:
    name: str  # query-string key: "departement" or "structure"
    value: str | int
    label: str  # "Département", "Structure"
    value_label: str  # "Haut-Rhin (68)"


@dataclass(frozen=True)
class FacetView:
    name: str
    label: str
    shown: list[FacetValue]
    more: list[FacetValue]  # behind "voir plus"
    fixed_value: object = None  # the page's own value in the fixed facet (ticked, not removable)
    truncated: bool = False  # the search kept only the most frequent values: see all_values_url
    all_values_url: str = ""
    place_values: frozenset = frozenset()  # values set by a place typed in the text (ticked)

    @property
    def values(self) -> list[FacetValue]:
        return self.shown + self.more


@dataclass(frozen=True)
class Listing:
    facets: list[FacetView]
    chips: list[tuple[str, FacetValue, str]]  # (facet label, value, facet name): removable
    place_chips: list[tuple[Place, str]]  # places recognised in the text, with their remove URL
    kept_as_text: list[tuple[str, str]]  # (place name searched as text, URL to make it a place)
    fixed: FixedFilter | None
    clear_url: str
    catalogue_url: str  # the same query on the whole catalogue


def catalogue_url(query: SheetQuery) -> str:
    querystring = query.querystring()
    return reverse("catalogue:sheet-list") + (f"?{querystring}" if querystring else "")


def page_query(query: SheetQuery, fixed_name: str | None) -> SheetQuery:
    """The part of `query` a page's links carry (the fixed filter is in the page's address)."""
    return replace(query, **{fixed_name: ()}) if fixed_name else query


def _ordered(facet: Facet) -> list[FacetValue]:
    values = list(facet.values)
    if facet.name in ALPHABETICAL:
        values.sort(key=lambda v: v.label.casefold())
    # Stable sort: selected first, each group keeping the facet's own order.
    values.sort(key=lambda v: not v.selected)
    return values


def build_listing(
    result: SearchResult,
    query: SheetQuery,
    page_url: str,
    fixed: tuple[str, object] | None = None,
) -> Listing:
    """Facets, chips and fixed filter of a page at `page_url` showing `result` for `query`
    (`query` includes the fixed filter, if any)."""
    fixed_name, fixed_value = fixed if fixed else (None, None)
    carried = page_query(query, fixed_name)
    fixed_filter = None
    facets, chips = [], []
    for facet in result.facet_groups:
        # A place typed in the text shows as its own chip ("Lieu reconnu"), not as a filter.
        from_places = frozenset(
            v for p in query.places if p.filter_name == facet.name for v in p.added
        )
        values = []
        for value in _ordered(facet):
            if facet.name == fixed_name:
                if value.value == fixed_value:
                    fixed_filter = FixedFilter(fixed_name, fixed_value, facet.label, value.label)
                    url = ""
                else:
                    url = catalogue_url(query.toggled(facet.name, value.value))
            else:
                url = f"{page_url}?{carried.toggled(facet.name, value.value).querystring()}"
            label = display_label(value.label) if facet.name in VOCABULARIES else value.label
            values.append(replace(value, toggle_url=url, label=label))
            if value.selected and facet.name != fixed_name and value.value not in from_places:
                chips.append((facet.label, values[-1], facet.name))
        if not values:
            continue
        # Keep every selected value visible, then fill up to FACET_VISIBLE.
        cut = max(FACET_VISIBLE, sum(1 for v in values if v.selected))
        if len(values) <= cut + 2:  # hiding one or two values is not worth a disclosure
            cut = len(values)
        facets.append(
            FacetView(
                facet.name,
                facet.label,
                values[:cut],
                values[cut:],
                fixed_value if facet.name == fixed_name else None,
                facet.truncated,
                reverse("catalogue:facet-values", args=[facet.name]) + f"?{query.querystring()}"
                if facet.truncated
                else "",
                from_places,
            )
        )
    clear = carried.without_filters().querystring()
    place_chips = [
        (place, f"{page_url}?{carried.without_place(place).querystring()}")
        for place in query.places
    ]
    kept_as_text = [
        (
            name,
            page_url
            + "?"
            + replace(
                carried, as_text=tuple(n for n in carried.as_text if n != name)
            ).querystring(),
        )
        for name in query.as_text
    ]
    return Listing(
        facets=facets,
        chips=chips,
        place_chips=place_chips,
        kept_as_text=kept_as_text,
        fixed=fixed_filter,
        clear_url=page_url + (f"?{clear}" if clear else ""),
        catalogue_url=catalogue_url(carried),
    )


def all_facet_values(definition: FacetDefinition, query: SheetQuery, base_url: str) -> Facet:
    """One facet with every value (no `limit`), counted as the sidebar counts it."""
    facet = compute_facet(
        replace(definition, limit=None),
        filtered_sheets(query, exclude=definition.name),
        query,
        base_url,
    )
    values = _ordered(facet)
    if definition.name in VOCABULARIES:
        values = [replace(v, label=display_label(v.label)) for v in values]
    return replace(facet, values=values)
