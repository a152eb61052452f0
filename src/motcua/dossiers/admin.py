"""Read-mostly admin views of dossiers for administrators (changes go through the desk and the API)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from motcua.dossiers.models import Dossier, DossierEvent, RatingCriterion, StatusCodeMapping, Task


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


@admin.register(StatusCodeMapping)
class StatusCodeMappingAdmin(admin.ModelAdmin[StatusCodeMapping]):
    list_display = ("status", "national_code", "national_label", "valid_from", "valid_to", "legal_basis")


@admin.register(RatingCriterion)
class RatingCriterionAdmin(admin.ModelAdmin[RatingCriterion]):
    list_display = ("code", "text", "valid_from", "valid_to", "legal_basis")
