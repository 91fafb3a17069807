# The project's own entry points. `make demo` and `make check` work on a fresh
# Debian machine: they install what they need first (as root). The packages cover
# the offline Wikibase bundle too (../shared/wikibase: php-cli, php-sqlite3,
# php-intl, php-mbstring, php-xml, tar and gzip). The demo needs the wiki only;
# the tests also need MariaDB (the state store) and Chromium (the browser tests).
PYTHON ?= python3
DEMO_PACKAGES = mediawiki php-cli php-sqlite3 php-intl php-mbstring php-xml php-curl imagemagick
TEST_PACKAGES = $(DEMO_PACKAGES) mariadb-server chromium chromium-driver
# the runtime's Python modules (pyproject's dependencies), checked without importing them
RUNTIME_MODULES = pywikibot mwparserfromhell toolforge yaml jinja2 requests sqlalchemy pymysql \
                  defusedxml matplotlib tqdm

define debian_packages
	@if [ "$$(id -u)" = 0 ] && ! dpkg -s $(1) >/dev/null 2>&1; then \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    --no-install-recommends $(1); \
	fi
endef

.PHONY: setup demo-setup demo check lint types test bench

setup:
	$(call debian_packages,$(TEST_PACKAGES))
	@$(PYTHON) -c "import bots, pytest, hypothesis, ruff, mypy, mwclient, selenium" 2>/dev/null && hubbot --version >/dev/null 2>&1 \
	  || $(PYTHON) -m pip install -q -e '.[test]'

# The demo runs this folder's code (python -m bots.cli) and installs only the
# runtime's dependencies when some are missing: an installed `hubbot` (an
# editable install of another checkout) is left as it is.
demo-setup:
	$(call debian_packages,$(DEMO_PACKAGES))
	@$(PYTHON) -c "import importlib.util as u, sys; sys.exit(any(u.find_spec(m) is None for m in '$(RUNTIME_MODULES)'.split()))" \
	  || $(PYTHON) -c "import subprocess, sys, tomllib; deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; sys.exit(subprocess.call([sys.executable, '-m', 'pip', 'install', '-q', *deps]))"

demo: demo-setup
	$(PYTHON) -m bots.cli demo

lint: setup
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .

types: setup
	$(PYTHON) -m mypy bots

test: setup
	$(PYTHON) -m pytest -q --durations=15

check: lint types test
