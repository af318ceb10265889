"""The search alerts' pages (namespace `discovery`, joined in essaimage/urls.py)."""

from django.urls import path

from public import alert_views

urlpatterns = [
    # Public, no account needed.
    path("alertes/nouvelle/", alert_views.alert_new, name="alert-new"),
    path("alertes/confirmer/<str:token>/", alert_views.alert_confirm, name="alert-confirm"),
    path(
        "alertes/desabonner/<str:token>/", alert_views.alert_unsubscribe, name="alert-unsubscribe"
    ),
]
