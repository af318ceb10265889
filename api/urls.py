from django.urls import path

from api import account_views, writing  # noqa: F401  (writing registers the write endpoints)
from api.views import api

urlpatterns = [
    path("jetons/", account_views.token_list, name="api-tokens"),
    path("jetons/<int:pk>/revoquer/", account_views.revoke_token, name="api-token-revoke"),
    path("", api.urls),
]
