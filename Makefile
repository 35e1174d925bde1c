# Samskab: `make run` starts the product, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?=

# LAN=1 lets phones on the same network join: listen on every interface and
# print links with this machine's address. Off by default.
ifeq ($(LAN),1)
LAN_IP := $(shell hostname -I 2>/dev/null | awk '{print $$1}')
BIND := 0.0.0.0
ADDRESS := $(LAN_IP)
export ALLOWED_HOSTS := localhost,127.0.0.1,[::1],$(LAN_IP)
else
BIND := 127.0.0.1
ADDRESS := 127.0.0.1
endif

.PHONY: run test lint bench run-packages system-packages messages compile-messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || (scripts/install-system-packages python3-venv && $(PYTHON) -m venv $(VENV))
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed-run

# The ASGI server: uvicorn (websockets, no per-message compression), which holds a room of
# 1,000 phones at the pace docs/deploy.md asks for; SERVER=daphne runs Daphne instead.
SERVER ?= uvicorn
ifeq ($(SERVER),daphne)
SERVE := $(BIN)/daphne -b $(BIND) -p $(PORT) config.asgi:application
else
SERVE := $(BIN)/uvicorn --host $(BIND) --port $(PORT) --ws websockets \
	--ws-per-message-deflate false --lifespan off config.asgi:application
endif

run: run-packages $(VENV)/.installed-run
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --base-url http://$(ADDRESS):$(PORT)
	@# The background worker (mail, notices, scheduled jobs) runs beside the server and
	@# stops with it; both link to the address served unless SITE_URL says otherwise.
	export SITE_URL="$${SITE_URL:-http://$(ADDRESS):$(PORT)}"; \
		$(BIN)/python manage.py run_worker & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(SERVE)

# What the product itself needs from Debian: the PDF export's text layout (WeasyPrint)
# and its fonts, emoji included (an idea's emoji would print as an empty box without).
run-packages:
	scripts/install-system-packages libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
		fonts-dejavu-core fonts-noto-color-emoji

# What the tests start themselves: Redis, PostgreSQL and a real browser.
system-packages: run-packages
	scripts/install-system-packages redis-server chromium postgresql gettext

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/python manage.py makemigrations --check --dry-run

# The OpenID provider the eID tests start (npm's oidc-provider, pinned by its lock file).
EID_PROVIDER := tests/eid_provider
$(EID_PROVIDER)/node_modules/.installed: $(EID_PROVIDER)/package-lock.json
	npm ci --prefix $(EID_PROVIDER) --no-audit --no-fund
	touch $@

test: system-packages lint $(EID_PROVIDER)/node_modules/.installed
	$(BIN)/pytest $(PYTEST_ARGS)

# The room fan-out benchmark: raw websockets, bare Channels and Samskab side by side.
# BENCH_ARGS=--help lists its options (e.g. BENCH_ARGS="--n 2000 --processes 2").
BENCH_ARGS ?=
bench: $(VENV)/.installed-test
	$(BIN)/python -m bench.fanout.run $(BENCH_ARGS)

# After adding or changing strings: update locale/da and locale/sv from the code
# (docs/translating.md), translate the new entries, then compile.
messages: $(VENV)/.installed-test
	scripts/install-system-packages gettext
	$(BIN)/python manage.py makemessages -l da -l sv --no-obsolete
	$(BIN)/python manage.py makemessages -l da -l sv -d djangojs --no-obsolete
	@echo "Now translate the new and fuzzy entries in locale/*/LC_MESSAGES/*.po, then: make compile-messages"

compile-messages: $(VENV)/.installed-run
	$(BIN)/python manage.py compilemessages

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache staticfiles
