from django.contrib import admin

from catalogue import models


@admin.register(models.Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


@admin.register(models.Departement)
class DepartementAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region"]
    list_filter = ["region"]
    search_fields = ["code", "name"]


class VocabularyAdmin(admin.ModelAdmin):
    list_display = ["label", "value", "position", "needs_review"]
    list_editable = ["position", "needs_review"]
    list_filter = ["needs_review"]
    search_fields = ["label", "value"]
    actions = ["mark_reviewed"]

    @admin.action(description="Marquer comme vérifiées")
    def mark_reviewed(self, request, queryset):
        queryset.update(needs_review=False)


for vocabulary in (
    models.ActionStatus,
    models.Dimension,
    models.Keyword,
    models.Initiator,
    models.Territory,
    models.Public,
    models.PartnerKind,
):
    admin.site.register(vocabulary, VocabularyAdmin)


@admin.register(models.Structure)
class StructureAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "departement", "commune"]
    list_filter = ["type", "card_incomplete", "departement__region"]
    search_fields = ["name", "commune", "siret"]
    autocomplete_fields = ["departement"]


@admin.register(models.TerritoryRelay)
class TerritoryRelayAdmin(admin.ModelAdmin):
    """The fédération or CAF a visitor is sent to when a structure gave no contact."""

    list_display = ["name", "kind", "departement", "email"]
    list_filter = ["kind"]
    search_fields = ["name", "departement__name", "departement__code"]
    autocomplete_fields = ["departement"]


class AttachmentInline(admin.TabularInline):
    """Read only: files are added and removed on the sheet's edit page (they are versioned)."""

    model = models.Attachment
    extra = 0
    fields = ["name", "file", "source_url", "size", "content_type", "removed_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.ActionSheet)
class ActionSheetAdmin(admin.ModelAdmin):
    list_display = ["title", "structure", "year", "publication_status", "source", "updated_at"]
    list_filter = ["publication_status", "source", "status", "dimension", "keywords"]
    search_fields = ["title", "structure__name"]
    autocomplete_fields = ["structure"]
    filter_horizontal = [
        "keywords",
        "initiators",
        "publics",
        "action_partners",
        "financial_partners",
    ]
    # Sheets are created on the site or through the API; the admin edits them through
    # contrib.moderation (a revision, a new version, the authors notified), never directly.
    readonly_fields = [
        "structure",
        "publication_status",
        "source",
        "source_ref",
        "senacs_id",
        "senacs_url",
        "is_senacs_archive",
        "published_by",
        "archive_themes",
        "archive_sections",
        "version",
        "created_at",
        "updated_at",
    ]
    inlines = [AttachmentInline]
    list_select_related = ["structure__departement"]

    def has_add_permission(self, request) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        """Nothing here: save_related writes the whole edit, relations included, at once."""

    def save_related(self, request, form, formsets, change):
        from contrib import editing, moderation

        data = {}
        for name in editing.FIELDS:
            if name not in form.cleaned_data:
                continue
            value = form.cleaned_data[name]
            if hasattr(value, "values_list"):  # many-to-many: a queryset
                value = list(value.values_list("pk", flat=True))
            elif hasattr(value, "pk"):
                value = value.pk
            data[name] = value
        sheet = models.ActionSheet.objects.get(pk=form.instance.pk)
        moderation.edit_as_administrator(sheet, data, request.user)
        for formset in formsets:  # read only: writes nothing, lists what changed for the log
            self.save_formset(request, form, formset, change=change)
