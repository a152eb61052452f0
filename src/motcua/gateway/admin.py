"""The registry in the staff admin: members, services (with their versions), clients (secrets are never
shown: rotate with ``motcua gateway rotate-secret``), grants; the message log read-only."""

from __future__ import annotations

from django.contrib import admin

from motcua.gateway.models import Client, Delivery, Grant, Member, MessageLog, Service, ServiceVersion


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin[Member]):
    list_display = ["code", "name", "kind", "active"]
    search_fields = ["code", "name"]


class ServiceVersionInline(admin.TabularInline[ServiceVersion, Service]):
    model = ServiceVersion
    extra = 0
    fields = ("version", "upstream_url", "description_format", "published_at")
    readonly_fields = ("version", "upstream_url", "description_format", "published_at")


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin[Service]):
    list_display = ["code", "name", "provider", "version", "personal_data", "active"]
    inlines = [ServiceVersionInline]


class GrantInline(admin.TabularInline[Grant, Client]):
    model = Grant
    extra = 0


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin[Client]):
    list_display = ["client_id", "member", "rate_limit_per_second", "active", "secret_rotated_at"]
    exclude = ["secret_hash", "previous_secret_hash"]
    inlines = [GrantInline]


@admin.register(MessageLog)
class MessageLogAdmin(admin.ModelAdmin[MessageLog]):
    list_display = [
        "received_at",
        "client_code",
        "service_code",
        "message_id",
        "status_code",
        "outcome",
        "seq",
    ]
    list_filter = ["outcome", "service_code"]
    search_fields = ["message_id", "client_code"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    list_display = ["log", "state", "attempts", "next_attempt_at", "last_error"]
    list_filter = ["state"]
