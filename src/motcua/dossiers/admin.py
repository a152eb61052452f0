"""Read-mostly admin views of dossiers for administrators (changes go through the desk and the API)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from motcua.accounts.http import signed_in_user
from motcua.dossiers import selectors
from motcua.dossiers.models import (
    AccessKind,
    Dossier,
    DossierAccessLog,
    DossierEvent,
    RatingCriterion,
    StatusCodeMapping,
    Task,
)


class TaskInline(admin.TabularInline[Task, Dossier]):
    model = Task
    extra = 0
    can_delete = False
    readonly_fields = (
        "order",
        "name",
        "role",
        "agency",
        "assignee",
        "status",
        "started_at",
        "due_at",
        "completed_at",
        "outcome",
    )
    fields = readonly_fields


class EventInline(admin.TabularInline[DossierEvent, Dossier]):
    model = DossierEvent
    extra = 0
    can_delete = False
    readonly_fields = (
        "at",
        "action",
        "actor",
        "actor_role",
        "actor_agency",
        "from_status",
        "to_status",
        "reason",
    )
    fields = readonly_fields


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin[Dossier]):
    list_display = (
        "code",
        "status",
        "channel",
        "applicant_name",
        "receiving_agency",
        "received_at",
        "appointment_at",
        "lateness",
    )
    list_filter = ("status", "channel", "lateness", "payment_status")
    search_fields = ("code", "applicant_name", "applicant_id_number")
    inlines = [TaskInline, EventInline]
    readonly_fields = [f.name for f in Dossier._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Dossier], search_term: str
    ) -> tuple[QuerySet[Dossier], bool]:
        """A search (by name or ID number) reads personal data: logged with the query, ID numbers masked."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            selectors.dossier_access_record(
                user=signed_in_user(request),
                dossier=None,
                kind=AccessKind.ADMIN_SEARCH,
                target=selectors.mask_identifier(search_term.strip()),
            )
        return results, may_have_duplicates

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        dossier = Dossier.objects.filter(pk=object_id).first() if object_id.isdigit() else None
        if dossier is not None:
            selectors.dossier_access_record(
                user=signed_in_user(request), dossier=dossier, kind=AccessKind.VIEW, target="admin"
            )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(DossierAccessLog)
class DossierAccessLogAdmin(admin.ModelAdmin[DossierAccessLog]):
    """The access log, read-only: the data protection officer answers "who read my data?" from here."""

    list_display = ("at", "reader", "kind", "dossier_code", "target")
    list_filter = ("kind",)
    search_fields = ("dossier_code", "reader")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(StatusCodeMapping)
class StatusCodeMappingAdmin(admin.ModelAdmin[StatusCodeMapping]):
    list_display = ("status", "national_code", "national_label", "valid_from", "valid_to", "legal_basis")


@admin.register(RatingCriterion)
class RatingCriterionAdmin(admin.ModelAdmin[RatingCriterion]):
    list_display = ("code", "text", "valid_from", "valid_to", "legal_basis")
