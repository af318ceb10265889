"""The nouns of the catalogue: territories, structures, vocabularies and action sheets (PRODUCT §2–§3)."""

import uuid

from django.db import IntegrityError, models, transaction
from django.db.models import Case, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from catalogue.display import display_label
from essaimage.lib.text import normalize_key


class Region(models.Model):
    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)

    class Meta:
        verbose_name = "région"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Departement(models.Model):
    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)
    # Overseas collectivities (Saint-Martin, Polynésie…) belong to no région.
    region = models.ForeignKey(
        Region,
        verbose_name="région",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="departements",
    )
    population = models.PositiveIntegerField("population", default=0)

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("catalogue:departement-detail", args=[self.code])


def vocabulary_code(label: str) -> str:
    """The code (`value`) a new label gets: its slug ("Famille!" and "famille" give "famille")."""
    return slugify(label)[:120] or normalize_key(label).replace(" ", "-")[:120]


class VocabularyQuerySet(models.QuerySet):
    def matching(self, label: str):
        """The value whose label matches `label`, tolerant of case, accents and spacing, or
        whose code is the one `label` would get (punctuation aside): the same key first."""
        key = normalize_key(label)
        return self.filter(Q(key=key) | Q(value=vocabulary_code(label))).order_by(
            Case(When(key=key, then=Value(0)), default=Value(1)), "position", "label"
        )

    def propose(self, label: str) -> tuple["Vocabulary", bool]:
        """The matching value, or a new one flagged for review (PRODUCT §3); (value, created).
        Two people proposing the same label at once get the same row."""
        found = self.matching(label).first()
        if found is not None:
            return found, False
        try:
            with transaction.atomic():
                return self.create(label=label, needs_review=True, position=999), True
        except IntegrityError:
            found = self.matching(label).first()
            if found is None:
                raise
            return found, False


class Vocabulary(models.Model):
    """A value/label row of an editable vocabulary (as DORA's EnumModel)."""

    value = models.SlugField("code", max_length=120, unique=True)
    label = models.CharField("libellé", max_length=200)
    # Matching key of the label: see essaimage.lib.text.normalize_key.
    key = models.CharField(max_length=200, unique=True, editable=False)
    position = models.PositiveSmallIntegerField("ordre", default=0)
    needs_review = models.BooleanField(
        "à vérifier",
        default=False,
        help_text="Valeur apportée par un import ou proposée par un contributeur, pas encore revue.",
    )
    created_at = models.DateTimeField("créée le", default=timezone.now, editable=False)

    objects = VocabularyQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["position", "label"]

    def __str__(self) -> str:
        return self.label

    @property
    def display_label(self) -> str:
        """The label as pages show it (catalogue.display); `label` stays as stored."""
        return display_label(self.label)

    def save(self, *args, **kwargs):
        self.key = normalize_key(self.label)
        if not self.value:
            self.value = vocabulary_code(self.label)
        super().save(*args, **kwargs)


class ActionStatus(Vocabulary):
    class Meta(Vocabulary.Meta):
        verbose_name = "statut de l'action"
        verbose_name_plural = "statuts de l'action"


class Dimension(Vocabulary):
    class Meta(Vocabulary.Meta):
        verbose_name = "dimension"


class Keyword(Vocabulary):
    class Meta(Vocabulary.Meta):
        verbose_name = "mot clé"
        verbose_name_plural = "mots clés"


class Initiator(Vocabulary):
    class Meta(Vocabulary.Meta):
        verbose_name = "initiateur"


class Territory(Vocabulary):
    class Meta(Vocabulary.Meta):
        verbose_name = "territoire concerné"
        verbose_name_plural = "territoires concernés"


class Public(Vocabulary):
    class Meta(Vocabulary.Meta):
        verbose_name = "public"


class PartnerKind(Vocabulary):
    class Meta(Vocabulary.Meta):
        verbose_name = "type de partenaire"
        verbose_name_plural = "types de partenaires"


