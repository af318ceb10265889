from django.contrib.auth import views as auth_views
from django.urls import path

from contrib import views

app_name = "accounts"

urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("inscription/", views.sign_up, name="sign-up"),
    path("inscription/envoye/", views.sign_up_sent, name="sign-up-sent"),
    path("inscription/<uidb64>/<token>/", views.sign_up_confirm, name="sign-up-confirm"),
    path("mot-de-passe/", views.PasswordResetView.as_view(), name="password-reset"),
    path(
        "mot-de-passe/envoye/",
        auth_views.PasswordResetDoneView.as_view(template_name="contrib/password_reset_done.html"),
        name="password-reset-done",
    ),
    path(
        "mot-de-passe/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "mot-de-passe/termine/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="contrib/password_reset_complete.html"
        ),
        name="password-reset-complete",
    ),
    path("invitation/<str:token>/", views.accept_invitation, name="accept-invitation"),
]
