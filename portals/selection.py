"""A portal's selection merged under the visitor's own filters, as one query string the
catalogue's SearchForm reads (so pages, exports, feeds, statistics and alerts agree).

Rules: for a key the portal fixes (say `departement=25`), the visitor may narrow within the
portal's values, never widen (a value outside them is dropped); for other keys the visitor's
values stand. Free text adds up (the portal's words and the visitor's). The year range is the
intersection. Sort, page and page size are the visitor's.
"""

from django.db.models import QuerySet
from django.http import QueryDict

from search.query import MULTI_KEYS

VISITOR_ONLY = ("sort", "page", "page_size", "vue")


def merged_query(selection: str, visitor: QueryDict, offered: str = "", excluded=()) -> QueryDict:
    """The query string every page of the portal reads; `excluded` (sheet ids) go in as the
    search's `exclude`, so no list, count, export, feed, statistic or alert shows them."""
    base = QueryDict(selection)
    allowed = QueryDict(offered)
    merged = QueryDict(mutable=True)
    for key in MULTI_KEYS:
        fixed = base.getlist(key)
        asked = [v for v in visitor.getlist(key) if v.strip()]
        if allowed.getlist(key):
            asked = [v for v in asked if v in allowed.getlist(key)]
        if fixed:
            inside = [v for v in asked if v.upper() in {f.upper() for f in fixed}]
            merged.setlist(key, inside or fixed)
        elif asked:
            merged.setlist(key, asked)
    base_text, own_text = base.get("q", "").strip(), visitor.get("q", "").strip()
    # The search box shows the merged text: sent back, it already holds the portal's words.
    if base_text and own_text.casefold().startswith(base_text.casefold()):
        own_text = own_text[len(base_text) :].strip()
    text = " ".join(t for t in (base_text, own_text) if t)
    if text:
        merged["q"] = text
    for key, pick in (("year_min", max), ("year_max", min)):
        values = [v for v in (base.get(key), visitor.get(key)) if v and v.strip().isdigit()]
        if values:
            merged[key] = str(pick(int(v) for v in values))
    for key in VISITOR_ONLY:
        if visitor.get(key):
            merged[key] = visitor[key]
    # Anything else the visitor sent (unknown keys) goes through: SearchForm ignores it.
    for key in visitor:
        if key not in merged and key not in MULTI_KEYS and key not in ("q", "year_min", "year_max"):
            merged.setlist(key, visitor.getlist(key))
    if excluded:
        merged.setlist("exclude", [str(pk) for pk in sorted(excluded)])
    merged._mutable = False
    return merged


def fixed_values(selection: str) -> dict[str, set[str]]:
    """The values each key of the portal's selection fixes (its chips are not removable)."""
    base = QueryDict(selection)
    return {key: {v.upper() for v in base.getlist(key)} for key in MULTI_KEYS if base.getlist(key)}


def excluded_ids(portal) -> set[int]:
    return set(portal.excluded.values_list("pk", flat=True))


def without_excluded(sheets: QuerySet, portal) -> QuerySet:
    return sheets.exclude(pk__in=portal.excluded.values("pk"))
