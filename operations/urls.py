from django.urls import path

from operations import views

app_name = "operations"

urlpatterns = [
    path("exploitation/taches/", views.job_list, name="job-list"),
    path("metrics", views.metrics_view, name="metrics"),
]
