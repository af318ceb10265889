"""Sign-up with e-mail confirmation, without telling anyone whether an address has an account.

`sign_up` always ends the same way for the visitor ("a message is on its way"); the mailbox
learns the rest: a confirmation link for a new address (the account stays inactive until
then), or a reminder that an account already exists.
"""

from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from contrib import notify
from contrib.models import User


def confirmation_path(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("accounts:sign-up-confirm", kwargs={"uidb64": uid, "token": token})


@transaction.atomic
def sign_up(email: str, password: str, *, first_name: str = "", last_name: str = "") -> None:
    email = email.strip().lower()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is None:
        user = User.objects.create_user(
            email, password, first_name=first_name, last_name=last_name, is_active=False
        )
        notify.send("sign_up_confirm", [email], {"user": user, "path": confirmation_path(user)})
    elif not existing.is_active and existing.last_login is None:  # never confirmed: send again
        notify.send(
            "sign_up_confirm", [email], {"user": existing, "path": confirmation_path(existing)}
        )
    else:
        notify.send("sign_up_existing", [email], {"user": existing})


@transaction.atomic
def confirm(uidb64: str, token: str) -> User | None:
    """Activate the account the link was sent for; None if the link is wrong or used."""
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))))
    except (TypeError, ValueError, OverflowError, User.DoesNotExist):
        return None
    if user.last_login is not None or not default_token_generator.check_token(user, token):
        return None
    user.is_active = True
    user.save(update_fields=["is_active"])
    return user
