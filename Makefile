# Two commands for a new user: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install messages worker beat bench lint format clean-db lock lock-check topology-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Installs exactly the versions in requirements-dev.lock (the runtime pins plus the dev tools), then the
# project itself without resolving anything again. `make lock` regenerates the lock files.
$(STAMP): pyproject.toml requirements.lock requirements-dev.lock | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $(STAMP)

# Resolve pyproject.toml again (from PyPI) into the lock files, keeping existing pins where they still fit.
# requirements.lock: what the application runs with (Dockerfile); requirements-dev.lock: the same pins plus
# the dev extra (make run, make test, CI). Add UPGRADE=1 to move every pin to the newest allowed release.
LOCK_FLAGS = --python-version 3.11 --python-platform x86_64-unknown-linux-gnu --quiet $(if $(UPGRADE),--upgrade)
lock: | $(BIN)/python
	$(BIN)/pip install -q 'uv>=0.9,<1'
	$(BIN)/uv pip compile pyproject.toml $(LOCK_FLAGS) -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev -c requirements.lock $(LOCK_FLAGS) -o requirements-dev.lock
	$(BIN)/python .ci/check_lock.py

# Offline and deterministic: every requirement of pyproject.toml is pinned in the lock files, within its range.
lock-check: | $(BIN)/python
	$(BIN)/python .ci/check_lock.py

install: $(STAMP) messages

messages: $(STAMP)
	$(BIN)/python manage.py compilemessages --ignore=.venv -v0

# One line per fact: the development key is announced here once, not by every process the target starts.
run: export SORUM_DEV_NOTICE_SHOWN = 1
run: install
	@echo "Development mode: built-in SECRET_KEY, SQLite (db.sqlite3), tasks run at once without a broker. Never in production."
	@$(BIN)/python manage.py migrate --noinput -v0 && echo "Database up to date."
	@$(BIN)/python manage.py seed_demo
	@echo "Serving on http://127.0.0.1:8000 (log in with a demo user above)"
	@$(BIN)/python manage.py runserver 127.0.0.1:8000

# lint-imports: the layer contracts in .importlinter; dead_code.py: vulture with .ci/vulture_whitelist.py.
test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python .ci/dead_code.py
	$(BIN)/pytest

# The scaled-out topology on real servers (docs/scaling.md): nginx in front of two gunicorn nodes, a PostgreSQL
# primary with a streaming replica (pg_basebackup), two Celery workers, the relay and beat on a private Redis.
# Needs root (the clusters run as the postgres OS user), nginx, wrk and PostgreSQL 15; takes a few minutes.
topology-test: install
	$(BIN)/pytest tests/topology -m topology -p no:cacheprovider -s

worker: install
	$(BIN)/celery -A sorum_archive worker --loglevel=INFO --concurrency=2

beat: install
	$(BIN)/celery -A sorum_archive beat --loglevel=INFO

bench: install
	$(BIN)/python bench/run_all.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python .ci/dead_code.py

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
