from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from catalogue import models as catalogue_models
from contrib import editing, moderation
from contrib.models import (
    Invitation,
    JoinRequest,
    Membership,
    ModeratorTerritory,
    PendingEdit,
    Revision,
    User,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["structure"]


class ModeratorTerritoryInline(admin.TabularInline):
    model = ModeratorTerritory
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [MembershipInline, ModeratorTerritoryInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Identité", {"fields": ("first_name", "last_name")}),
        ("Droits", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    list_display = ["user", "structure", "state", "created_at"]
    list_filter = ["state"]
    raw_id_fields = ["user", "structure", "decided_by"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "structure", "created_at", "accepted_at"]
    raw_id_fields = ["structure", "invited_by"]
    exclude = ["token"]


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    """Read-only: history is written by the editing services only."""

    list_display = ["sheet", "kind", "version", "author", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["sheet", "author", "merged_into"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PendingEdit)
class PendingEditAdmin(admin.ModelAdmin):
    list_display = ["sheet", "state", "author", "updated_at"]
    raw_id_fields = ["sheet", "author"]

    def has_add_permission(self, request):
        return False


# The sheets' admin edits through contrib.moderation (a revision, the authors notified).
class AttachmentInline(admin.TabularInline):
    """Read only: files are added and removed on the sheet's edit page (they are versioned)."""

    model = catalogue_models.Attachment
    extra = 0
    fields = ["name", "file", "source_url", "size", "content_type", "removed_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(catalogue_models.ActionSheet)
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
        sheet = catalogue_models.ActionSheet.objects.get(pk=form.instance.pk)
        moderation.edit_as_administrator(sheet, data, request.user)
        for formset in formsets:  # read only: writes nothing, lists what changed for the log
            self.save_formset(request, form, formset, change=change)
