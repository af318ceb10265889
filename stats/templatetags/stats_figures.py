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
