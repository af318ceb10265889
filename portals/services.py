"""What portal pages and embeds do with the catalogue: the portal's sheets (highlighted first,
excluded never), saving an edit with its history, the visit counters and the numbers."""

import datetime
from dataclasses import replace

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.http import QueryDict
from django.utils import timezone

from catalogue.models import ActionSheet
from portals.models import Portal, PortalChange, PortalVisit
from portals.selection import excluded_ids, merged_query
from search.forms import SearchForm
from search.service import SearchResult, search_sheets, selected_sheets

EDITABLE = (
    "title",
    "introduction",
    "selection",
    "shown_filters",
    "offered_values",
    "logo_alt",
    "logo_link",
    "header_background",
    "header_text",
    "accent",
)


def arrange(result: SearchResult, portal: Portal, *, highlight: bool) -> SearchResult:
    """`result` without the portal's excluded sheets; in the default order (`highlight`), the
    highlighted sheets of the selection open the first page (and are not repeated further on)."""
    excluded = set(portal.excluded.values_list("pk", flat=True))
    highlighted_ids = list(portal.highlighted.values_list("pk", flat=True))
    if not excluded and not highlighted_ids:
        return result
    dropped = excluded | (set(highlighted_ids) if highlight else set())
    sheets = [s for s in result.sheets if s.pk not in dropped]
    total = result.total
    if excluded:
        total -= selected_sheets(result.query).filter(pk__in=excluded).count()
    if highlighted_ids and highlight and result.page == 1:
        in_selection = selected_sheets(result.query).filter(pk__in=highlighted_ids)
        by_id = ActionSheet.objects.in_bulk(
            list(in_selection.exclude(pk__in=excluded).values_list("pk", flat=True))
        )
        on_top = [by_id[i] for i in highlighted_ids if i in by_id]
        for sheet in on_top:
            sheet.is_highlighted = True
        sheets = on_top + sheets
    return replace(result, sheets=sheets, total=max(total, 0))


def portal_form(portal: Portal, visitor: QueryDict) -> SearchForm:
    return SearchForm(
        merged_query(portal.selection, visitor, portal.offered_values, excluded_ids(portal))
    )


def latest_sheets(portal: Portal, *, count: int, order: str, text: str = "") -> list[ActionSheet]:
    """The `count` sheets an embed lists: most recent or most relevant of the selection."""
    visitor = QueryDict(mutable=True)
    if text:
        visitor["q"] = text
    visitor["sort"] = "recent" if order == "recent" else "relevance"
    query = portal_form(portal, visitor).to_query()
    result = search_sheets(query, page=1, per_page=count + 20, with_facets=False)
    result = arrange(result, portal, highlight=order == "relevance")
    return result.sheets[:count]


@transaction.atomic
def save_portal(portal: Portal, data: dict, *, author) -> PortalChange | None:
    """Apply the form's `data` to `portal` and record who changed what (None: nothing changed)."""
    changes = {}
    for name in EDITABLE:
        before, after = getattr(portal, name), data[name]
        if before != after:
            changes[name] = [before, after]
            setattr(portal, name, after)
    for name in ("highlighted", "excluded"):
        before = sorted(getattr(portal, name).values_list("pk", flat=True))
        after = sorted(data[name])
        if before != after:
            changes[name] = [before, after]
            getattr(portal, name).set(after)
    logo = data.get("logo")
    if logo is False and portal.logo:  # "Effacer" ticked
        changes["logo"] = [portal.logo.name, ""]
        portal.logo = ""
    elif logo:
        changes["logo"] = [portal.logo.name or "", logo.name]
        portal.logo = logo
    if not changes:
        return None
    portal.save()
    if "logo" in changes:
        changes["logo"][1] = portal.logo.name
    return PortalChange.objects.create(portal=portal, author=author, changes=changes)


def count_visit(portal: Portal, kind: str) -> None:
    """Add one to today's counter of `portal` and `kind` (no cookie, no address kept)."""
    today = timezone.localdate()
    updated = PortalVisit.objects.filter(portal=portal, kind=kind, day=today).update(
        count=F("count") + 1
    )
    if updated:
        return
    try:
        with transaction.atomic():
            PortalVisit.objects.create(portal=portal, kind=kind, day=today, count=1)
    except IntegrityError:  # another request created today's row first
        PortalVisit.objects.filter(portal=portal, kind=kind, day=today).update(count=F("count") + 1)


def portal_numbers(portal: Portal, today: datetime.date | None = None) -> dict:
    """Visits this month and last 30 days per kind, sheets added to the selection this month."""
    today = today or timezone.localdate()
    month_start = today.replace(day=1)
    visits = PortalVisit.objects.filter(portal=portal)

    def total(kind: str, since: datetime.date) -> int:
        return visits.filter(kind=kind, day__gte=since).aggregate(n=Sum("count"))["n"] or 0

    query = portal_form(portal, QueryDict()).to_query()
    start = timezone.make_aware(datetime.datetime.combine(month_start, datetime.time()))
    added = (
        selected_sheets(query)
        .filter(published_at__gte=start)
        .exclude(pk__in=portal.excluded.values("pk"))
        .count()
    )
    return {
        "month_start": month_start,
        "portal_month": total(PortalVisit.Kind.PORTAL, month_start),
        "embed_month": total(PortalVisit.Kind.EMBED, month_start),
        "portal_30": total(PortalVisit.Kind.PORTAL, today - datetime.timedelta(days=29)),
        "embed_30": total(PortalVisit.Kind.EMBED, today - datetime.timedelta(days=29)),
        "added_month": added,
        "days": list(visits.filter(day__gte=today - datetime.timedelta(days=29)).order_by("-day")),
    }
