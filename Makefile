# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint install cipher-key init demo bench clean i18n

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e ".[dev,postgres]"
	touch $(STAMP)

install: $(STAMP)

# A fresh embedded database gets a payload cipher key under var/ (never for an existing one:
# its events were written in clear and must stay readable).
cipher-key: install
	@mkdir -p var
	@if [ ! -e var/jejak.db ] && [ ! -e var/cipher_key ] && [ -z "$$JEJAK_CIPHER_KEY" ] && [ -z "$$JEJAK_DATABASE_URL" ]; then \
		umask 077 && $(BIN)/python -m infrastructure.keys > var/cipher_key && echo "generated var/cipher_key"; fi

init: install cipher-key
	$(BIN)/jejak init

demo: init
	$(BIN)/jejak demo

run: demo
	$(BIN)/jejak serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

# Static checks (not part of `make test`): ruff's lint rules and mypy over the four layers.
lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy domain application infrastructure web

bench: install
	$(BIN)/python -m bench.rebuild_directory --events 1000000

clean:
	rm -rf $(VENV) build *.egg-info

# Page translations: extract the messages, merge them into the catalogues, compile the .mo files (committed, so a
# fresh install has them; tests/web/test_pages_i18n.py fails when a .mo is older than its .po).
CATALOGUES := web/pages/translations
i18n: install
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k _l -o $(CATALOGUES)/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i $(CATALOGUES)/messages.pot -d $(CATALOGUES) --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -d $(CATALOGUES) --statistics
