"""Django admin for administrators. Writes through the admin are audited by
the audit signals (channel "admin"); the audit trail itself is read-only."""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .access import Role
from .models import ApiToken, AuditEntry, Citation, Source, User


def admin_only(request) -> bool:
    user = request.user
    return user.is_active and user.is_authenticated and user.role == Role.ADMIN


# The admin is for administrators only, whatever is_staff says.
admin.site.has_permission = admin_only


def _admin_login(request, extra_context=None):
    """The admin has no sign-in form of its own: icihub's (lockout, second
    factor) is the only way in."""
    from django.contrib.auth.views import redirect_to_login
    from django.urls import reverse

    return redirect_to_login(request.GET.get("next") or reverse("admin:index"), "core:login")


admin.site.login = _admin_login


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["timestamp", "actor_label", "via", "action", "object_repr"]
    list_filter = ["action", "via"]
    search_fields = ["actor_label", "object_repr", "message"]
    date_hierarchy = "timestamp"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "country", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = DjangoUserAdmin.fieldsets + (
        (_("icihub access"), {"fields": ("role", "country", "preferred_language")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "expires_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "last_used_at"]

    def has_add_permission(self, request):
        return False  # tokens are issued by `icihub token create` or the tokens page


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["key", "title", "publisher", "published", "marking"]
    search_fields = ["key", "title", "publisher"]


@admin.register(Citation)
class CitationAdmin(admin.ModelAdmin):
    list_display = ["attribute", "value", "source", "content_type", "object_id"]
    list_filter = ["attribute", "source"]


def register_app(app_label: str, **overrides) -> None:
    """Register every model of an app not yet registered, with list displays
    derived from its fields."""
    for model in apps.get_app_config(app_label).get_models():
        if admin.site.is_registered(model):
            continue
        options = overrides.get(model.__name__, {})
        names = [
            f.name
            for f in model._meta.concrete_fields
            if f.name not in {"id", "search_text", "created_at", "updated_at"} and not f.primary_key
        ][:6]
        attrs = {"list_display": ["__str__", *names[1:5]], **options}
        admin.site.register(model, type(f"{model.__name__}Admin", (admin.ModelAdmin,), attrs))
