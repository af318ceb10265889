"""The URLconf of a request inside a portal (portals.middleware): the portal's own pages,
then the whole site, whose addresses keep the portal's prefix."""

from django.urls import path

from essaimage.urls import handler500  # noqa: F401  (the same error pages)
from essaimage.urls import urlpatterns as site_urlpatterns
from portals import views

urlpatterns = [
    path("", views.portal_catalogue, name="portal-home"),
    # Before the catalogue's own routes, which keep their names (catalogue:sheet-list, …).
    path("actions/", views.portal_catalogue),
    path("actions/<int:pk>-<slug:slug>/", views.portal_sheet),
    path("couleurs.css", views.portal_colours, name="portal-colours"),
    path("gerer/", views.manage_portal, name="portal-manage"),
    path("integrer/", views.embed_builder, name="portal-embed-builder"),
    path("integration/liste/", views.embed_list, name="portal-embed-list"),
    path("integration/fiches.json", views.embed_data, name="portal-embed-data"),
    path("integration/script.js", views.embed_script, name="portal-embed-script"),
    *site_urlpatterns,
]
