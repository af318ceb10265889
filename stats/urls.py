from django.urls import path

from stats import views

app_name = "stats"

urlpatterns = [
    path("statistiques/", views.overview, name="overview"),
    path("statistiques/carte.svg", views.map_svg, name="map-svg"),
    path("statistiques/plaquette.pdf", views.plaquette_pdf, name="plaquette-pdf"),
    path("statistiques/<slug:name>.csv", views.figure_csv, name="figure-csv"),
    path("statistiques/<slug:name>.svg", views.figure_svg, name="figure-svg"),
    path("statistiques/<slug:name>.png", views.figure_png, name="figure-png"),
    path(
        "contribuer/fiches/<int:pk>/chiffres/", views.correct_sheet_figures, name="correct-figures"
    ),
]
