from django.contrib import admin

from operations.models import JobRun


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    """Read-only: the clock writes these rows (operations.scheduler)."""

    list_display = ("job", "slot", "started_at", "finished_at", "outcome", "attempts", "clock")
    list_filter = ("job", "outcome")
    readonly_fields = [field.name for field in JobRun._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
