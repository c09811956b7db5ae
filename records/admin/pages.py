"""Error pages a person sees in a browser: the admin's look, what happened, what to do.

API clients keep the JSON error shape; these are for the admin and other
browser paths. Each page is rendered with the admin site's context, so it
carries the site header and, when logged in, the user's links.
"""

from django.contrib import admin
from django.shortcuts import render
from django.utils import timezone

TEMPLATE = "admin/relayr_error.html"


def error_page(request, status, title, message, remedy=""):
    context = {**admin.site.each_context(request), "title": title, "message": message, "remedy": remedy}
    # The sidebar lists the models a user may see: nothing before logging in.
    context["is_nav_sidebar_enabled"] = (
        context["is_nav_sidebar_enabled"]
        and getattr(request, "user", None) is not None
        and request.user.is_authenticated
    )
    return render(request, TEMPLATE, context, status=status)


def page_not_found(request, exception=None):
    return error_page(
        request, 404, "Page not found", f"There is no page at {request.path}.", "Check the address, or start again."
    )


def permission_denied(request, exception=None):
    return error_page(
        request,
        403,
        "Permission denied",
        "Your account may not open this page.",
        "Ask an administrator for the permission, or log in as another user.",
    )


def bad_request(request, exception=None):
    return error_page(request, 400, "Bad request", "The request could not be understood.")


def server_error(request):
    return error_page(request, 500, "Server error", "Something went wrong on our side; it has been logged.")


def csrf_failure(request, reason=""):
    return error_page(
        request,
        403,
        "Form expired",
        "The form was sent without a valid security token (CSRF), perhaps from an old or another tab.",
        "Reload the page and send the form again. Cookies must be enabled for this site.",
    )


def lockout(request, original_response=None, credentials=None):
    """django-axes' answer once a username has failed AXES_FAILURE_LIMIT times from one address."""
    from axes.helpers import get_client_username, get_cool_off, get_failure_limit

    username = get_client_username(request, credentials) or ""
    cool_off = get_cool_off(request)
    minutes = round(cool_off.total_seconds() / 60)
    until = timezone.now() + cool_off
    return error_page(
        request,
        429,
        "Too many failed logins",
        f"After {get_failure_limit(request, credentials)} failed logins, {username or 'this account'} is locked out"
        f" from your address for {minutes} minutes, until {until:%H:%M} UTC.",
        "Wait, then log in again; or ask an administrator to lift it now with "
        f"“manage.py axes_reset_username {username}” (“manage.py axes_reset” lifts every lockout).",
    )
