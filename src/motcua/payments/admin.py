from __future__ import annotations

from django.contrib import admin

from motcua.payments.models import FeeRule, ReceiptSeries


@admin.register(FeeRule)
class FeeRuleAdmin(admin.ModelAdmin[FeeRule]):
    list_display = (
        "fee",
        "kind",
        "condition",
        "beneficiary_category",
        "percent",
        "amount",
        "legal_basis",
        "effective_from",
        "effective_to",
    )
    list_filter = ("kind", "condition")
    raw_id_fields = ("fee",)


@admin.register(ReceiptSeries)
class ReceiptSeriesAdmin(admin.ModelAdmin[ReceiptSeries]):
    list_display = ("agency", "template_symbol", "series", "year", "last_number")
    readonly_fields = ("last_number",)
