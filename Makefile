# Doorstep: `make run` (set up, migrate, seed a demo, serve) and `make test` (set up, run it all).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run run-prod test setup system-deps pwa pwa-test lint typecheck pytest migrate seed serve migrations clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP) pwa

# Debian packages the tests drive for real: Caddy, and Chromium for the browser tests
# (Playwright drives /usr/bin/chromium; never `playwright install`).
system-deps:
	@if ! command -v caddy >/dev/null || ! command -v chromium >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			caddy chromium fonts-dejavu-core >/dev/null; \
	fi

# The PWA is built when it exists (pwa/package.json).
pwa:
	@if [ -f pwa/package.json ]; then cd pwa && npm ci --no-audit --no-fund && npm run build; fi

run: setup migrate seed serve

# Production shape on one machine: two workers behind Caddy on http://localhost:8080.
run-prod: setup migrate seed
	@echo "Doorstep behind Caddy on http://localhost:8080 (Ctrl-C to stop)"
	@trap 'kill 0' EXIT; \
	DOORSTEP_ORIGIN=http://localhost:8080 $(BIN)/doorstep serve --port 8001 & \
	DOORSTEP_ORIGIN=http://localhost:8080 $(BIN)/doorstep serve --port 8002 & \
	DOORSTEP_DOMAIN=http://127.0.0.1:8081 DOORSTEP_UPSTREAMS="127.0.0.1:8001 127.0.0.1:8002" \
	caddy run --config Caddyfile --adapter caddyfile

migrate: $(STAMP)
	$(BIN)/doorstep migrate

seed: $(STAMP)
	$(BIN)/doorstep seed-demo

serve: $(STAMP)
	@echo "Doorstep on http://localhost:$(PORT) (Ctrl-C to stop)"
	$(BIN)/doorstep serve --host $(HOST) --port $(PORT)

test: setup system-deps lint typecheck pwa-test pytest

# The app's own tests (vitest): storage, outbox, sync client and every sync/vectors case.
pwa-test:
	@if [ -f pwa/package.json ]; then cd pwa && npm test; fi

lint: $(STAMP)
	$(BIN)/ruff check server sync tests bench harness
	$(BIN)/ruff format --check server sync tests bench harness

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/python -m pytest

# For developers: write a migration for model changes (review it, then commit it).
migrations: $(STAMP)
	$(BIN)/tortoise -c server.db.TORTOISE_ORM makemigrations

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
