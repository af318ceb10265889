"""Suggestions under the search boxes (search.autocomplete): an HTML fragment, the listbox of an
ARIA combobox, fetched by static/js/suggest.js as the visitor types."""

import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from search.autocomplete import suggest
from search.forms import SearchForm

# The listbox's id and its options' ids start with the box's own prefix (two boxes, one page).
_PREFIX = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,39}$")
DEFAULT_PREFIX = "suggestions"


@require_GET
def suggestions(request: HttpRequest) -> HttpResponse:
    prefix = request.GET.get("for", "")
    if not _PREFIX.match(prefix):
        prefix = DEFAULT_PREFIX
    text = request.GET.get("q", "")[:200]
    # The catalogue's other filters (sent by its box): a keyword suggestion adds to them.
    query = SearchForm(request.GET).to_query()
    response = render(
        request,
        "catalogue/_suggestions.html",
        {"suggestions": suggest(text, query), "prefix": prefix},
    )
    response["X-Robots-Tag"] = "noindex"
    return response
