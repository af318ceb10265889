# Essaimage: `make demo` runs the site on the bundled sample; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Every absolute link (exports, PDF, feeds, API, e-mails) comes from SITE_URL: by default the
# address this machine serves on; give the public address when there is one.
SITE_URL ?= http://127.0.0.1:$(PORT)
export SITE_URL
# The site's contact (contact pages, "mise en relation" when nobody else answers); e-mails go to
# the console unless EMAIL_BACKEND says otherwise.
CONTACT_EMAIL ?= contact@essaimage.localhost
export CONTACT_EMAIL

# The job worker (background exports, `manage.py db_worker`) runs beside the server and stops
# with it (Ctrl-C or any exit). In production run it as its own service: see docs/operations.md.
WITH_WORKER = $(PY) manage.py run_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM;

.PHONY: demo test install lint serve bench clean relevance

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# The clock (scheduled jobs, docs/operations.md) stops on Ctrl-C with the server: it handles SIGINT.
demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py import_senacs data/senacs_sample.txt data/senacs_pages
	$(PY) manage.py compute_similar
	$(PY) manage.py create_demo_accounts
	$(PY) manage.py create_demo_portal
	$(PY) manage.py clock & \
	$(WITH_WORKER) $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

# Production configuration on this machine: the Procfile's processes under honcho (release:
# collectstatic + migrate; web; worker; clock: the scheduled jobs, docs/operations.md);
# gunicorn (workers: WEB_CONCURRENCY, default 2 x cores + 1, see essaimage/gunicorn.conf.py), DEBUG off, whitenoise compressed static files.
# SECRET_KEY comes from the environment, else from var/secret_key (created once).
# Behind a TLS proxy leave SECURE_SSL_REDIRECT on; this local run serves plain HTTP.
serve: install
	@mkdir -p var
	@test -s var/secret_key || $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret_key
	export SECRET_KEY=$${SECRET_KEY:-$$(cat var/secret_key)} DEBUG=False \
	SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-False} PORT=$(PORT) PATH=$(CURDIR)/$(VENV)/bin:$$PATH; \
	$(VENV)/bin/honcho start -f Procfile

# Benchmark (bench/run.py): SHEETS=100000 make bench. Datasette lives in bench/.venv-datasette.
SHEETS ?= 10000
bench: install
	$(PY) bench/run.py --sheets $(SHEETS)

# Relevance of search on the sample's judged queries (search/data/judged_queries.toml), on SQLite
# then on PostgreSQL (RELEVANCE_DATABASE_URL), which must return the same sheets in the same order.
RELEVANCE_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/essaimage
relevance: install
	@mkdir -p var
	DATABASE_URL= $(PY) manage.py relevance --save var/relevance-sqlite.json
	DATABASE_URL=$(RELEVANCE_DATABASE_URL) $(PY) manage.py relevance --compare var/relevance-sqlite.json

clean:
	rm -rf $(VENV) var/*.sqlite3* var/search-index
