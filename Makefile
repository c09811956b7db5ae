# relayr: `make run` serves the app, `make test` runs the whole suite.
# Everything installs into git-ignored folders: .venv (Python), .tools (helm, kubectl, linters), var (local state).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: install requirements version system-deps run consume test lint migrations-check reliability bench bench-scale bench-compare bench-mqtt bench-ingest bench-prune bench-export ci tools chart-check image-lint image-deps image-test mysql-up mysql-down clean

## install: the virtualenv with the app's and the tests' pinned requirements, every file hash-checked
install: $(VENV)/.installed

$(VENV)/.installed: requirements/base.txt requirements/test.txt
	@$(MAKE) --no-print-directory system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements/test.txt
	touch $@

## requirements: compile requirements/*.in into requirements/*.txt with uv (settings: pyproject.toml's
## [tool.uv.pip]), keeping today's pins; UPGRADE=django moves one package to its newest allowed release,
## UPGRADE=all every one. Commit the .in and .txt files together. (REQUIREMENTS_OUT: where the .txt files
## go; tests/relayr/test_requirements.py compiles into a copy to find a stale one.)
REQUIREMENTS_OUT ?= requirements
requirements: install
	@for name in base test tools; do \
	  $(BIN)/uv pip compile --quiet $(if $(filter all,$(UPGRADE)),--upgrade,$(addprefix --upgrade-package ,$(UPGRADE))) \
	    requirements/$$name.in --output-file $(REQUIREMENTS_OUT)/$$name.txt || exit 1; \
	done

## version: relayr's version, written once in relayr/__init__.py
version:
	@sed -n 's/^__version__ = "\(.*\)"$$/\1/p' relayr/__init__.py

## system-deps: Python 3.11+ with venv, and the C client library and compiler mysqlclient builds against
system-deps:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "relayr needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) --version 2>&1)."; \
	  echo "Install one (e.g. sudo apt-get install python3.11 python3.11-venv) and run: make PYTHON=python3.11 run"; exit 1; }
	@missing=""; \
	$(PYTHON) -c 'import ensurepip' 2>/dev/null || missing="$$missing python3-venv"; \
	{ pkg-config --exists mysqlclient 2>/dev/null && command -v gcc >/dev/null; } || \
	  missing="$$missing default-libmysqlclient-dev pkg-config gcc python3-dev"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "relayr needs:$$missing. Run: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

# A random key for local runs, generated once and kept out of git; relayr.settings.dev reads it.
var/secret_key:
	@mkdir -p var
	@$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

var/admin_password:
	@mkdir -p var
	@$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(12))" > $@

## run: migrate, load the demo readings and serve with gunicorn on 127.0.0.1:$(PORT), as the container does (DEBUG off)
run: install var/secret_key var/admin_password
	@export DJANGO_SETTINGS_MODULE=relayr.settings.dev DJANGO_DEBUG=false DJANGO_SUPERUSER_USERNAME=admin \
	  DJANGO_SUPERUSER_PASSWORD="$$(cat var/admin_password)" HOST=127.0.0.1 PORT=$(PORT); \
	$(BIN)/python -c 'import socket, sys; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", $(PORT)))' 2>/dev/null || { \
	  echo "relayr: port $(PORT) on 127.0.0.1 is in use (another make run?). Stop it, or pick another: make run PORT=8001"; exit 1; }; \
	reached="$$($(BIN)/python manage.py wait_for_database --timeout 0 2>&1)" || { \
	  echo "$$reached" | tail -1; \
	  echo "relayr: cannot use the database in DATABASE_URL. To create it, run the SQL in README.md, \"Local development\"."; exit 1; }; \
	database="$$(printf %s "$${DATABASE_URL:-SQLite db.sqlite3}" | sed -E 's#(//[^:/@]*):[^@]*@#\1:***@#')"; \
	$(BIN)/python manage.py migrate --no-input && \
	$(BIN)/python manage.py loaddata demo_readings && \
	$(BIN)/python manage.py ensure_superuser && \
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0 && \
	echo && echo "relayr on http://127.0.0.1:$(PORT)/  (database: $$database)" && \
	echo "  API:     http://127.0.0.1:$(PORT)/api/v1/sensors" && \
	echo "  OpenAPI: http://127.0.0.1:$(PORT)/api/v1/openapi.json   docs: http://127.0.0.1:$(PORT)/api/v1/docs" && \
	echo "  health:  http://127.0.0.1:$(PORT)/readyz   metrics: http://127.0.0.1:$(PORT)/metrics" && \
	echo "  admin:   http://127.0.0.1:$(PORT)/admin/  user admin, password $$(cat var/admin_password)" && echo && \
	exec $(BIN)/gunicorn --config relayr/gunicorn.conf.py

## consume: consume_readings against make run's database and the broker at MQTT_URL (default mqtt://127.0.0.1:1883)
consume: install var/secret_key
	@export DJANGO_SETTINGS_MODULE=relayr.settings.dev DJANGO_SECRET_KEY="$$(cat var/secret_key)"; \
	$(BIN)/python manage.py migrate --no-input --verbosity 0 && \
	exec $(BIN)/python manage.py consume_readings

## test: the whole suite (pytest, ruff, the chart and image checks), on MySQL when DATABASE_URL points at one, SQLite otherwise
test: install tools
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

## reliability: the fault scenarios (tests/reliability) against MariaDB or MySQL; prints one row per scenario.
## Needs DATABASE_URL=mysql://...; scenario 5 stops and restarts that server when it is this machine's MariaDB
## or the MySQL of `make mysql-up` (RELAYR_SKIP_MARIADB_RESTART=1 skips it on MariaDB)
reliability: install
	@case "$${DATABASE_URL:-}" in mysql://*) ;; *) echo "make reliability: set DATABASE_URL=mysql://... (the faults sit between the app and its database)"; exit 1;; esac
	$(BIN)/pytest -m reliability tests/reliability