class StructureQuerySet(models.QuerySet):
    def in_directory(self):
        """Structures shown in the directory and the API: those of the SENACS directory (with
        or without sheets) and those with published sheets; not those known only through
        unpublished drafts, nor the holder of sheets without structure."""
        return self.exclude(is_unspecified=True).filter(
            ~Q(senacs_url="")
            | Q(
                pk__in=ActionSheet.objects.filter(
                    publication_status=PublicationStatus.PUBLISHED
                ).values("structure_id")
            )
        )


class Structure(models.Model):
    class Type(models.TextChoices):
        CENTRE_SOCIAL = "cs", "Centre social"
        EVS = "evs", "Espace de vie sociale"
        OTHER = "other", "Autre"

    class ManagementMode(models.TextChoices):
        ASSOCIATIVE = "associatif", "Associatif"
        LOCAL_AUTHORITY = "collectivite", "Collectivité locale"
        CAF = "caf", "Caf (gestion directe)"
        OTHER = "autres", "Autres (dont délégation de gestion)"

    class Setting(models.TextChoices):
        URBAN = "urbain", "Urbain"
        RURAL = "rural", "Rural"

    name = models.CharField("nom", max_length=300)
    type = models.CharField("type", max_length=10, choices=Type, default=Type.OTHER)
    # Null only when an import met a département name it could not resolve (reported, not lost).
    departement = models.ForeignKey(
        Departement,
        verbose_name="département",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="structures",
    )
    address = models.CharField("adresse", max_length=300, blank=True)
    postcode = models.CharField("code postal", max_length=10, blank=True)
    commune = models.CharField("commune", max_length=150, blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    website = models.URLField("site internet", blank=True)
    email = models.EmailField("courriel de contact", blank=True)
    # Set when the structure gave the e-mail for publication (its contact form says so); an
    # address from elsewhere may name a person and stays unpublished (PRODUCT §3).
    email_is_public = models.BooleanField("courriel publiable", default=False)
    siret = models.CharField("SIRET", max_length=14, blank=True)
    management_mode = models.CharField(
        "mode de gestion", max_length=20, choices=ManagementMode, blank=True
    )
    setting = models.CharField("territoire", max_length=10, choices=Setting, blank=True)
    is_qpv = models.BooleanField("en quartier prioritaire (QPV)", null=True, blank=True)
    is_federation_member = models.BooleanField("adhérent à la fédération", null=True, blank=True)
    # The SENACS directory's "Fiche identité" (ingest.senacs_pages): kept as SENACS words it.
    commune_code = models.CharField("code commune INSEE", max_length=5, blank=True)
    first_agrement = models.DateField("date du 1er agrément", null=True, blank=True)
    population = models.PositiveIntegerField(
        "population de la zone de compétence", null=True, blank=True
    )
    # Up to five texts, "Axe 1" to "Axe 5" of the current project (empty axes not kept).
    project_axes = models.JSONField("axes du projet en cours", default=list, blank=True)
    history = models.TextField("historique", blank=True)
    territory_type = models.CharField(
        "type de territoire d'intervention", max_length=150, blank=True
    )
    territory_size = models.CharField(
        "taille du territoire d'intervention", max_length=150, blank=True
    )
    priority_geography = models.CharField("géographie prioritaire", max_length=200, blank=True)
    other_federation = models.CharField("autre fédération", max_length=200, blank=True)
    is_travellers = models.BooleanField("structure « gens du voyage »", null=True, blank=True)
    is_multi_site = models.BooleanField("structure multi-sites / éclatée", null=True, blank=True)
    is_itinerant = models.BooleanField("structure itinérante", null=True, blank=True)
    senacs_url = models.URLField("adresse SENACS", max_length=300, blank=True)
    # Set when a contributor of the structure changed or hid its e-mail: imports leave it be.
    contact_edited = models.BooleanField("coordonnées modifiées par la structure", default=False)
    # SENACS cards were copied page by page; a copy cut mid-card keeps what was read.
    card_incomplete = models.BooleanField("fiche identité incomplète", default=False)
    # The one structure that holds archived SENACS sheets whose structure was not given; a
    # moderator attaches them to their structure (contrib.moderation.attach_structure).
    is_unspecified = models.BooleanField("structure non précisée", default=False, editable=False)
    created_at = models.DateTimeField("créée le", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    objects = StructureQuerySet.as_manager()

    class Meta:
        verbose_name = "structure"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "departement"], name="structure_unique_name")
        ]
        # api.caching.last_change reads the latest date on every API read.
        indexes = [models.Index(fields=["-updated_at"], name="structure_updated_at")]

    def __str__(self) -> str:
        if self.departement_id:
            return f"{self.name} - {self.departement.name}"
        return self.name

    @property
    def slug(self) -> str:
        return slugify(self.name)[:80] or "structure"

    def get_absolute_url(self) -> str:
        return reverse("catalogue:structure-detail", args=[self.pk, self.slug])

    @property
    def public_email(self) -> str:
        return self.email if self.email_is_public else ""

    UNSPECIFIED_NAME = "Structure non précisée"

    @classmethod
    def unspecified(cls) -> "Structure":
        """The one structure holding the archived sheets whose structure SENACS did not give."""
        found = cls.objects.filter(is_unspecified=True).first()
        if found is None:
            found = cls.objects.create(
                name=cls.UNSPECIFIED_NAME, is_unspecified=True, type=cls.Type.OTHER
            )
        return found

    @property
    def card_fields_known(self) -> bool:
        """Whether the directory card says more than the name and the place."""
        return bool(
            self.first_agrement
            or self.population
            or self.project_axes
            or self.management_mode
            or self.territory_type
        )


