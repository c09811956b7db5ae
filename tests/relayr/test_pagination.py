"""The paginator on its own: limit + 1, trimming, typed cursors, next URLs,
and a listing in descending order or by another key through the same calls."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import orjson
import pytest
from django.test import RequestFactory

from relayr.http.errors import ApiError
from relayr.http.pagination import Key, Paginator, instant

IDS = [{"id": n} for n in range(1, 8)]
T0 = datetime(2026, 1, 1, tzinfo=UTC)
BUCKETS = [{"bucket": (T0 + timedelta(hours=n)).isoformat(), "mean": float(n)} for n in range(5)]


def walk(paginator, items, *, descending=False, scope=None, limit=3):
    """Every page of ``items`` (a list standing in for a table), as the view would serve it."""
    windows, pages, url = [], [], f"/listing?limit={limit}"

    def fetch(window):
        windows.append(window)
        key = paginator.key.field
        ordered = sorted(items, key=lambda item: item[key], reverse=descending)
        if window.after is not None:
            past = (lambda v: v < window.after) if descending else (lambda v: v > window.after)
            ordered = [item for item in ordered if past(paginator.key.parse(item[key]))]
        return ordered[: window.size]

    while url:
        body = paginator.page(RequestFactory().get(url), fetch, scope=scope, descending=descending)
        pages.append(body["results"])
        url = body["next"]
    return pages, windows


def test_fetches_limit_plus_one_and_trims():
    pages, windows = walk(Paginator("ids", Key("id")), IDS)
    assert [[item["id"] for item in page] for page in pages] == [[1, 2, 3], [4, 5, 6], [7]]
    assert [window.size for window in windows] == [4, 4, 4]
    assert [window.after for window in windows] == [None, 3, 6]


def test_descending_order_walks_back_with_its_own_cursors():
    paginator = Paginator("ids", Key("id"))
    pages, windows = walk(paginator, IDS, descending=True)
    assert [[item["id"] for item in page] for page in pages] == [[7, 6, 5], [4, 3, 2], [1]]
    assert all(window.descending for window in windows)
    next_url = paginator.page(RequestFactory().get("/listing?limit=1"), lambda window: IDS[:2])["next"]
    cursor = parse_qs(urlsplit(next_url).query)["cursor"][0]
    with pytest.raises(ApiError, match="cursor"):
        paginator.window(RequestFactory().get("/listing", {"cursor": cursor}), descending=True)


def test_another_key_comes_back_typed():
    pages, windows = walk(Paginator("buckets", Key("bucket", instant)), BUCKETS, scope=1, limit=2)
    assert [len(page) for page in pages] == [2, 2, 1]
    assert windows[1].after == T0 + timedelta(hours=1)
    assert isinstance(windows[1].after, datetime)


def test_a_cursor_from_another_scope_is_refused():
    paginator = Paginator("buckets", Key("bucket", instant))
    next_url = paginator.page(RequestFactory().get("/b?limit=1"), lambda window: BUCKETS[:2], scope=1)["next"]
    cursor = parse_qs(urlsplit(next_url).query)["cursor"][0]
    assert paginator.window(RequestFactory().get("/b", {"cursor": cursor}), scope=1).after == T0
    with pytest.raises(ApiError, match="cursor"):
        paginator.window(RequestFactory().get("/b", {"cursor": cursor}), scope=2)


def test_a_response_links_its_next_page_in_a_header():
    paginator = Paginator("ids", Key("id"))
    response = paginator.response(RequestFactory().get("/listing?limit=2"), lambda window: IDS[: window.size])
    assert response["Link"] == f'<{orjson.loads(response.content)["next"]}>; rel="next"'
    last = paginator.response(RequestFactory().get("/listing?limit=7"), lambda window: IDS[: window.size])
    assert orjson.loads(last.content)["next"] is None and "Link" not in last
