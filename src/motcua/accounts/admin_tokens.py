"""API tokens (core.models.ApiToken) in the admin — here, in accounts, because who manages whom is an
accounts rule: administrators see the tokens of the people they manage (as in the user
admin), with last use and expiry, and revoke them. Nobody creates a token here: the key would be seen by
someone other than its owner (owners create theirs on /accounts/api-tokens/)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from motcua.core.auth import api_token_revoke
from motcua.core.models import ApiToken


def _manages_people(request: HttpRequest) -> bool:
    from motcua.accounts.selectors import admin_agency_ids

    return bool(getattr(request.user, "is_superuser", False) or admin_agency_ids(request.user))


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = (
        "name",
        "user",
        "key_prefix",
        "scopes",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("revoked_at", "expires_at")
    search_fields = ("name", "key_prefix", "user__username", "user__full_name")
    list_select_related = ("user", "revoked_by")
    readonly_fields = (
        "user",
        "name",
        "key_prefix",
        "scopes",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    )
    exclude = ("key_hash",)
    actions = ["revoke"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiToken]:
        from motcua.accounts.selectors import users_for_admin

        return super().get_queryset(request).filter(user__in=users_for_admin(request.user))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _manages_people(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _manages_people(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _manages_people(request)  # only the revoke action changes anything

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a revoked token stays as the record of what was allowed

    @admin.action(description=_("Thu hồi các khóa đã chọn"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        # One by one, through the service: each save drops the token from this process's cache.
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            api_token_revoke(token=token, by=request.user)
            count += 1
        self.message_user(request, _("Đã thu hồi %(count)d khóa.") % {"count": count}, messages.SUCCESS)
