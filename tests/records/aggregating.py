"""The aggregates the API must give, computed the plain way in Python from the readings, and a comparison."""

import math
from collections import defaultdict
from datetime import UTC, datetime

from records.models import Reading
from tests.records.test_pagination import walk  # noqa: F401 - the one pagination walk, shared with the aggregates tests

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
BUCKETS = {"1m": 60, "5m": 300, "15m": 900, "1h": 3600, "6h": 21600, "1d": 86400}


def expected(sensor, bucket, since=None, until=None):
    """[{start, count, min, max, avg}] from every reading of ``sensor`` in [since, until), as the API should say."""
    length = BUCKETS[bucket]
    groups = defaultdict(list)
    for recorded_at, value in Reading.objects.filter(sensor=sensor).values_list("recorded_at", "value"):
        if (since is None or recorded_at >= since) and (until is None or recorded_at < until):
            delta = recorded_at - EPOCH
            groups[(delta.days * 86400 + delta.seconds) // length * length].append(value)
    return [
        {
            "start": start,
            "count": len(v),
            "min": min(v),
            "max": max(v),
            "avg": math.fsum(v) / len(v),
            "scale": max(map(abs, v)),
        }
        for start, v in sorted(groups.items())
    ]


def assert_equal(got, want):
    """Counts, minimums and maximums exactly; means within 1e-9 relative (to the bucket's largest magnitude
    when its values cancel out: doubles summed in another order differ by that much)."""
    assert [row["start"] for row in got] == [datetime.fromtimestamp(row["start"], UTC).isoformat() for row in want], (
        got,
        want,
    )
    for row, exact in zip(got, want, strict=True):
        assert set(row) == {"start", "count", "min", "max", "avg"}
        assert type(row["count"]) is int, row  # JSON's 5, never 5.0 (MySQL sums integers as DECIMAL)
        assert (row["count"], row["min"], row["max"]) == (exact["count"], exact["min"], exact["max"]), (row, exact)
        assert abs(row["avg"] - exact["avg"]) <= 1e-9 * max(abs(exact["avg"]), exact["scale"]), (row, exact)
