"""The readings list's date drill-down, answered from the time index by probes.

Django's own drill-down lists the years, months or days that hold readings
with SELECT DISTINCT over every matching reading: at millions of readings,
a full scan per page view. Here the first and last readings come from the
ends of the index, and each candidate year, month or day is one EXISTS probe
(a range read that stops at its first row): at most 31 small reads.
"""

import calendar
import datetime

from django import template
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.utils import formats
from django.utils.text import capfirst

register = template.Library()


def _exists(queryset, field, start, end):
    return queryset.filter(**{f"{field}__gte": start, f"{field}__lt": end}).exists()


def _moment(year, month=1, day=1):
    return datetime.datetime(year, month, day, tzinfo=datetime.UTC)


def _next_month(year, month):
    return (year + 1, 1) if month == 12 else (year, month + 1)


def drill_down(cl):
    field = cl.date_hierarchy
    keys = {part: f"{field}__{part}" for part in ("year", "month", "day")}
    year, month, day = (cl.params.get(keys[part]) for part in ("year", "month", "day"))
    queryset = cl.queryset.order_by()

    def link(filters):
        return cl.get_query_string(filters, [f"{field}__"])

    if not (year or month or day):
        first = queryset.order_by(field).values_list(field, flat=True).first()
        last = queryset.order_by(f"-{field}").values_list(field, flat=True).first()
        if first is None:
            return {"show": False}
        if first.year == last.year:
            year = first.year
            if first.month == last.month:
                month = first.month
        else:
            years = [
                y for y in range(first.year, last.year + 1) if _exists(queryset, field, _moment(y), _moment(y + 1))
            ]
            choices = [{"link": link({keys["year"]: y}), "title": str(y)} for y in years]
            return {"show": True, "back": None, "choices": choices}
    try:
        year, month, day = int(year), int(month) if month else None, int(day) if day else None
        if day:
            chosen = datetime.date(year, month, day)
            return {
                "show": True,
                "back": {
                    "link": link({keys["year"]: year, keys["month"]: month}),
                    "title": capfirst(formats.date_format(chosen, "YEAR_MONTH_FORMAT")),
                },
                "choices": [{"title": capfirst(formats.date_format(chosen, "MONTH_DAY_FORMAT"))}],
            }
        if month:
            days = range(1, calendar.monthrange(year, month)[1] + 1)
            start = _moment(year, month)
            present = [d for d in days if _exists(queryset, field, _moment(year, month, d), _day_after(year, month, d))]
            return {
                "show": True,
                "back": {"link": link({keys["year"]: year}), "title": str(year)},
                "choices": [
                    {
                        "link": link({keys["year"]: year, keys["month"]: month, keys["day"]: d}),
                        "title": capfirst(formats.date_format(start.replace(day=d), "MONTH_DAY_FORMAT")),
                    }
                    for d in present
                ],
            }
        months = [m for m in range(1, 13) if _exists(queryset, field, _moment(year, m), _moment(*_next_month(year, m)))]
    except (TypeError, ValueError, OverflowError):
        return {"show": False}  # the list itself reports the bad parameter
    return {
        "show": True,
        "back": {"link": link({}), "title": "All dates"},
        "choices": [
            {
                "link": link({keys["year"]: year, keys["month"]: m}),
                "title": capfirst(formats.date_format(datetime.date(year, m, 1), "YEAR_MONTH_FORMAT")),
            }
            for m in months
        ],
    }


def _day_after(year, month, day):
    return _moment(year, month, day) + datetime.timedelta(days=1)


@register.tag(name="reading_date_hierarchy")
def reading_date_hierarchy_tag(parser, token):
    return InclusionAdminNode(parser, token, func=drill_down, template_name="date_hierarchy.html", takes_context=False)
