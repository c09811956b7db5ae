from django.apps import AppConfig


class HttpConfig(AppConfig):
    """Installed so that the middleware-order check is registered with ``manage.py check``."""

    name = "relayr.http"
    label = "relayr_http"
    verbose_name = "relayr request pipeline"

    def ready(self):
        from . import checks  # noqa: F401 - registers the checks
