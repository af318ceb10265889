"""Every "who may do what" rule of Essaimage, in one place (STYLE.md, "permissions in one place").

Rules are querysets first, so lists, search, detail pages and the API cannot disagree.
Roles:
- administrator: `user.is_superuser`, may do everything;
- moderator: has `ModeratorTerritory` rows (a département, or a whole région); reviews,
  publishes, returns, archives, restores and merges the sheets of structures of that territory,
  edits them too, manages the members of those structures; any moderator reviews vocabulary
  and reads the search thesaurus;
- the search thesaurus serves every search in France: national administrators alone edit it;
- contributor: has `Membership` rows; sees, writes and submits the sheets of their structures
  (drafts included) and accepts join requests and sends invitations for those structures;
- anybody else sees published sheets only.
Views answer 404 to people who may not see an object, 403 to those who may see but not act.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404

from catalogue.models import ActionSheet, Departement, PublicationStatus, Structure
from contrib.models import JoinRequest, Membership, ModeratorTerritory, PendingEdit, Revision, User


def _is_user(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_admin(user) -> bool:
    return _is_user(user) and user.is_superuser


def moderated_departements(user) -> QuerySet[Departement]:
    """Départements `user` moderates: listed ones plus every département of listed régions."""
    if not _is_user(user):
        return Departement.objects.none()
    if user.is_superuser:
        return Departement.objects.all()
    territories = ModeratorTerritory.objects.filter(user=user)
    return Departement.objects.filter(
        Q(code__in=territories.exclude(departement=None).values("departement"))
        | Q(region__in=territories.exclude(region=None).values("region"))
    )


def is_moderator(user) -> bool:
    if not _is_user(user):
        return False
    return user.is_superuser or ModeratorTerritory.objects.filter(user=user).exists()


def member_structures(user) -> QuerySet[Structure]:
    """Structures `user` is a contributor of."""
    if not _is_user(user):
        return Structure.objects.none()
    return Structure.objects.filter(memberships__user=user)


def manageable_structures(user) -> QuerySet[Structure]:
    """Structures whose sheets and members `user` may manage (create sheets, invite, accept)."""
    if not _is_user(user):
        return Structure.objects.none()
    if user.is_superuser:
        return Structure.objects.all()
    return Structure.objects.filter(
        Q(Exists(Membership.objects.filter(user=user, structure=OuterRef("pk"))))
        | Q(departement__in=moderated_departements(user))
    )


def editable_sheets(user) -> QuerySet[ActionSheet]:
    """Sheets `user` may see in every state (drafts included), edit and submit."""
    if not _is_user(user):
        return ActionSheet.objects.none()
    if user.is_superuser:
        return ActionSheet.objects.all()
    return ActionSheet.objects.filter(
        Q(Exists(Membership.objects.filter(user=user, structure=OuterRef("structure"))))
        | Q(structure__departement__in=moderated_departements(user))
    )


def draft_visible_sheets(user) -> QuerySet[ActionSheet]:
    """Sheets whose drafts, pending edits and history `user` may see: the editable ones."""
    return editable_sheets(user)


def viewable_sheets(user) -> QuerySet[ActionSheet]:
    """Published sheets for everybody, plus every sheet `user` may edit."""
    published = Q(publication_status=PublicationStatus.PUBLISHED)
    if not _is_user(user):
        return ActionSheet.objects.filter(published)
    return ActionSheet.objects.filter(published | Q(pk__in=editable_sheets(user).values("pk")))


def reviewable_sheets(user) -> QuerySet[ActionSheet]:
    """Sheets `user` may publish, return, archive, restore and merge: their territory's."""
    if not _is_user(user):
        return ActionSheet.objects.none()
    if user.is_superuser:
        return ActionSheet.objects.all()
    return ActionSheet.objects.filter(structure__departement__in=moderated_departements(user))


def reviewed_departements(user) -> list[str] | None:
    """Codes of the départements of `reviewable_sheets(user)`; None: every sheet (an
    administrator's, sheets of structures without département included). For tables that
    point at sheets and filter through joins (discovery.duplicates.stored_pairs)."""
    if _is_user(user) and user.is_superuser:
        return None
    return list(moderated_departements(user).values_list("code", flat=True))


