# The project's own entry points. `make demo` and `make check` work on a fresh
# Debian machine: they install what they need first (as root). The packages cover
# the offline Wikibase bundle too (../shared/wikibase: php-cli, php-sqlite3,
# php-intl, php-mbstring, php-xml, tar and gzip).
PYTHON ?= python3
DEBIAN_PACKAGES = mediawiki php-cli php-sqlite3 php-intl php-mbstring php-xml php-curl \
                  imagemagick mariadb-server

.PHONY: setup demo check lint types test bench

setup:
	@if [ "$$(id -u)" = 0 ] && ! dpkg -s $(DEBIAN_PACKAGES) >/dev/null 2>&1; then \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    --no-install-recommends $(DEBIAN_PACKAGES); \
	fi
	@$(PYTHON) -c "import bots, pytest, hypothesis, ruff, mypy, mwclient" 2>/dev/null && hubbot --version >/dev/null 2>&1 \
	  || $(PYTHON) -m pip install -q -e '.[test]'

demo: setup
	hubbot demo

lint: setup
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .

types: setup
	$(PYTHON) -m mypy bots

test: setup
	$(PYTHON) -m pytest -q --durations=15

check: lint types test
