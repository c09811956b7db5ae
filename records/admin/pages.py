"""Error pages a person sees in a browser: the admin's look, what happened, what to do.

Django's error handlers (relayr/urls.py) and CSRF failure view come here. The
admin's paths always get a page; the API's paths always keep the JSON error
shape; any other path gets a page when the client asks for HTML (a browser)
and the JSON shape otherwise. Each page is rendered with the admin site's
context, so it carries the site header and, when logged in, the user's links.
"""

from django.contrib import admin
from django.shortcuts import render
from django.utils import timezone

from relayr.http import errors

TEMPLATE = "admin/relayr_error.html"
ADMIN_PATH = "/admin/"
# The API's paths (records/api/urls.py) and the probes: clients that parse JSON.
JSON_PATHS = ("/api/", "/sensors", "/livez", "/readyz", "/healthz", "/metrics")


def wants_page(request):
    path = request.path_info
    if path.startswith(ADMIN_PATH):
        return True
    if path.startswith(JSON_PATHS):
        return False
    return "text/html" in request.META.get("HTTP_ACCEPT", "")


def error_page(request, status, title, message, remedy=""):
    context = {"site_header": admin.site.site_header, "site_title": admin.site.site_title}
    user = getattr(request, "user", None)  # absent when the request failed before authentication
    if status < 500 and user is not None and user.is_authenticated:
        # The user's links and the sidebar of the models they may see; never on a
        # server error, whose cause may be what these need.
        context = admin.site.each_context(request)
    context.update(title=title, message=message, remedy=remedy, site_url=admin.site.site_url)
    return render(request, TEMPLATE, context, status=status)


def page_not_found(request, exception=None):
    if not wants_page(request):
        return errors.page_not_found(request, exception)
    return error_page(
        request, 404, "Page not found", f"There is no page at {request.path}.", "Check the address, or start again."
    )


def permission_denied(request, exception=None):
    if not wants_page(request):
        return errors.permission_denied(request, exception)
    return error_page(
        request,
        403,
        "Permission denied",
        "Your account may not open this page or make this change.",
        "Ask an administrator for the permission, or log in as another user.",
    )


def bad_request(request, exception=None):
    if not wants_page(request):
        return errors.bad_request(request, exception)
    return error_page(request, 400, "Bad request", "The request could not be understood.")


def server_error(request):
    if not wants_page(request):
        return errors.server_error(request)
    return error_page(request, 500, "Server error", "Something went wrong on our side; it has been logged.")


def csrf_failure(request, reason=""):
    if not wants_page(request):
        return errors.csrf_failure(request, reason)
    return error_page(
        request,
        403,
        "Form expired",
        "The form was sent without a valid security token (CSRF), perhaps from an old page or another tab.",
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
