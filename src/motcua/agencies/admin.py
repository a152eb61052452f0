from __future__ import annotations

from django.contrib import admin

from motcua.agencies.models import Agency, OfficeHours


class OfficeHoursInline(admin.TabularInline[OfficeHours, Agency]):
    model = OfficeHours
    extra = 0


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin[Agency]):
    list_display = ("code", "name", "level", "parent", "is_service_centre", "valid_from", "valid_to")
    list_filter = ("level", "is_service_centre")
    search_fields = ("code", "name", "abbreviation")
    raw_id_fields = ("parent", "successor")
    inlines = [OfficeHoursInline]
