"""The OpenAPI descriptions are written in Markdown for other tools; the docs page shows their
inline `code` as code instead of raw backticks."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

BACKTICKS = re.compile(r"`([^`\n]+)`")


@register.filter
def inline_code(text) -> str:
    escaped = escape(str(text or ""))
    return mark_safe(BACKTICKS.sub(r"<code>\1</code>", escaped).replace("\n", "<br>"))
