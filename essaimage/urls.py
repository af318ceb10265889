from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from contrib import discovery_urls, figures_urls
from contrib import views as contrib_views
from essaimage import views
from public import alert_urls, stats_urls

admin.site.site_header = "Administration d'Essaimage"
admin.site.site_title = "Essaimage"
admin.site.index_title = "Gestion du catalogue"

handler404 = "essaimage.errors.page_not_found"
handler500 = "essaimage.views.server_error"

urlpatterns = [
    # One login form for everybody, the throttled one (contrib.forms.LoginForm).
    path("admin/login/", contrib_views.admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    # The operator's pages: /exploitation/taches/ (scheduled jobs) and /metrics (Prometheus).
    path("", include("operations.urls")),
    path("compte/", include("contrib.account_urls")),
    path("contribuer/", include("contrib.urls")),
    # Pages over discovery and stats live in the web apps (public's for everyone, contrib's for
    # contributors and moderators) and keep the namespaces their URL names always had.
    path("", include((discovery_urls.urlpatterns + alert_urls.urlpatterns, "discovery"))),
    path("api/v1/", include("api.urls")),
    path("", include("public.urls")),
    path("", include((stats_urls.urlpatterns + figures_urls.urlpatterns, "stats"))),
    path("portails/", include("portals.urls")),
    # Last: information pages answer /SLUG/ for the slugs no other route took.
    path("", include("pages.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
