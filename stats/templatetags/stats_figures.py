"""French number formats for the figures: 22 475 €, 2 640,20 €, 1 234 personnes."""

from decimal import Decimal

from django import template

register = template.Library()

NARROW_NBSP = "\u202f"


def french_number(value, decimals: int = 0) -> str:
    if value is None or value == "":
        return ""
    number = Decimal(value)
    if decimals == 0 and number != number.to_integral_value():
        decimals = 2
    text = f"{number:,.{decimals}f}"
    return text.replace(",", NARROW_NBSP).replace(".", ",")


@register.filter
def euros(value) -> str:
    """22475 -> '22 475 €', 2640.2 -> '2 640,20 €' (narrow no-break spaces)."""
    text = french_number(value)
    return f"{text}\u00a0€" if text else ""


@register.filter
def number(value) -> str:
    return french_number(value)


@register.filter
def percent(value) -> str:
    """0–100 float -> '42 %'."""
    if value is None:
        return ""
    return f"{round(value)}\u00a0%"


@register.inclusion_tag("stats/_departement_map.html")
def departement_map(departement):
    """The map of a département page: its région's départements shaded by published sheets."""
    from django.db.models import Count

    from catalogue.models import ActionSheet
    from stats.maps import departement_page_map

    sheets = ActionSheet.objects.published()
    if departement.region_id:
        sheets = sheets.filter(structure__departement__region_id=departement.region_id)
    else:
        sheets = sheets.filter(structure__departement_id=departement.code)
    counts = dict(
        sheets.order_by()
        .values_list("structure__departement_id")
        .annotate(n=Count("pk"))
        .values_list("structure__departement_id", "n")
    )
    return {"map": departement_page_map(departement, counts), "departement": departement}


@register.filter
def map_class(fill: str) -> int:
    """The class of a map colour (0: no sheet), for the pattern drawn over it (stats/_map.svg)."""
    from stats.geo import PALETTE

    return PALETTE.index(fill) if fill in PALETTE else 0


@register.simple_tag
def chart_sheets(rows, unit="", sheets=None) -> int:
    """How many sheets a bar chart stands for: `sheets` when the caller knows, else the sum of
    its rows when they count sheets (euros and shares cannot tell: taken as enough)."""
    if sheets not in (None, ""):
        return int(sheets)
    if unit in ("euros", "percent"):
        return 2
    return sum(int(getattr(row, "count", 0) or 0) for row in rows or ())
