from django.urls import path

from discovery import views

app_name = "discovery"

urlpatterns = [
    path("contribuer/doublons/", views.duplicate_list, name="duplicate-list"),
    path(
        "contribuer/doublons/<int:first>-<int:second>/",
        views.duplicate_pair,
        name="duplicate-pair",
    ),
    path("contribuer/alertes/", views.my_alerts, name="my-alerts"),
    # Public, no account needed.
    path("alertes/nouvelle/", views.alert_new, name="alert-new"),
    path("alertes/confirmer/<str:token>/", views.alert_confirm, name="alert-confirm"),
    path("alertes/desabonner/<str:token>/", views.alert_unsubscribe, name="alert-unsubscribe"),
]
