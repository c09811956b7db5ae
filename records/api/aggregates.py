"""GET /api/v1/sensors/{id}/aggregates: count, min, max and mean of a sensor's readings per time bucket.

Buckets are 1m, 5m, 15m, 1h, 6h or 1d long, aligned to multiples of their
length since the Unix epoch (UTC); an empty bucket is left out. A page
looks only as far ahead as its own ``limit`` of buckets can reach, so a
page costs the same at any window size. Buckets of an hour and longer come
from the hourly rollups (records.models.ReadingHour) for the whole, fresh
hours of the window, and from the readings for the partial hours at its
edges and any hour a delete or an update has made stale; shorter buckets
come from the readings. Either way each figure is what the readings give at
the time of the request.
"""

from datetime import timedelta
from operator import itemgetter

from records import rollups
from relayr.http import export, params
from relayr.http.errors import invalid_parameter, not_found
from relayr.http.pagination import Key, Paginator, instant

from . import queries
from .exports import sensor_export
from .sensors import sensor_id_from_path

BUCKETS = {"1m": 60, "5m": 300, "15m": 900, "1h": 3600, "6h": 6 * 3600, "1d": 86400}
PARAMETERS = {"bucket", "since", "until", "limit", "cursor", "format"}
COLUMNS = ("start", "count", "min", "max", "avg")  # a bucket's keys, in the order of an export's columns
PAGES = Paginator("aggregates", Key("start", instant))
# The last day and hour a datetime can start and end (year 9999); a range past them is left unbounded above.
LAST_SECONDS = rollups.seconds(rollups.instant(0).replace(year=9999, month=12, day=31))
LAST_HOUR = LAST_SECONDS // 3600 + 23


def sensor_aggregates(request, pk):
    params.check_known(request, PARAMETERS)
    sensor_id = sensor_id_from_path(pk)
    name = params.get_text(request, "bucket")
    if name not in BUCKETS:
        raise invalid_parameter("bucket", f"must be one of {', '.join(BUCKETS)}")
    since, until = params.get_datetime(request, "since"), params.get_datetime(request, "until")
    if since is not None and until is not None and since >= until:
        raise invalid_parameter("until", "must be later than since")
    export_format = params.get_choice(request, "format", export.FORMATS)
    if export_format != "json":
        row = itemgetter(*COLUMNS)
        listing = export.Listing(
            COLUMNS, PAGES.key, lambda window: list(map(row, buckets(sensor_id, BUCKETS[name], window, since, until)))
        )
        what = f"aggregates-{name}"
        return sensor_export(request, export_format, sensor_id, listing, what=what, since=since, until=until)

    def fetch(window):
        items = buckets(sensor_id, BUCKETS[name], window, since, until)
        if not items and queries.sensor(sensor_id) is None:
            raise not_found(f"No sensor with id {pk}.")
        return items

    return PAGES.response(request, fetch, scope=f"{sensor_id}.{name}")


def buckets(sensor_id, length, window, since, until):
    """The window's buckets as JSON objects, ascending, at most ``window.size`` of them.

    Each round sums up as many buckets' time as are still wanted, from the
    first reading onwards (an index probe), so sparse data costs a round per
    stretch of readings, never a scan of the empty time between them.
    """
    lower = since
    if window.after is not None:
        following = window.after + timedelta(seconds=length)
        lower = following if lower is None else max(lower, following)
    found = {}
    start = None if lower is None else rollups.seconds(lower) // length * length
    while len(found) < window.size:
        if start is None:
            minute = rollups.first_minute(sensor_id, lower, until)
            if minute is None:
                break
            start = (minute - rollups.EPOCH_MINUTES) * 60 // length * length
        end = start + (window.size - len(found)) * length
        upper = rollups.instant(end) if end <= LAST_SECONDS else None
        if until is not None and (upper is None or until < upper):
            upper = until
        begin = rollups.instant(start) if lower is None else max(lower, rollups.instant(start))
        found.update(_sums(sensor_id, length, begin, upper))
        if upper is None or upper == until:
            break
        lower, start = upper, None
    return [
        {"start": rollups.rfc3339(start), "count": count, "min": low, "max": high, "avg": total / count}
        for start, (count, low, high, total) in sorted(found.items())[: window.size]
    ]


def _sums(sensor_id, length, lower, upper):
    """{bucket start: (count, min, max, sum)} for the readings in [lower, upper); ``upper`` None: no bound."""
    minutes = length // 60
    first = rollups.seconds(lower) // 3600  # the first whole hour
    if rollups.instant(first * 3600) < lower:
        first += 1
    last = None if upper is None else rollups.seconds(upper) // 3600
    if length < 3600 or first > LAST_HOUR or (last is not None and first >= last):
        return rollups.sums(rollups.readings_query(sensor_id, minutes, lower, upper))[0]
    # The whole hours from their rollups, the partial ones at the edges from the readings: one statement.
    queries = [rollups.hours_query(sensor_id, length // 3600, first, last)]
    edges = [(lower, rollups.instant(first * 3600))]
    if last is not None:
        edges.append((rollups.instant(last * 3600), upper))
    queries += [rollups.readings_query(sensor_id, minutes, begin, end) for begin, end in edges if begin < end]
    sums, stale = rollups.sums(*queries)
    for start in stale:
        del sums[start]
        end = upper if start + length > LAST_SECONDS else rollups.instant(start + length)
        if upper is not None and upper < end:
            end = upper
        sums.update(
            rollups.sums(rollups.readings_query(sensor_id, minutes, max(lower, rollups.instant(start)), end))[0]
        )
    return sums
