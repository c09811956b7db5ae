"""Create the admin superuser from DJANGO_SUPERUSER_* once; never touch an existing one.

`createsuperuser --noinput` reads the same variables but fails when the user
exists, which would fail every migration Job after the first install.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from relayr.settings import environ


class Command(BaseCommand):
    help = "Create a superuser from DJANGO_SUPERUSER_USERNAME/PASSWORD/EMAIL unless that user exists."

    def handle(self, *args, **options):
        username = environ.get_str("DJANGO_SUPERUSER_USERNAME")
        password = environ.get_str("DJANGO_SUPERUSER_PASSWORD")
        if not username or not password:
            raise CommandError("DJANGO_SUPERUSER_USERNAME and DJANGO_SUPERUSER_PASSWORD are required")
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            self.stdout.write(f"superuser {username} exists; left unchanged")
            return
        User.objects.create_superuser(username, environ.get_str("DJANGO_SUPERUSER_EMAIL", ""), password)
        self.stdout.write(f"superuser {username} created")
