"""Admin screens to edit the catalogue. Saving a published version re-checks the internal process
budgets against the legal limit, and keeps the search text in sync."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import (
    Component,
    Fee,
    Field,
    LegalBasis,
    Procedure,
    ProcedureVersion,
    ProcessStep,
    VersionStatus,
)
from motcua.catalog.search import version_search_text
from motcua.catalog.validation import StepBudget, validate_process


class ComponentInline(admin.TabularInline[Component, ProcedureVersion]):
    model = Component
    extra = 0


class FeeInline(admin.TabularInline[Fee, ProcedureVersion]):
    model = Fee
    extra = 0


class LegalBasisInline(admin.TabularInline[LegalBasis, ProcedureVersion]):
    model = LegalBasis
    extra = 0


class StepFormSet(forms.BaseInlineFormSet[ProcessStep, ProcedureVersion, forms.ModelForm[ProcessStep]]):
    def clean(self) -> None:
        super().clean()
        version = self.instance
        if version.status != VersionStatus.PUBLISHED or not hasattr(version, "time_limit_unit"):
            return
        steps = [
            StepBudget(
                f.cleaned_data["budget_value"],
                f.cleaned_data["budget_unit"],
                f.cleaned_data.get("parallel_group") or "",
            )
            for f in sorted(self.forms, key=lambda f: f.cleaned_data.get("order") or 0)
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        errors = validate_process(
            version.procedure.local_code if version.procedure_id else "",
            version.time_limit_value,
            version.time_limit_unit,
            steps,
        )
        if errors:
            raise forms.ValidationError([e.message for e in errors])


class ProcessStepInline(admin.TabularInline[ProcessStep, ProcedureVersion]):
    model = ProcessStep
    formset = StepFormSet
    extra = 0
    raw_id_fields = ("agency",)


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin[ProcedureVersion]):
    list_display = (
        "procedure",
        "number",
        "name",
        "field",
        "level",
        "online_level",
        "status",
        "effective_from",
        "effective_to",
    )
    list_filter = ("status", "level", "online_level", "field", "time_limit_unit")
    search_fields = ("name", "procedure__local_code", "procedure__national_code", "search_text")
    raw_id_fields = ("competent_agency",)
    filter_horizontal = ("receiving_agencies",)
    inlines = [ComponentInline, FeeInline, LegalBasisInline, ProcessStepInline]
    actions = ["publish"]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        version = ProcedureVersion.objects.select_related("procedure", "field", "competent_agency").get(
            pk=form.instance.pk
        )
        ProcedureVersion.objects.filter(pk=version.pk).update(search_text=version_search_text(version))

    @admin.action(description=_("Công bố các phiên bản đã chọn (kiểm tra quy trình nội bộ)"))
    def publish(self, request: HttpRequest, queryset: QuerySet[ProcedureVersion]) -> None:
        for version in queryset.select_related("procedure"):
            steps = [StepBudget(s.budget_value, s.budget_unit, s.parallel_group) for s in version.steps.all()]
            errors = validate_process(
                version.procedure.local_code, version.time_limit_value, version.time_limit_unit, steps
            )
            if errors:
                self.message_user(
                    request, f"{version.procedure.local_code}: {errors[0].message}", messages.ERROR
                )
                continue
            version.status = VersionStatus.PUBLISHED
            version.save(update_fields=["status"])
            self.message_user(request, f"{version.procedure.local_code}: {_('đã công bố')}", messages.SUCCESS)


class VersionInline(admin.TabularInline[ProcedureVersion, Procedure]):
    model = ProcedureVersion
    fields = ("number", "name", "status", "effective_from", "effective_to")
    show_change_link = True
    extra = 0
    can_delete = False


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin[Procedure]):
    list_display = ("local_code", "national_code", "created_at")
    search_fields = ("local_code", "national_code", "versions__name")
    inlines = [VersionInline]


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin[Field]):
    list_display = ("code", "name", "sector")
    search_fields = ("code", "name")
