"""Admin for browsing the data; it must stay fast with millions of readings."""

from django.contrib import admin
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from .models import Reading, Sensor

admin.site.site_header = "relayr administration"
admin.site.site_title = "relayr admin"
admin.site.index_title = "Sensor records"


class CappedCountPaginator(Paginator):
    """Counts at most COUNT_CAP rows: an exact COUNT(*) scans every row on InnoDB.

    Past the cap the admin offers the first COUNT_CAP rows' pages; filters
    and the date drill-down narrow the list to reach older readings.
    """

    COUNT_CAP = 10_000

    @cached_property
    def count(self):
        return self.object_list[: self.COUNT_CAP].count()


@admin.register(Sensor)
class SensorAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "type", "unit", "location", "is_active", "updated_at")
    list_filter = ("type", "is_active")
    search_fields = ("name", "location")
    readonly_fields = ("created_at", "updated_at")


@admin.register(Reading)
class ReadingAdmin(admin.ModelAdmin):
    list_display = ("recorded_at", "sensor", "value")
    list_filter = ("sensor__type", "sensor__is_active")
    list_select_related = ("sensor",)
    date_hierarchy = "recorded_at"
    autocomplete_fields = ("sensor",)
    search_fields = ("sensor__name",)
    paginator = CappedCountPaginator
    show_full_result_count = False
    ordering = ("-recorded_at",)
