"""Local development: the default for manage.py, so every command works in a fresh clone.

DEBUG is on unless DJANGO_DEBUG says otherwise (`make run` turns it off to serve
as the container does). The key is DJANGO_SECRET_KEY, else the one `make run`
generated into var/secret_key, else an obviously fake one: sessions signed with
it are only ever local.
"""

from .common import *  # noqa: F403
from .common import BASE_DIR, SECRET_KEY, environ

DEBUG = environ.get_bool("DJANGO_DEBUG", True)

LOCAL_KEY_FILE = BASE_DIR / "var" / "secret_key"
if not SECRET_KEY:
    SECRET_KEY = LOCAL_KEY_FILE.read_text().strip() if LOCAL_KEY_FILE.exists() else ""
    SECRET_KEY = SECRET_KEY or "dev-only-not-secret"
