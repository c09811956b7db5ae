"""Read Prometheus text exposition the way a scraper does."""

from prometheus_client.parser import text_string_to_metric_families


def sample_sum(text, name, **labels):
    """Sum of every sample called ``name`` whose labels include ``labels``."""
    total = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                total += sample.value
    return total
