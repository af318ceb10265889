"""Every URL pattern, walked with hostile segments (NUL, control characters, broken UTF-8):
never a 500, on SQLite and PostgreSQL (PostgreSQL refuses NUL in a text value)."""

import re

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

from contrib.tests.helpers import ContribTestCase

HOSTILE_SEGMENTS = ["%00", "a%00b", "%0d%0ax", "%FF%FE", "%ED%A0%80", "..%2F..%2F"]
HOSTILE_QUERY = "?q=%00&page=%00&departement=a%00&next=%00&token=%00&sort=%00"
SKIPPED_PREFIXES = ("static/", "media/")
NO_POST = ("compte/deconnexion/", "admin/logout/")  # would end the administrator's session


def _route_template(pattern) -> str:
    """The pattern as text with `{}` where a parameter goes."""
    if isinstance(pattern, RoutePattern):
        return re.sub(r"<(?:[^>:]+:)?[^>]+>", "{}", str(pattern))
    if isinstance(pattern, RegexPattern):
        text = pattern.regex.pattern.lstrip("^").rstrip("$").replace("\\Z", "")
        text = re.sub(r"\(\?P<[^>]+>(?:[^()]|\([^()]*\))*\)", "{}", text)
        text = re.sub(r"\(\?:[^()]*\)\??", "", text)
        return text.replace("\\", "")
    return str(pattern)


def url_templates(patterns=None, prefix: str = "") -> list[str]:
    templates = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        template = prefix + _route_template(entry.pattern)
        if isinstance(entry, URLResolver):
            templates += url_templates(entry.url_patterns, template)
        elif isinstance(entry, URLPattern):
            templates.append(template)
    return sorted({t for t in templates if not t.startswith(SKIPPED_PREFIXES)})


class HostileUrlsTestCase(ContribTestCase):
    def walk(self) -> list[str]:
        failures = []
        for template in url_templates():
            holes = template.count("{}")
            urls = [template.format(*[segment] * holes) for segment in HOSTILE_SEGMENTS]
            if not holes:
                urls = [template + "%00/", template + HOSTILE_QUERY]
            for url in urls:
                methods = ("get",) if template in NO_POST else ("get", "post")
                for method in methods:
                    r = getattr(self.client, method)("/" + url)
                    refused = r.status_code in (400, 403, 404, 405)
                    if r.status_code >= 500 or (holes and "%00" in url and not refused):
                        failures.append(f"{method.upper()} /{url} -> {r.status_code}")
        return failures

    def test_the_walk_covers_the_site(self):
        templates = url_templates()
        self.assertGreater(len(templates), 60)
        self.assertIn("departements/{}/", templates)
        self.assertIn("compte/invitation/{}/", templates)

    def test_hostile_segments_never_give_an_error_to_a_visitor(self):
        self.client.raise_request_exception = False
        self.assertEqual(self.walk(), [])

    def test_hostile_segments_never_give_an_error_to_an_administrator(self):
        self.client.raise_request_exception = False
        self.client.force_login(self.ada)
        self.assertEqual(self.walk(), [])

    def test_a_nul_in_a_path_is_a_french_404_and_in_an_admin_parameter_a_400(self):
        with self.settings(DEBUG=False):
            r = self.client.get("/departements/%00/")
            self.assertContains(r, "Page introuvable", status_code=404)
            self.client.force_login(self.ada)
            r = self.client.get("/admin/catalogue/structure/add/?departement=a%00")
            self.assertContains(r, "Requête invalide", status_code=400)
