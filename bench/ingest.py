"""pywikibot's own ``data_ingestion`` script, pointed at a dev wiki.

pywikibot is configured in code, as hubbot configures it: no user-config.py,
the wiki registered by its api.php URL, the account's name, and no pause
between writes (``put_throttle = 0``, the setting hubbot uses too; pywikibot's
default would wait 10 seconds after every upload). Everything else keeps
pywikibot's defaults, among them ``minthrottle`` (0.1 s between any two API
requests) unless ``BENCH_PYWIKIBOT_MINTHROTTLE`` says otherwise. The script itself runs
unchanged through its ``main()`` with the arguments its documentation gives.

Run as ``python -m bench.ingest API_URL USERNAME CSV_DIR CONFIG_PAGE`` with
the password in ``BENCH_WIKI_PASSWORD`` and a private ``PYWIKIBOT_DIR``.
"""

from __future__ import annotations

import os
import sys

FAMILY = "benchwiki"


def configure(api: str, username: str) -> None:
    os.environ["PYWIKIBOT_NO_USER_CONFIG"] = "2"
    from pywikibot import config

    config.family_files[FAMILY] = api
    config.family = FAMILY
    config.mylang = FAMILY
    config.usernames[FAMILY][FAMILY] = username
    config.put_throttle = 0
    config.simulate = False
    if "BENCH_PYWIKIBOT_MINTHROTTLE" in os.environ:  # the variant without the read throttle
        config.minthrottle = float(os.environ["BENCH_PYWIKIBOT_MINTHROTTLE"])


def login(username: str, password: str):
    import pywikibot
    from pywikibot import login as pwb_login

    site = pywikibot.Site(FAMILY, FAMILY)
    manager = pwb_login.ClientLoginManager(password=password, site=site, user=username)
    if not manager.login(retry=False):
        raise SystemExit(f"{username} could not log in")
    site.login()
    return site


def main(argv: list[str]) -> int:
    api, username, csv_dir, config_page = argv
    configure(api, username)
    site = login(username, os.environ["BENCH_WIKI_PASSWORD"])
    from pywikibot_scripts import data_ingestion

    data_ingestion.main(
        f"-family:{FAMILY}",
        f"-lang:{FAMILY}",
        f"-csvdir:{csv_dir}",
        f"-page:{config_page}",
    )
    print(f'{{"user": "{site.user()}"}}')
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
