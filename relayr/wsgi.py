"""WSGI entry point for gunicorn (see relayr/gunicorn.conf.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relayr.settings.prod")

application = get_wsgi_application()
