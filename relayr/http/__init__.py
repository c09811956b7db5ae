"""The request pipeline every API request takes, at the project level.

Follow a request down ``MIDDLEWARE`` (relayr/settings/common.py):

- ``middleware.CorsMiddleware`` (outermost): django-cors-headers adds the
  CORS headers for the request's Origin to every API answer on its way out,
  the cached ones too; a preflight goes on down like any OPTIONS.
- ``middleware.ErrorMiddleware``: whatever a view raises reaches Django's
  ``process_exception``; an ``ApiError`` becomes its JSON error, a database
  failure anywhere (API or admin) a 503.
- ``middleware.ApiMiddleware``: a request whose path matches the API's own URL
  patterns (``settings.API_URLCONF``) is the API's. It refuses writes, answers
  OPTIONS, serves the response cache (``cache``), and gives every 200 its
  ETag, caching headers and conditional GET (a streamed export: caching
  headers only, never stored); otherwise the admin's
  middleware below it runs and Django's handler calls the view, as for any
  request.
- ``checks``: ``manage.py check`` fails when MIDDLEWARE is in an order that
  would make an API request skip something it needs.

Views build bodies with ``responses``, read parameters with ``params``,
page with ``pagination``, stream whole listings as CSV or NDJSON with
``export`` and raise ``errors``.
"""
