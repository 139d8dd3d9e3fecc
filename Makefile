# DMSU desk — set-up, run and test. Everything the project needs is installed from here.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
PG_TEST_URL ?= postgresql://root@127.0.0.1:5432/test
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: setup setup-dev run test check test-sqlite test-postgres lint format chromium java postgres redis rt mailserver repotools clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

static/vendor/htmx.min.js: node_modules/.installed
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js

setup: $(VENV)/.runtime static/vendor/htmx.min.js

setup-dev: $(VENV)/.dev static/vendor/htmx.min.js

## Run the site on the embedded SQLite default with demo data.
run: setup
	$(FLASK) dmsu init
	$(FLASK) dmsu demo --if-empty
	DMSU_SCHEDULER=1 $(FLASK) run --host $(HOST) --port $(PORT)

## Run the whole test suite: lint, then every test on SQLite and on PostgreSQL.
test: setup-dev chromium java postgres redis rt mailserver repotools lint test-sqlite test-postgres

## The fast tier: lint and the SQLite tests without the browser journeys or RT (no root needed).
check: setup-dev java lint
	$(BIN)/pytest -q --ignore=tests/e2e -m "not rt"

test-sqlite:
	$(BIN)/pytest -q

test-postgres:
	DMSU_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -q

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

chromium:
	@test -x /usr/bin/chromium || { echo "Installing Debian's Chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@test -x /usr/bin/chromium || { echo "Chromium could not be installed (apt-get install chromium)"; exit 1; }

## Java for the Nu HTML Checker (node_modules/vnu-jar) of tests/site/test_html_validity.py.
java:
	@command -v java >/dev/null || { echo "Installing Java for the Nu HTML Checker"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; }
	@command -v java >/dev/null || { echo "Java could not be installed (apt-get install default-jre-headless): the HTML validity test needs it"; exit 1; }
	@test -f node_modules/vnu-jar/build/dist/vnu.jar || { echo "node_modules/vnu-jar is missing: run npm install"; exit 1; }

postgres:
	@if ! pg_isready -q -h 127.0.0.1 -p 5432; then \
	  if [ -d /etc/postgresql ] && [ -n "$$(ls /etc/postgresql)" ]; then \
	    pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -1) main start; \
	  else echo "PostgreSQL is not installed: the tests need it on 127.0.0.1:5432"; exit 1; fi; \
	fi
	@for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && exit 0; sleep 1; done; \
	  echo "PostgreSQL did not start on 127.0.0.1:5432"; exit 1

## Redis on 127.0.0.1:6379: the login limit's shared storage where DATABASE_URL is PostgreSQL.
redis:
	@if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then \
	  if ! command -v redis-server >/dev/null; then \
	    echo "Installing Redis for the login limit's tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; \
	  fi; \
	  redis-server --bind 127.0.0.1 --port 6379 --daemonize yes >/dev/null; \
	fi
	@for i in $$(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && exit 0; sleep 1; done; \
	  echo "Redis did not start on 127.0.0.1:6379"; exit 1

## Request Tracker 5 for the requirements tests (tests/support/rt_server.py starts one on loopback).
RT_SETUP_DB := /usr/sbin/rt-setup-database-5
RT_SERVER := /usr/share/request-tracker5/libexec/rt-server
rt:
	@if [ ! -x $(RT_SETUP_DB) ] || [ ! -x $(RT_SERVER) ]; then \
	  echo "Installing Request Tracker 5 (SQLite, standalone) for the requirements tests"; \
	  printf '%s\n' 'request-tracker5 request-tracker5/dbconfig-install boolean false' \
	    'request-tracker5 request-tracker5/install-cronjobs boolean false' | debconf-set-selections; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    request-tracker5 rt5-db-sqlite rt5-standalone >/dev/null; \
	fi
	@test -x $(RT_SETUP_DB) && test -x $(RT_SERVER) || { echo "Request Tracker 5 could not be installed (apt-get install request-tracker5 rt5-db-sqlite rt5-standalone)"; exit 1; }

## Dovecot IMAP for the forums tests (tests/support/imap_server.py starts one on loopback with a
## config of its own; the package's own daemon is not used).
mailserver:
	@test -x /usr/sbin/dovecot || { echo "Installing Dovecot IMAP for the forums tests"; \
	  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends dovecot-imapd >/dev/null; \
	  rm -f /usr/sbin/policy-rc.d; }
	@test -x /usr/sbin/dovecot || { echo "Dovecot could not be installed (apt-get install dovecot-imapd)"; exit 1; }

## rpmbuild, createrepo_c and apt-ftparchive: the repositories tests build real yum and apt repositories.
repotools:
	@command -v rpmbuild >/dev/null && command -v createrepo_c >/dev/null && command -v apt-ftparchive >/dev/null || { \
	  echo "Installing rpm, createrepo-c and apt-utils for the repositories tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends rpm createrepo-c apt-utils >/dev/null; }
	@command -v rpmbuild >/dev/null && command -v createrepo_c >/dev/null && command -v apt-ftparchive >/dev/null || { \
	  echo "rpm, createrepo-c or apt-utils could not be installed (apt-get install rpm createrepo-c apt-utils)"; exit 1; }

clean:
	rm -rf $(VENV) node_modules static/vendor
