"""Django's static files app, collecting only files a page uses."""

from django.contrib.staticfiles.apps import StaticFilesConfig


class StaticFiles(StaticFilesConfig):
    # drf-spectacular-sidecar ships Redoc and Swagger UI's standalone layout and OAuth2
    # page too; the docs page (records/templates/records/api/docs.html) uses Swagger UI's
    # bundle and style alone, and the image need not carry the rest.
    ignore_patterns = [
        *StaticFilesConfig.ignore_patterns,
        "drf_spectacular_sidecar/redoc/*",
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js*",
        "drf_spectacular_sidecar/swagger-ui-dist/oauth2-redirect.*",
    ]
