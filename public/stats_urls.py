"""The observatory's pages (namespace `stats`, joined in essaimage/urls.py)."""

from django.urls import path

from public import stats_views as views

urlpatterns = [
    path("statistiques/", views.overview, name="overview"),
    path("statistiques/carte.svg", views.map_svg, name="map-svg"),
    path("statistiques/plaquette.pdf", views.plaquette_pdf, name="plaquette-pdf"),
    path("statistiques/<slug:name>.csv", views.figure_csv, name="figure-csv"),
    path("statistiques/<slug:name>.svg", views.figure_svg, name="figure-svg"),
    path("statistiques/<slug:name>.png", views.figure_png, name="figure-png"),
]
