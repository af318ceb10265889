"""People and their work: users (e-mail login), memberships, moderator territories, revisions."""

import secrets

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("L'adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None
    email = models.EmailField("adresse électronique", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = "utilisateur"

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class Membership(models.Model):
    """A contributor of a structure: may write and submit that structure's sheets."""

    user = models.ForeignKey(
        User, verbose_name="utilisateur", on_delete=models.CASCADE, related_name="memberships"
    )
    structure = models.ForeignKey(
        "catalogue.Structure",
        verbose_name="structure",
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    created_at = models.DateTimeField("depuis le", default=timezone.now)

    class Meta:
        verbose_name = "contributeur d'une structure"
        verbose_name_plural = "contributeurs des structures"
        constraints = [
            models.UniqueConstraint(fields=["user", "structure"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.structure}"


class ModeratorTerritory(models.Model):
    """A moderator reviews the sheets of one département or of a whole région."""

    user = models.ForeignKey(
        User,
        verbose_name="modérateur",
        on_delete=models.CASCADE,
        related_name="moderated_territories",
    )
    departement = models.ForeignKey(
        "catalogue.Departement",
        verbose_name="département",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    region = models.ForeignKey(
        "catalogue.Region",
        verbose_name="région",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "territoire de modération"
        verbose_name_plural = "territoires de modération"
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(departement__isnull=False, region__isnull=True)
                    | models.Q(departement__isnull=True, region__isnull=False)
                ),
                name="moderator_territory_one_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.departement or self.region}"


class JoinRequest(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "En attente"
        ACCEPTED = "accepted", "Acceptée"
        REFUSED = "refused", "Refusée"

    user = models.ForeignKey(
        User, verbose_name="demandeur", on_delete=models.CASCADE, related_name="join_requests"
    )
    structure = models.ForeignKey(
        "catalogue.Structure",
        verbose_name="structure",
        on_delete=models.CASCADE,
        related_name="join_requests",
    )
    message = models.TextField("message", blank=True)
    state = models.CharField("état", max_length=10, choices=State, default=State.PENDING)
    created_at = models.DateTimeField("demandée le", default=timezone.now)
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)

    class Meta:
        verbose_name = "demande pour rejoindre une structure"
        verbose_name_plural = "demandes pour rejoindre une structure"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.user} → {self.structure}"


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    """An e-mail invitation to contribute to a structure; the link holds a secret token."""

    email = models.EmailField("adresse électronique")
    structure = models.ForeignKey(
        "catalogue.Structure",
        verbose_name="structure",
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("envoyée le", default=timezone.now)
    accepted_at = models.DateTimeField("acceptée le", null=True, blank=True)

    class Meta:
        verbose_name = "invitation"
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.email} → {self.structure}"


class PendingEdit(models.Model):
    """The edit of a published sheet, kept aside until a moderator publishes it.

    `data` is a sheet snapshot (see contrib.editing.snapshot); the published row stays untouched.
    """

    class State(models.TextChoices):
        DRAFT = "draft", "Brouillon"
        SUBMITTED = "submitted", "En attente de relecture"
        RETURNED = "returned", "Renvoyée à l'auteur"

    sheet = models.OneToOneField(
        "catalogue.ActionSheet",
        verbose_name="fiche",
        on_delete=models.CASCADE,
        related_name="pending_edit",
    )
    data = models.JSONField("contenu proposé", default=dict)
    state = models.CharField("état", max_length=10, choices=State, default=State.DRAFT)
    author = models.ForeignKey(
        User, verbose_name="auteur", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    comment = models.TextField("commentaire du modérateur", blank=True)
    created_at = models.DateTimeField("commencée le", default=timezone.now)
    updated_at = models.DateTimeField("modifiée le", default=timezone.now)

    class Meta:
        verbose_name = "modification en attente"
        verbose_name_plural = "modifications en attente"

    def __str__(self) -> str:
        return f"Modification de « {self.sheet} »"


class Autosave(models.Model):
    """The last automatic save of a person's edit form: raw form data, restored on return."""

    sheet = models.ForeignKey(
        "catalogue.ActionSheet", on_delete=models.CASCADE, related_name="autosaves"
    )
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(default=dict)
    base_version = models.PositiveIntegerField(default=1)
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "enregistrement automatique"
        verbose_name_plural = "enregistrements automatiques"
        constraints = [models.UniqueConstraint(fields=["sheet", "author"], name="autosave_unique")]

    def __str__(self) -> str:
        return f"Brouillon automatique de « {self.sheet} » ({self.author})"


class Revision(models.Model):
    """One saved version of a sheet: who, when, what changed, and the full content to restore."""

    class Kind(models.TextChoices):
        BASELINE = "baseline", "Version d'origine"
        CREATED = "created", "Création"
        SAVED = "saved", "Enregistrement"
        SUBMITTED = "submitted", "Soumission à relecture"
        PUBLISHED = "published", "Publication"
        RETURNED = "returned", "Renvoi à l'auteur"
        ARCHIVED = "archived", "Archivage"
        RESTORED = "restored", "Restauration"
        MERGED = "merged", "Fusion"
        CONFLICT = "conflict", "Enregistrement refusé (conflit)"

    sheet = models.ForeignKey(
        "catalogue.ActionSheet",
        verbose_name="fiche",
        on_delete=models.CASCADE,
        related_name="revisions",
    )
    kind = models.CharField("action", max_length=10, choices=Kind)
    # The sheet's `version` right after this revision (the version a conflict was based on).
    version = models.PositiveIntegerField("version")
    author = models.ForeignKey(
        User, verbose_name="par", on_delete=models.SET_NULL, null=True, related_name="revisions"
    )
    created_at = models.DateTimeField("le", default=timezone.now, db_index=True)
    data = models.JSONField("contenu", default=dict)
    changed_fields = models.JSONField("champs modifiés", default=list)
    publication_status = models.CharField("état de publication", max_length=12, blank=True)
    # True when `data` is the edit of a published sheet, not the published content.
    is_pending = models.BooleanField("modification en attente", default=False)
    comment = models.TextField("commentaire", blank=True)
    merged_into = models.ForeignKey(
        "catalogue.ActionSheet",
        verbose_name="fusionnée dans",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "version d'une fiche"
        verbose_name_plural = "versions des fiches"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.sheet} · {self.get_kind_display()} · {self.created_at:%d/%m/%Y %H:%M}"
