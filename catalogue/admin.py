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
