from django.contrib import admin

from catalogue import models
from catalogue.signals import sheets_changed


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
    list_filter = ["type", "departement__region"]
    search_fields = ["name", "commune", "siret"]
    autocomplete_fields = ["departement"]


class AttachmentInline(admin.TabularInline):
    model = models.Attachment
    extra = 0
    fields = ["name", "file", "source_url", "size", "content_type", "removed_at"]
    readonly_fields = ["size", "content_type"]


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
    readonly_fields = ["source", "source_ref", "version", "created_at", "updated_at"]
    inlines = [AttachmentInline]
    list_select_related = ["structure__departement"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Keywords and partners are saved after the sheet: announce the sheet once all is written.
        sheets_changed.send(sender=type(self), sheet_ids=[form.instance.pk])
