"""Who belongs to a structure: join requests, invitations, memberships.

Permissions are the caller's job (`contrib.access.can_manage_members`).
"""

from django.db import transaction
from django.utils import timezone

from catalogue.models import Structure
from contrib import access, notify
from contrib.editing import WorkflowError
from contrib.models import Invitation, JoinRequest, Membership, User


def add_member(user: User, structure: Structure) -> Membership:
    membership, _ = Membership.objects.get_or_create(user=user, structure=structure)
    return membership


@transaction.atomic
def request_join(user: User, structure: Structure, message: str = "") -> JoinRequest:
    """Ask to contribute to `structure`; its members and moderators are told by e-mail."""
    if Membership.objects.filter(user=user, structure=structure).exists():
        raise WorkflowError("Vous contribuez déjà à cette structure.")
    if JoinRequest.objects.filter(
        user=user, structure=structure, state=JoinRequest.State.PENDING
    ).exists():
        raise WorkflowError("Votre demande pour cette structure attend déjà une réponse.")
    join = JoinRequest.objects.create(user=user, structure=structure, message=message.strip())
    deciders = {
        *access.structure_members(structure).values_list("email", flat=True),
        *access.moderators_of(structure).values_list("email", flat=True),
    }
    notify.send("join_request", deciders, {"join": join})
    return join


@transaction.atomic
def decide_join_request(join: JoinRequest, decider: User, *, accept: bool) -> JoinRequest:
    """Accept (membership created) or refuse a pending request; the requester is told."""
    join = JoinRequest.objects.select_for_update().get(pk=join.pk)
    if join.state != JoinRequest.State.PENDING:
        raise WorkflowError("Cette demande a déjà reçu une réponse.")
    join.state = JoinRequest.State.ACCEPTED if accept else JoinRequest.State.REFUSED
    join.decided_by = decider
    join.decided_at = timezone.now()
    join.save()
    if accept:
        add_member(join.user, join.structure)
    notify.send("join_decision", [join.user.email], {"join": join})
    return join


@transaction.atomic
def invite(email: str, structure: Structure, invited_by: User) -> Invitation:
    """E-mail a link that makes its holder a contributor of `structure`."""
    invitation = Invitation.objects.create(
        email=email.strip().lower(), structure=structure, invited_by=invited_by
    )
    notify.send("invitation", [invitation.email], {"invitation": invitation})
    return invitation


@transaction.atomic
def accept_invitation(invitation: Invitation, user: User) -> Membership:
    """Use an invitation once; the person becomes a contributor of its structure."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise WorkflowError("Cette invitation a déjà été utilisée.")
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return add_member(user, invitation.structure)


CONTACT_FIELDS = ("address", "postcode", "commune", "phone", "email", "website")


def update_contact(structure: Structure, data: dict) -> list[str]:
    """Save the public contact details of `structure` (members and moderators may: see
    `contrib.access.can_manage_members`); returns the names of the fields that changed."""
    changed = [f for f in CONTACT_FIELDS if f in data and getattr(structure, f) != data[f]]
    for name in changed:
        setattr(structure, name, data[name])
    # Given through this form, the address is published unless the structure hides it (an
    # address from the SENACS directory may name a person).
    public = bool(structure.email) and not data.get("hide_email", False)
    if "email" in data and structure.email_is_public != public:
        structure.email_is_public = public
        changed.append("email_is_public")
    if {"email", "email_is_public"} & set(changed) and not structure.contact_edited:
        # The structure's own choice: a later SENACS import leaves the e-mail alone.
        structure.contact_edited = True
        changed.append("contact_edited")
    if changed:
        structure.save(update_fields=[*changed, "updated_at"])
    return changed
