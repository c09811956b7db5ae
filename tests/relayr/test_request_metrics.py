"""The request series relayr records, under django-prometheus's names."""

import pytest
from django.test import Client
from prometheus_client import REGISTRY


def sample(name, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "view", "status"),
    [
        ("/api/v1/sensors/1", "sensor-detail", "200"),
        ("/api/v1/sensors/987654", "sensor-detail", "404"),
        ("/api/v1/sensors?limit=0", "sensor-list", "400"),
        ("/admin/", "admin:index", "302"),
        ("/no/such/path", "<unnamed view>", "404"),
    ],
)
def test_each_response_is_counted_by_status_view_and_method(path, view, status):
    get = {"view": view, "method": "GET"}
    names = {
        "django_http_responses_total_by_status_view_method_total": {"status": status, **get},
        "django_http_requests_total_by_view_transport_method_total": {"transport": "http", **get},
        "django_http_requests_latency_seconds_by_view_method_count": get,
    }
    before = {name: sample(name, **labels) for name, labels in names.items()}
    assert str(Client().get(path).status_code) == status
    assert {name: sample(name, **labels) - before[name] for name, labels in names.items()} == dict.fromkeys(names, 1)


@pytest.mark.django_db
def test_a_write_method_is_counted_under_its_own_method():
    labels = {"status": "405", "view": "sensor-list", "method": "DELETE"}
    before = sample("django_http_responses_total_by_status_view_method_total", **labels)
    Client().delete("/api/v1/sensors")
    assert sample("django_http_responses_total_by_status_view_method_total", **labels) == before + 1


@pytest.mark.parametrize("path", ["/livez", "/metrics"])
def test_probes_and_scrapes_are_not_counted(path):
    total = "django_http_requests_total_by_view_transport_method_total"
    before = sum(s.value for m in REGISTRY.collect() for s in m.samples if s.name == total)
    Client().get(path)
    assert sum(s.value for m in REGISTRY.collect() for s in m.samples if s.name == total) == before


def test_the_build_is_on_every_scrape(settings):
    settings.RELAYR_VERSION, settings.RELAYR_REVISION = "1.2.3", "abc123"
    text = Client().get("/metrics").content.decode()
    assert 'relayr_build_info{revision="abc123",version="1.2.3"} 1.0' in text