class TerritoryRelay(models.Model):
    """Who answers for a département when a structure gave no contact (a fédération or a CAF),
    entered by administrators: the visitor is never left without a person to write to."""

    class Kind(models.TextChoices):
        FEDERATION = "federation", "Fédération des centres sociaux"
        CAF = "caf", "Caf"
        OTHER = "other", "Autre"

    departement = models.ForeignKey(
        Departement,
        verbose_name="département",
        on_delete=models.CASCADE,
        related_name="relays",
    )
    kind = models.CharField("type", max_length=12, choices=Kind, default=Kind.FEDERATION)
    name = models.CharField("nom", max_length=200)
    email = models.EmailField("courriel")
    phone = models.CharField("téléphone", max_length=30, blank=True)
    website = models.URLField("site internet", blank=True)

    class Meta:
        verbose_name = "relais du territoire"
        verbose_name_plural = "relais des territoires"
        ordering = ["departement", "kind", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.departement_id})"


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    SUBMITTED = "submitted", "En attente de relecture"
    RETURNED = "returned", "Renvoyée à l'auteur"
    PUBLISHED = "published", "Publiée"
    ARCHIVED = "archived", "Archivée"


class Source(models.TextChoices):
    SENACS = "senacs", "Import SENACS"
    ESSAIMAGE = "essaimage", "Saisie sur Essaimage"
    API = "api", "API"
    BACKUP = "backup", "Restauration d'une sauvegarde"


class ActionSheetQuerySet(models.QuerySet):
    def published(self):
        return self.filter(publication_status=PublicationStatus.PUBLISHED)

    def with_relations(self):
        """Everything a card, a record or an export reads, in a fixed number of queries."""
        return self.select_related(
            "structure__departement__region", "status", "dimension", "territory"
        ).prefetch_related(
            "keywords",
            "initiators",
            "publics",
            "action_partners",
            "financial_partners",
            models.Prefetch(
                "attachments", queryset=Attachment.objects.filter(removed_at__isnull=True)
            ),
        )


