# The two commands a newcomer needs: `make run` and `make test`.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint migrate demo bench clean chromium pictures

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Migrate the database, load the demo programme when it is empty, serve on :8000.
run: install
	$(BIN)/tracker run-sandbox

## The whole suite: SQLite always, PostgreSQL too when TRACKER_TEST_DATABASE_URL is set.
## It includes the browser tests, so it brings Debian's Chromium first when it is missing.
test: install chromium
	$(BIN)/pytest

## The browser tests drive the system Chromium (`playwright install` cannot download here).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y chromium; \
	  else echo "Chromium is missing and the browser tests need it. As root, run:"; \
	       echo "  apt-get update && apt-get install -y chromium"; exit 1; fi; \
	fi

lint: install
	$(BIN)/ruff check tracker integrations tests bench
	$(BIN)/mypy tracker integrations

migrate: install
	$(BIN)/tracker migrate

## API latency, then each page next to its JSON call, at 100k action items (SQLite, and
## PostgreSQL when one answers). Minutes, not seconds: each seeds its own 100k items.
bench: install
	$(BIN)/python bench/api.py
	$(BIN)/python bench/pages.py

## The README's pictures, from the demo programme (needs Chromium, like the browser tests).
pictures: install chromium
	$(BIN)/python -m tests.web.browser.pictures docs/pictures

clean:
	rm -rf $(VENV) tracker.db
