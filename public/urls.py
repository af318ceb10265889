from django.urls import path

from public import export_views, suggestion_views, views

app_name = "catalogue"

urlpatterns = [
    path("", views.home, name="home"),
    path("actions/", views.sheet_list, name="sheet-list"),
    path("donnees-ouvertes/", views.open_data_page, name="open-data"),
    path("donnees-ouvertes/<slug:fmt>/", views.open_data_file, name="open-data-file"),
    path("actions/export.csv", export_views.export_csv, name="export-csv"),
    path("actions/export.xlsx", export_views.export_xlsx, name="export-xlsx"),
    path("actions/export.json", export_views.export_json, name="export-json"),
    path("actions/export.jsonl", export_views.export_jsonl, name="export-jsonl"),
    path("actions/export.pdf", export_views.booklet_pdf, name="export-pdf"),
    path("actions/exports/", export_views.start_export_job, name="export-job-start"),
    path("actions/exports/<uuid:pk>/", export_views.export_job, name="export-job"),
    path("actions/exports/<uuid:pk>/fichier", export_views.export_job_file, name="export-job-file"),
    path("actions/suggestions/", suggestion_views.suggestions, name="suggestions"),
    path("actions/filtres/<slug:name>/", views.facet_values, name="facet-values"),
    path("actions/feed.atom", export_views.feed_atom, name="feed-atom"),
    path("actions/<int:pk>-<slug:slug>/pdf", export_views.sheet_pdf, name="sheet-pdf"),
    path("actions/<int:pk>-<slug:slug>/", views.sheet_detail, name="sheet-detail"),
    path("structures/", views.structure_list, name="structure-list"),
    # A shared short link (/actions/42/ or /actions/42) leads to the sheet.
    path("actions/<int:pk>/", views.sheet_short_link, name="sheet-short-link"),
    path("structures/<int:pk>-<slug:slug>/", views.structure_detail, name="structure-detail"),
    path("departements/<str:code>/", views.departement_detail, name="departement-detail"),
    path("fichiers/<int:pk>/", views.attachment_download, name="attachment-download"),
]