class ActionSheet(models.Model):
    """A "fiche action". Field order and verbose names follow the SENACS sheet (PRODUCT §2)."""

    title = models.CharField("titre", max_length=300)
    structure = models.ForeignKey(
        Structure,
        verbose_name="Structure organisatrice",
        on_delete=models.PROTECT,
        related_name="sheets",
    )
    status = models.ForeignKey(
        ActionStatus,
        verbose_name="Statut de l'action",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sheets",
    )
    end_reason = models.TextField("Raisons pour lesquelles l'action est terminée", blank=True)
    dimension = models.ForeignKey(
        Dimension,
        verbose_name="Dimension",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sheets",
    )
    keywords = models.ManyToManyField(
        Keyword, verbose_name="Mots clés associés à l'action", blank=True, related_name="sheets"
    )
    summary = models.TextField("Résumé", blank=True)
    initiators = models.ManyToManyField(
        Initiator,
        verbose_name="Qui est à l'initiative de l'action ?",
        blank=True,
        related_name="sheets",
    )
    # SENACS prints "Précision ( si autre )"; the parser keeps that spelling (ingest.senacs).
    initiators_detail = models.TextField("Précision (si autre)", blank=True)
    territory = models.ForeignKey(
        Territory,
        verbose_name="Territoire concerné",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sheets",
    )
    experience = models.TextField(
        "Description de l'expérience, ses objectifs, ses acteurs et ses différentes phases.",
        blank=True,
    )
    publics = models.ManyToManyField(
        Public, verbose_name="Public", blank=True, related_name="sheets"
    )
    action_partners = models.ManyToManyField(
        PartnerKind,
        verbose_name="Partenaires d'action",
        blank=True,
        related_name="sheets_as_action_partner",
    )
    financial_partners = models.ManyToManyField(
        PartnerKind,
        verbose_name="Partenaires financiers",
        blank=True,
        related_name="sheets_as_financial_partner",
    )
    description = models.TextField("Description générale", blank=True)
    financial_resources = models.TextField(
        "Ressources financières mobilisées pour cette action", blank=True
    )
    people_mobilized = models.TextField(
        "Nombre de personnes mobilisées pour cette action", blank=True
    )
    results_territory = models.TextField("Résultat sur le territoire", blank=True)
    results_centre = models.TextField("Résultat pour le centre social", blank=True)
    results_residents = models.TextField("Résultat pour les habitants", blank=True)
    limits = models.TextField("Suite de l'action : Limites", blank=True)
    perspectives = models.TextField("Suite de l'action : Perspectives", blank=True)
    year = models.PositiveSmallIntegerField("Année", null=True, blank=True)

    # An archived SENACS sheet (/action/show/<id>, the older question set): its sections keep
    # their own labels, [{"label": ..., "text": ...}], never forced into the fields above.
    senacs_id = models.PositiveIntegerField("identifiant SENACS", null=True, blank=True)
    senacs_url = models.URLField("adresse SENACS", max_length=300, blank=True)
    is_senacs_archive = models.BooleanField("fiche archivée de SENACS", default=False)
    # "Publié par": a person's name, personal data shown to moderators only.
    published_by = models.CharField("publié par", max_length=200, blank=True)
    archive_themes = models.JSONField("thèmes (SENACS)", default=list, blank=True)
    archive_sections = models.JSONField("sections de la fiche archivée", default=list, blank=True)

    publication_status = models.CharField(
        "état de publication",
        max_length=12,
        choices=PublicationStatus,
        default=PublicationStatus.DRAFT,
        db_index=True,
    )
    source = models.CharField("origine", max_length=12, choices=Source, default=Source.ESSAIMAGE)
    # Stable identity of an imported sheet, so that re-importing updates instead of duplicating.
    source_ref = models.CharField("référence d'origine", max_length=64, blank=True, db_index=True)
    # Fingerprint of the content as last imported: a re-import only overwrites unedited sheets.
    source_hash = models.CharField(max_length=64, blank=True, editable=False)
    # Incremented on every save through the editing services: refuses concurrent overwrites.
    version = models.PositiveIntegerField("version", default=1)
    created_at = models.DateTimeField("créée le", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("modifiée le", default=timezone.now)
    published_at = models.DateTimeField("publiée le", null=True, blank=True)

    objects = ActionSheetQuerySet.as_manager()

    class Meta:
        verbose_name = "fiche action"
        verbose_name_plural = "fiches actions"
        ordering = ["title", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_ref"],
                condition=~models.Q(source_ref=""),
                name="sheet_unique_source_ref",
            )
        ]
        indexes = [
            models.Index(fields=["-published_at"], name="sheet_published_at"),
            # api.caching.last_change reads the latest date on every API read.
            models.Index(fields=["-updated_at"], name="sheet_updated_at"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def slug(self) -> str:
        return slugify(self.title)[:80] or "fiche"

    @property
    def is_published(self) -> bool:
        return self.publication_status == PublicationStatus.PUBLISHED

    @property
    def card_keywords(self) -> list:
        """The keywords a card lists: those a result page read for all its sheets at once
        (search.results.attach_card_keywords), else this sheet's."""
        attached = self.__dict__.get("attached_keywords")
        return list(self.keywords.all()) if attached is None else attached

    def get_absolute_url(self) -> str:
        return reverse("catalogue:sheet-detail", args=[self.pk, self.slug])


def attachment_path(attachment: "Attachment", filename: str) -> str:
    # The stored name is ours, never the uploader's: see Attachment.save.
    return f"fichiers/{timezone.now():%Y/%m}/{attachment.storage_name}"


class Attachment(models.Model):
    """A "Fichier associé" of a sheet; removal is soft so history can bring it back."""

    sheet = models.ForeignKey(
        ActionSheet, verbose_name="fiche", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("fichier", upload_to=attachment_path, max_length=255, blank=True)
    name = models.CharField("nom du fichier", max_length=255)
    storage_name = models.CharField(max_length=100, blank=True, editable=False)
    size = models.PositiveBigIntegerField("taille (octets)", default=0)
    content_type = models.CharField("type", max_length=100, blank=True)
    # Imported attachments may only be known by their SENACS address.
    source_url = models.URLField("adresse d'origine", blank=True, max_length=500)
    uploaded_at = models.DateTimeField("ajouté le", default=timezone.now)
    removed_at = models.DateTimeField("retiré le", null=True, blank=True)

    class Meta:
        verbose_name = "fichier associé"
        verbose_name_plural = "fichiers associés"
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def url(self) -> str:
        if self.file:
            return reverse("catalogue:attachment-download", args=[self.pk])
        return self.source_url


class ExportJob(models.Model):
    """An export prepared by the job worker (public.export_jobs): the catalogue view it
    exports (its query string), who asked (client address), how far it got, and the file."""

    class Status(models.TextChoices):
        QUEUED = "queued", "en attente"
        RUNNING = "running", "en préparation"
        READY = "ready", "prêt"
        FAILED = "failed", "échoué"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    format = models.CharField("format", max_length=8)
    querystring = models.TextField("filtres", blank=True)
    client = models.CharField("adresse du client", max_length=64, db_index=True)
    status = models.CharField(
        "état", max_length=8, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    done = models.PositiveIntegerField("fiches traitées", default=0)
    total = models.PositiveIntegerField("fiches", default=0)
    file_name = models.CharField("fichier", max_length=100, blank=True)
    size = models.PositiveBigIntegerField("taille (octets)", default=0)
    error = models.TextField("erreur", blank=True)
    created_at = models.DateTimeField("demandé le", default=timezone.now)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)
    expires_at = models.DateTimeField("disponible jusqu'au", null=True, blank=True)
    # Written every EXPORT_JOB_HEARTBEAT_SECONDS while a worker builds the file: a running job
    # whose heartbeat stops (worker killed) is retried once, then failed (recover_stalled).
    heartbeat_at = models.DateTimeField("dernier signe de vie", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("préparations commencées", default=0)

    class Meta:
        verbose_name = "export en arrière-plan"
        verbose_name_plural = "exports en arrière-plan"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.format} {self.created_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.READY, self.Status.FAILED)

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0