def review_queue(user) -> QuerySet[ActionSheet]:
    """Sheets of `user`'s territory waiting for review, oldest submission first."""
    last_submission = (
        Revision.objects.filter(sheet=OuterRef("pk"), kind=Revision.Kind.SUBMITTED)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    return (
        reviewable_sheets(user)
        .filter(
            Q(publication_status=PublicationStatus.SUBMITTED)
            | Q(pending_edit__state=PendingEdit.State.SUBMITTED)
        )
        .select_related("structure__departement", "pending_edit")
        .annotate(submitted_at=Subquery(last_submission))
        .order_by("submitted_at", "pk")
    )


def pending_join_requests(user) -> QuerySet[JoinRequest]:
    """Join requests `user` may accept or refuse."""
    return JoinRequest.objects.filter(
        state=JoinRequest.State.PENDING, structure__in=manageable_structures(user)
    ).select_related("user", "structure__departement")


def structure_members(structure: Structure) -> QuerySet[User]:
    return User.objects.filter(memberships__structure=structure, is_active=True)


def moderators_of(structure: Structure) -> QuerySet[User]:
    """Moderators whose territory covers `structure` (administrators excluded)."""
    if not structure.departement_id:
        return User.objects.none()
    return User.objects.filter(
        Q(moderated_territories__departement_id=structure.departement_id)
        | Q(moderated_territories__region_id=structure.departement.region_id),
        is_active=True,
    ).distinct()


# Boolean questions, each answered by the querysets above.


def can_view_draft(user, sheet: ActionSheet) -> bool:
    return draft_visible_sheets(user).filter(pk=sheet.pk).exists()


def can_edit(user, sheet: ActionSheet) -> bool:
    return (
        sheet.publication_status != PublicationStatus.ARCHIVED
        and editable_sheets(user).filter(pk=sheet.pk).exists()
    )


def can_submit(user, sheet: ActionSheet) -> bool:
    return can_edit(user, sheet)


def can_review(user, sheet: ActionSheet) -> bool:
    """Publish, return, archive, restore a version, merge: the moderator's actions."""
    return reviewable_sheets(user).filter(pk=sheet.pk).exists()


can_publish = can_return = can_archive = can_restore = can_review


def can_merge(user, duplicate: ActionSheet, target: ActionSheet) -> bool:
    return duplicate.pk != target.pk and (
        reviewable_sheets(user).filter(pk__in=[duplicate.pk, target.pk]).count() == 2
    )


def can_attach_structure(user, sheet: ActionSheet, structure: Structure) -> bool:
    """Attach a sheet imported without its structure ("structure non précisée") to a
    structure: a moderator of that structure's territory (or an administrator)."""
    if not sheet.structure.is_unspecified or structure.is_unspecified:
        return False
    if is_admin(user):
        return True
    return (
        structure.departement_id is not None
        and moderated_departements(user).filter(code=structure.departement_id).exists()
    )


def can_manage_vocabulary(user) -> bool:
    return is_moderator(user)


def can_read_thesaurus(user) -> bool:
    return is_moderator(user)


def can_manage_thesaurus(user) -> bool:
    """Add, change or delete thesaurus groups: national, so administrators only."""
    return is_admin(user)


def can_create_sheet(user, structure: Structure) -> bool:
    return manageable_structures(user).filter(pk=structure.pk).exists()


def can_manage_members(user, structure: Structure) -> bool:
    return manageable_structures(user).filter(pk=structure.pk).exists()


# Fetchers for views: 404 for people who may not see, 403 for those who may see but not act.


def sheet_to_view(user, pk: int) -> ActionSheet:
    return get_object_or_404(draft_visible_sheets(user).select_related("structure"), pk=pk)


def sheet_to_edit(user, pk: int) -> ActionSheet:
    sheet = sheet_to_view(user, pk)
    if not can_edit(user, sheet):
        raise PermissionDenied("Cette fiche ne peut pas être modifiée.")
    return sheet


def sheet_to_review(user, pk: int) -> ActionSheet:
    sheet = sheet_to_view(user, pk)
    if not can_review(user, sheet):
        raise PermissionDenied("Seul un modérateur de ce territoire peut faire cela.")
    return sheet


def structure_to_manage(user, pk: int) -> Structure:
    structure = get_object_or_404(Structure.objects.select_related("departement"), pk=pk)
    if not can_manage_members(user, structure):
        raise Http404("Structure introuvable.")
    return structure


def require_thesaurus_reader(user) -> None:
    if not can_read_thesaurus(user):
        raise PermissionDenied("Seuls les modérateurs consultent le thésaurus.")


def require_thesaurus_manager(user) -> None:
    if not can_manage_thesaurus(user):
        raise PermissionDenied(
            "Le thésaurus vaut pour toutes les recherches de France : seuls les administrateurs "
            "nationaux le modifient."
        )


def require_vocabulary_manager(user) -> None:
    if not can_manage_vocabulary(user):
        raise PermissionDenied("Seuls les modérateurs revoient les vocabulaires.")


# Operations (issue 25): the "Tâches" page of scheduled jobs is for national administrators.


def can_view_operations(user) -> bool:
    return is_admin(user)


def require_operations_viewer(user) -> None:
    if not can_view_operations(user):
        raise PermissionDenied("Seuls les administrateurs nationaux voient les tâches planifiées.")


# Portals (portals app, issue #24): public pages; their administrators (PortalAdministrator
# rows) edit them, see their history and their numbers; Essaimage administrators edit every one.
def administered_portals(user) -> QuerySet:
    from portals.models import Portal

    if not _is_user(user):
        return Portal.objects.none()
    if user.is_superuser:
        return Portal.objects.all()
    return Portal.objects.filter(administrators__user=user)


def can_edit_portal(user, portal) -> bool:
    return administered_portals(user).filter(pk=portal.pk).exists()


def require_portal_editor(user, portal) -> None:
    """403 for people who may see the (public) portal but not edit it."""
    if not can_edit_portal(user, portal):
        raise PermissionDenied("Seuls les administrateurs de ce portail peuvent le modifier.")
