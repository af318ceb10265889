from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

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
