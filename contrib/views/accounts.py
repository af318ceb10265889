"""Accounts: sign-up, sign-in, password reset, invitations, the contributor's dashboard."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from catalogue.models import ActionSheet, PublicationStatus
from contrib import access, accounts, editing, members
from contrib.forms import (
    InvitationSignUpForm,
    LoginForm,
    SignUpForm,
)
from contrib.models import Invitation, JoinRequest, User
from essaimage.lib import limits
from essaimage.views import too_many_requests

# Accounts


INVITATION_VALIDITY = timedelta(days=14)


class LoginView(auth_views.LoginView):
    template_name = "contrib/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    """Throttled: PASSWORD_RESET_RATE requests per client address (429), and at most
    PASSWORD_RESET_EMAIL_RATE e-mails to one address (the page says the same either way)."""

    template_name = "contrib/password_reset.html"
    email_template_name = "contrib/email/password_reset.txt"
    subject_template_name = "contrib/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-done")

    @property
    def extra_email_context(self):
        # The link comes from SITE_URL, like every other absolute link (not the request's host).
        return {"site_url": settings.SITE_URL}

    def form_valid(self, form):
        wait = limits.hit(
            "password-reset", limits.client_address(self.request), settings.PASSWORD_RESET_RATE
        )
        if wait:
            return too_many_requests(
                self.request,
                wait,
                "Trop de demandes de nouveau mot de passe ont été faites depuis votre adresse.",
            )
        email = form.cleaned_data["email"].strip().lower()
        if limits.hit("password-reset-email", email, settings.PASSWORD_RESET_EMAIL_RATE):
            return redirect(self.success_url)  # enough e-mails sent to this address for now
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "contrib/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("contrib:dashboard")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = limits.hit("sign-up", limits.client_address(request), settings.SIGN_UP_RATE)
        if wait:
            return too_many_requests(
                request, wait, "Trop de comptes ont été demandés depuis votre adresse."
            )
        data = form.cleaned_data
        accounts.sign_up(
            data["email"],
            data["password1"],
            first_name=data["first_name"],
            last_name=data["last_name"],
        )
        # The same answer whether the address has an account or not (the e-mail differs).
        return redirect("accounts:sign-up-sent")
    return render(request, "contrib/sign_up.html", {"form": form})


@require_GET
def sign_up_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "contrib/sign_up_sent.html")


@require_GET
def sign_up_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    user = accounts.confirm(uidb64, token)
    if user is None:
        messages.error(
            request,
            "Ce lien de confirmation n'est plus valable (déjà utilisé ou trop ancien) : "
            "connectez-vous, ou inscrivez-vous à nouveau pour en recevoir un autre.",
        )
        return redirect("accounts:login")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(
        request, "Votre compte est activé. Demandez maintenant à rejoindre votre structure."
    )
    return redirect("contrib:join-structure")


@require_http_methods(["GET", "POST"])
def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin's login page is ours: one form for everybody, the throttled one."""
    if request.user.is_authenticated and not request.user.is_staff:
        raise PermissionDenied("Votre compte n'a pas accès à l'administration.")
    query = request.META.get("QUERY_STRING", "")
    return redirect(reverse("accounts:login") + (f"?{query}" if query else ""))


@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = get_object_or_404(
        Invitation.objects.select_related("structure"), token=token, accepted_at=None
    )
    if invitation.created_at < timezone.now() - INVITATION_VALIDITY:
        messages.error(request, "Cette invitation a expiré : demandez-en une nouvelle.")
        return redirect("catalogue:home")
    existing = User.objects.filter(email__iexact=invitation.email).first()
    user = request.user if request.user.is_authenticated else None
    if user is not None and user.email.lower() != invitation.email.lower():
        messages.error(
            request,
            f"Cette invitation a été envoyée à {invitation.email} : connectez-vous avec ce compte "
            "pour l'accepter.",
        )
        return redirect("contrib:dashboard")
    form = None
    if user is None and existing is not None:
        messages.info(request, "Connectez-vous avec votre compte pour accepter l'invitation.")
        return redirect(f"{reverse('accounts:login')}?next={request.path}")
    if user is None:
        form = InvitationSignUpForm(request.POST or None)
    if request.method == "POST" and (form is None or form.is_valid()):
        if user is None:
            user = User.objects.create_user(
                invitation.email,
                form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        try:
            members.accept_invitation(invitation, user)
        except editing.WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Vous contribuez maintenant à {invitation.structure.name}.")
        return redirect("contrib:dashboard")
    return render(request, "contrib/invitation.html", {"invitation": invitation, "form": form})


# Dashboard


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    sheets = (
        access.editable_sheets(user)
        .filter(
            Q(structure__memberships__user=user)
            | ~Q(publication_status=PublicationStatus.PUBLISHED)
            | Q(pending_edit__isnull=False)
        )
        .select_related("structure__departement", "pending_edit")
        .distinct()
        .order_by("-updated_at", "pk")[:200]
    )
    context = {
        "sheets": sheets,
        "structures": access.member_structures(user).select_related("departement"),
        "is_moderator": access.is_moderator(user),
        "queue_count": access.review_queue(user).count(),
        "join_requests": access.pending_join_requests(user),
        "my_requests": JoinRequest.objects.filter(
            user=user, state=JoinRequest.State.PENDING
        ).select_related("structure"),
        "territories": user.moderated_territories.select_related("departement", "region"),
        "can_create": access.manageable_structures(user).exists(),
        "is_admin": access.is_admin(user),
        "published_count": ActionSheet.objects.published().count() if user.is_superuser else 0,
    }
    return render(request, "contrib/dashboard.html", context)


# Writing a sheet
