from django.urls import path

from catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("", views.home, name="home"),
    path("actions/", views.sheet_list, name="sheet-list"),
    path("actions/<int:pk>-<slug:slug>/", views.sheet_detail, name="sheet-detail"),
    path("structures/<int:pk>-<slug:slug>/", views.structure_detail, name="structure-detail"),
    path("departements/<str:code>/", views.departement_detail, name="departement-detail"),
    path("fichiers/<int:pk>/", views.attachment_download, name="attachment-download"),
]
