"""The readings list's paging and filters, each bounded at any table size."""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from records.models import Sensor


class CappedCountPaginator(Paginator):
    """Counts at most COUNT_CAP rows: an exact COUNT(*) scans every row on InnoDB.

    Past the cap the admin offers the first COUNT_CAP rows' pages; filters
    and the date drill-down narrow the list to reach older readings.
    """

    COUNT_CAP = 10_000

    @cached_property
    def count(self):
        # Any COUNT_CAP rows count the same: unordered, the database reads the cheapest ones.
        return self.object_list.order_by()[: self.COUNT_CAP].count()

    def page(self, number):
        """A page's ids first, read from the index alone, then just those rows: asked for
        whole rows at an offset, MariaDB prefers reading and sorting the table."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = list(self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        return self._get_page(self.object_list.filter(pk__in=ids), number, self)


class ReadingChangeList(ChangeList):
    """Ties broken by id in the same direction as the time, so that both directions
    walk the time index (which ends in the id) instead of sorting the table."""

    def get_ordering(self, request, queryset):
        ordering = super().get_ordering(request, queryset)
        if ordering and ordering[-1] == "-pk" and not str(ordering[0]).startswith("-"):
            ordering[-1] = "pk"
        return ordering


class SensorFilter(admin.ListFilter):
    """By sensor, picked by typing its name (the admin's own autocomplete), not from a
    list of every sensor. The parameter is the one Django's related filters use, so
    links such as a sensor page's "its readings" need nothing special."""

    title = "sensor"
    parameter_name = "sensor__id__exact"
    template = "admin/records/reading/sensor_filter.html"

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.sensor = None
        if self.parameter_name in params:
            value = params.pop(self.parameter_name)[-1]
            if not value.isdigit():
                raise IncorrectLookupParameters(f"{self.parameter_name} must be a sensor id")
            self.used_parameters[self.parameter_name] = value
            self.sensor = Sensor.objects.filter(pk=value).first()

    def has_output(self):
        return True

    def expected_parameters(self):
        return [self.parameter_name]

    def queryset(self, request, queryset):
        value = self.used_parameters.get(self.parameter_name)
        return queryset.filter(sensor_id=value) if value else queryset

    def choices(self, changelist):
        yield {
            "selected": self.sensor,
            "clear_url": changelist.get_query_string(remove=[self.parameter_name, "p"]),
        }
