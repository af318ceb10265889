from django.contrib import admin

from portals.models import Portal, PortalAdministrator, PortalChange


class PortalAdministratorInline(admin.TabularInline):
    model = PortalAdministrator
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Portal)
class PortalAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "host", "is_example", "updated_at"]
    search_fields = ["title", "slug", "host"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [PortalAdministratorInline]
    # Colours and the rest are edited (checked, with history) in the portal's own page.
    fields = ["title", "slug", "host", "selection", "is_example"]


@admin.register(PortalChange)
class PortalChangeAdmin(admin.ModelAdmin):
    list_display = ["portal", "author", "at"]
    list_filter = ["portal"]
    readonly_fields = ["portal", "author", "at", "changes"]

    def has_add_permission(self, request):
        return False
