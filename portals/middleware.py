"""Serve a portal's pages: `/portails/<slug>/…` (or the portal's own host name) is the whole
site seen through the portal.

The prefix is removed from the path and becomes the script prefix, so every address the site
builds (`reverse`, `get_absolute_url`) stays inside the portal; the portal's selection is merged
into the query string, so every view reading it (list, statistics, map, plaquette, feed,
exports, alerts) answers for the portal's selection; `request.portal` gives the frame.
"""

from django.conf import settings
from django.urls import get_script_prefix, set_script_prefix

from portals.models import Portal
from portals.selection import excluded_ids, merged_query

PORTAL_URLCONF = "portals.portal_urls"


def _own_hosts() -> set[str]:
    from urllib.parse import urlsplit

    hosts = {"127.0.0.1", "localhost", "testserver", "[::1]"}
    site = urlsplit(getattr(settings, "SITE_URL", "") or "").hostname
    return hosts | ({site} if site else set())


class PortalMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.own_hosts = _own_hosts()

    def find(self, request) -> tuple[Portal | None, str]:
        path = request.path_info
        if path.startswith("/portails/"):
            slug = path[len("/portails/") :].split("/", 1)[0]
            if slug and "/" in path[len("/portails/") :]:
                portal = Portal.objects.filter(slug=slug).first()
                if portal:
                    return portal, f"/portails/{slug}/"
            return None, ""
        host = request.META.get("HTTP_HOST", "").rsplit(":", 1)[0].lower()
        if host and host not in self.own_hosts and settings.PORTAL_HOSTS:
            portal = Portal.objects.filter(host=host).first()
            if portal:
                return portal, "/"
        return None, ""

    def __call__(self, request):
        portal, prefix = self.find(request)
        request.portal = portal
        if portal is None:
            return self.get_response(request)
        request.path_info = request.path_info[len(prefix) - 1 :]
        request.urlconf = PORTAL_URLCONF
        request.visitor_query = request.GET
        request.GET = merged_query(
            portal.selection, request.GET, portal.offered_values, excluded_ids(portal)
        )
        previous = get_script_prefix()
        set_script_prefix(previous.rstrip("/") + prefix)
        try:
            return self.get_response(request)
        finally:
            set_script_prefix(previous)
