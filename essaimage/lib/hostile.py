"""Characters no page address contains (NUL and other control characters, lone surrogates),
refused before any view runs: PostgreSQL refuses NUL in a text value.

- in the path: 404 (no route has a use for them);
- in the query string of the Django admin, which passes parameters to queries unchecked: 400.
  The site's own pages and the API validate their parameters (forms) and say which is wrong.
"""

import unicodedata
from urllib.parse import unquote

from django.core.exceptions import BadRequest
from django.http import Http404

ADMIN_PREFIX = "/admin/"


def has_control_characters(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text)


class RejectControlCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_control_characters(request.path_info):
            raise Http404("Adresse invalide.")
        if request.path_info.startswith(ADMIN_PREFIX) and "\x00" in unquote(
            request.META.get("QUERY_STRING", "")
        ):
            raise BadRequest("Paramètre invalide : caractère nul.")
        return self.get_response(request)
