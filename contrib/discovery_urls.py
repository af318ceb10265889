"""The duplicates and my-alerts pages (namespace `discovery`, joined in essaimage/urls.py)."""

from django.urls import path

from contrib.views import discovery

urlpatterns = [
    path("contribuer/doublons/", discovery.duplicate_list, name="duplicate-list"),
    path(
        "contribuer/doublons/<int:first>-<int:second>/",
        discovery.duplicate_pair,
        name="duplicate-pair",
    ),
    path("contribuer/alertes/", discovery.my_alerts, name="my-alerts"),
]
