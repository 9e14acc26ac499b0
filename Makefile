# Two commands for a new user: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install messages worker beat bench lint format clean-db

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP) messages

messages: $(STAMP)
	$(BIN)/python manage.py compilemessages --ignore=.venv -v0

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Serving on http://127.0.0.1:8000 (log in with a demo user above)"
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

worker: install
	$(BIN)/celery -A sorum_archive worker --loglevel=INFO --concurrency=2

beat: install
	$(BIN)/celery -A sorum_archive beat --loglevel=INFO

bench: install
	$(BIN)/python bench/run_all.py

lint: install
	$(BIN)/ruff check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
