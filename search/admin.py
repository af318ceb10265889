from django.contrib import admin

from search.models import ThesaurusEntry


@admin.register(ThesaurusEntry)
class ThesaurusEntryAdmin(admin.ModelAdmin):
    list_display = ("expressions", "kind", "updated_at")
    list_filter = ("kind",)
    search_fields = ("expressions",)
