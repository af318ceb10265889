from django.urls import path

from discovery import views

app_name = "discovery"

urlpatterns = [
    path("doublons/", views.duplicate_list, name="duplicate-list"),
    path("doublons/<int:first>-<int:second>/", views.duplicate_pair, name="duplicate-pair"),
]
