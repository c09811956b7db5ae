"""Admin for looking at the data: a chart per sensor, readings filtered by sensor,
and no query that reads every reading, so it stays fast with millions of them."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.urls import reverse, reverse_lazy
from django.utils import formats

from records.models import Reading, Sensor

from . import chart, svg
from .filters import CappedCountPaginator, ReadingChangeList, SensorFilter

admin.site.site_header = "relayr administration"
admin.site.site_title = "relayr admin"
admin.site.index_title = "Sensor records"

# "View site" leads a person to the API's docs page.
admin.site.site_url = reverse_lazy("api-docs")

UTC_FORMAT = "Y-m-d H:i:s"


def utc(moment):
    return formats.date_format(moment, UTC_FORMAT) if moment else "-"


@admin.register(Sensor)
class SensorAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "type", "unit", "location", "is_active", "updated_utc")
    list_display_links = ("id", "name")
    list_filter = ("type", "is_active")
    search_fields = ("name", "location")
    readonly_fields = ("created_at", "updated_at")
    change_form_template = "admin/records/sensor/change_form.html"

    @admin.display(description="updated (UTC)", ordering="updated_at")
    def updated_utc(self, sensor):
        return utc(sensor.updated_at)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        sensor = self.get_object(request, object_id)
        if sensor is not None and self.has_view_or_change_permission(request, sensor):
            window = chart.window_from(request.GET, sensor)
            series = chart.series(sensor, window)
            extra_context = {
                **(extra_context or {}),
                "chart": svg.render(series, sensor.unit),
                "series": series,
                "window": window,
                "presets": chart.PRESETS,
                "input_format": chart.INPUT_FORMAT,
                "readings_url": reverse("admin:records_reading_changelist") + f"?sensor__id__exact={sensor.pk}",
                "unit": sensor.unit,
                **{f"{name}_utc": utc(getattr(window, name)) for name in ("since", "until")},
                "last_utc": utc(series.last[0]) if series.last else None,
            }
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Reading)
class ReadingAdmin(admin.ModelAdmin):
    list_display = ("recorded_utc", "sensor", "value_with_unit")
    # No filter on a sensor's fields (type, active): joined to sensors, MariaDB reads every
    # matching reading and sorts them to show the newest hundred.
    list_filter = (SensorFilter,)
    # Sensors are fetched by a second query, not joined, for the same reason.
    list_select_related = ()
    date_hierarchy = "recorded_at"
    autocomplete_fields = ("sensor",)
    paginator = CappedCountPaginator
    show_full_result_count = False
    # "Show counts" would count every reading per filter choice.
    show_facets = admin.ShowFacets.NEVER
    # Only the time index orders the list cheaply; sorting by value would sort the table.
    sortable_by = ("recorded_utc",)
    ordering = ("-recorded_at",)
    change_list_template = "admin/records/reading/change_list.html"

    @property
    def media(self):
        # The autocomplete widget's own scripts and styles (select2, served by the app), then ours.
        picker = AutocompleteSelect(Reading._meta.get_field("sensor"), self.admin_site)
        return (
            super().media
            + picker.media
            + forms.Media(js=["admin/js/autocomplete.js", "records/admin/sensor_filter.js"])
        )

    def get_changelist(self, request, **kwargs):
        return ReadingChangeList

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("sensor")

    @admin.display(description="recorded at (UTC)", ordering="recorded_at")
    def recorded_utc(self, reading):
        return utc(reading.recorded_at)

    @admin.display(description="value")
    def value_with_unit(self, reading):
        return f"{reading.value:g} {reading.sensor.unit}".strip()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "recorded_at":
            field.help_text = "UTC."
        return field