## lint: ruff only
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## migrations-check: fail when models and migrations disagree
migrations-check: install
	DJANGO_SETTINGS_MODULE=relayr.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

## tools: helm, kubectl, kubernetes-validate, checkov and hadolint into .tools/ (see .ci/tools.sh)
tools:
	@PYTHON=$(PYTHON) bash .ci/tools.sh

## chart-check: helm lint --strict, helm template per helm/relayr/ci/ scenario, kubernetes-validate --strict
## (Kubernetes 1.29 and 1.35), checkov on the rendered manifests, and the chart's pytest tests
chart-check: install tools
	$(BIN)/pytest tests/chart

## image-lint: hadolint on docker/Dockerfile with .hadolint.yaml: any finding fails (tests/docker runs it too)
image-lint: tools
	.tools/venv/bin/hadolint --config .hadolint.yaml docker/Dockerfile

## image-deps: podman, runc, debootstrap and docker-registry (Debian packages) for image-test
image-deps:
	@missing=""; for tool in podman runc debootstrap docker-registry; do command -v $$tool >/dev/null || missing="$$missing $$tool"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc debootstrap docker-registry; \
	  else \
	    echo "make image-test needs:$$missing (sudo apt-get install podman runc debootstrap docker-registry; run as root)"; exit 1; \
	  fi; \
	fi

## image-test: build docker/Dockerfile with podman on a local stand-in base (.ci/stand-in-base.sh), run it
## as the chart does against MariaDB (DATABASE_URL=mysql://...), publish image and chart to a local registry
image-test: install tools image-deps
	@case "$${DATABASE_URL:-}" in mysql://*) ;; *) echo "make image-test: set DATABASE_URL=mysql://... (the image runs against MariaDB)"; exit 1;; esac
	$(BIN)/pytest -m image tests/docker

## bench: throughput and latency of the read paths under wrk, against MariaDB (BENCH_DATABASE_URL,
## default relayr_bench on 127.0.0.1, filled once by generate_readings); prints a table, writes
## bench/results/*.json, exits 1 when a target of issue 5 is missed. BENCH_ARGS passes options.
bench: install
	@if ! command -v wrk >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; \
	  else \
	    echo "make bench needs wrk: sudo apt-get install wrk"; exit 1; \
	  fi; \
	fi
	$(BIN)/python -m bench.run $(BENCH_ARGS)

## bench-compare: relayr's custom pieces against Django's own (cache_page, the ORM, skipping the admin's middleware),
## and with BENCH_ARGS="--baseline PATH" this tree against another checkout, interleaved in one run
bench-compare: install
	$(BIN)/python -m bench.compare $(BENCH_ARGS)

## bench-mqtt: consume_readings' sustained rate (2 consumers) beside import_readings', p99 publish-to-stored
## at a set rate and consumer RSS, against MariaDB (BENCH_MQTT_DATABASE_URL, default relayr_bench_mqtt) and a
## Mosquitto of its own; writes bench/results/mqtt-*.json. BENCH_MQTT_ARGS passes options (--rows, --per-message).
bench-mqtt: install
	$(BIN)/python -m bench.mqtt_ingest $(BENCH_MQTT_ARGS)

## bench-ingest: import_readings against MariaDB's LOAD DATA LOCAL INFILE of the same 1,000,000-row CSV,
## side by side (BENCH_INGEST_DATABASE_URL, default relayr_bench_ingest); exits 1 below 0.3 x its rate
bench-ingest: install
	$(BIN)/python -m bench.ingest $(BENCH_ARGS)

## bench-export: one sensor's 1,000,000 readings as CSV through relayr against the mariadb client's
## `SELECT recorded_at, value` to /dev/null, side by side (BENCH_EXPORT_DATABASE_URL, default
## relayr_bench_export, filled once); exits 1 below 0.5 x the client's rows/s
bench-export: install
	$(BIN)/python -m bench.export $(BENCH_ARGS)

## bench-prune: W3's p99 alone and while prune_readings deletes (BENCH_PRUNE_DATABASE_URL, default
## relayr_bench_prune); exits 1 when pruning more than doubles it. Needs wrk, like make bench
bench-prune: install
	$(BIN)/python -m bench.prune $(BENCH_ARGS)

## mysql-up: MySQL 9 from Debian sid in a chroot on 127.0.0.1:3406 (root; the first run builds the chroot
## into .cache/mysql-sid, about 0.6 GB); a fresh, empty server each time. See .ci/mysql.sh
mysql-up:
	bash .ci/mysql.sh up

## mysql-down: stop that MySQL by its PID and unmount the chroot's /proc and /dev
mysql-down:
	bash .ci/mysql.sh down

## bench-scale: W3's and two aggregates' p50 at 10 thousand, 1 million and 10 million readings (one
## MariaDB database each, relayr_scale_<size>, filled once), bytes per reading and each index's cost
## per insert; writes bench/results/scale-latest.json. BENCH_SCALE_ARGS passes options (--sizes,
## --duration, --buffer-pool-mb).
bench-scale: install
	@command -v wrk >/dev/null || { echo "make bench-scale needs wrk: make bench installs it"; exit 1; }
	$(BIN)/python -m bench.scale $(BENCH_SCALE_ARGS)

## ci: what CI runs (MariaDB, MySQL, then SQLite)
ci:
	bash .ci/run

clean:
	rm -rf $(VENV) .tools var staticfiles db.sqlite3 .pytest_cache .ruff_cache
