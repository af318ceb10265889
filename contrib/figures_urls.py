"""A sheet's figures page (namespace `stats`, joined in essaimage/urls.py)."""

from django.urls import path

from contrib.views import figures

urlpatterns = [
    path(
        "contribuer/fiches/<int:pk>/chiffres/",
        figures.correct_sheet_figures,
        name="correct-figures",
    ),
]
