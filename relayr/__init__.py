# relayr's version, written only here: the API and the OpenAPI document report it; pyproject.toml
# and the chart's appVersion copy it, checked by tests/relayr/test_version.py; `make version` prints it
# and a release tag must be v<this> (.travis.yml).
__version__ = "1.0.0"
