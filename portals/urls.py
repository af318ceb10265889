"""Addresses of the main site under /portails/. A known portal's own pages
(/portails/<slug>/…) are served by portals.middleware through portals.portal_urls."""

from django.urls import path

from portals import views

app_name = "portals"

urlpatterns = [
    path("", views.portal_list, name="portal-list"),
    path("<slug:slug>/", views.unknown_portal, name="portal-root"),
]
