"""The ``hubbot`` command line (SPEC section 9).

Exit status: 0 success, 2 bad usage or configuration, 3 stopped by the stop
page, 1 any other failure.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from bots import __version__
from bots.config import Config, ConfigError, load_config
from bots.progress import Bars

if TYPE_CHECKING:
    from bots.dev.devwiki import DevWiki
    from bots.store import StateStore
    from bots.wiki import Wiki

log = logging.getLogger("hubbot")

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_STOPPED = 3


class CommandError(Exception):
    """A failure the operator can act on; printed as one message, exit status 1."""


def setup_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    if not verbose:
        logging.getLogger("bots.wiki").setLevel(logging.INFO)


def connect(config: Config) -> Wiki:
    from bots.wiki import Wiki

    return Wiki.connect(
        config.wiki.api,
        config.wiki.username,
        config.wiki.password,
        contact=config.wiki.contact,
        maxlag=config.wiki.maxlag,
        timeout=config.wiki.timeout,
    )


def devwiki_for(config: Config) -> DevWiki:
    from bots.dev.devwiki import DevWiki

    return DevWiki.from_api_url(config.wiki.api, config.devwiki.dir, config.devwiki.wikibase)


# --- commands -----------------------------------------------------------------


def cmd_devwiki(config: Config, args: argparse.Namespace) -> int:
    wiki = devwiki_for(config)
    if args.action == "start":
        wiki.start(log.info)
        print(f"The dev wiki is running at {wiki.url}")
        print(f"  API: {wiki.api_url}  (accounts: Admin, HubBot, Partner, Volunteer, Reviewer)")
    elif args.action == "stop":
        print("stopped" if wiki.stop() else "the dev wiki was not running")
    elif args.action == "status":
        print(wiki.status())
    elif args.action == "reset":
        wiki.reset(log.info)
        print(f"A clean dev wiki is running at {wiki.url}")
    return EXIT_OK


def cmd_install(config: Config, args: argparse.Namespace) -> int:
    from bots.dev.forms import FormsSettings
    from bots.dev.install import install

    wiki = connect(config)
    results = install(
        wiki,
        config.hub.root,
        standins=config.hub.install_standins,
        force=args.force,
        progress=log.info,
        forms=FormsSettings.from_config(config),
    )
    counts: dict[str, int] = {}
    for r in results:
        if r.action == "ask":
            print(r.detail)
            continue
        counts[r.action] = counts.get(r.action, 0) + 1
    print(", ".join(f"{n} {a}" for a, n in sorted(counts.items())))
    print(f"Hub: {wiki.page_url(config.hub.root)}")
    return EXIT_FAILURE if counts.get("failed") else EXIT_OK


def open_store(config: Config) -> StateStore:
    from bots.store import StateStore

    url = config.state.url
    if url == "toolsdb" or url.startswith("toolsdb:"):
        # ToolsDB on Toolforge: credentials from ~/replica.my.cnf, database <user>__NAME
        return StateStore.from_toolforge(url.partition(":")[2] or "hubbot")
    return StateStore.from_url(url)


def cmd_run(config: Config, args: argparse.Namespace) -> int:
    from bots.jobs.run import Runner, RunOptions
    from bots.jobs.session import Stopped

    wiki = connect(config)
    store = open_store(config)
    try:
        runner = Runner(config, wiki, store, progress=log.info, bars=Bars(sys.stderr))
        summary = runner.run(
            RunOptions(request=args.request, max_seconds=args.max_seconds, max_files=args.max_files)
        )
    finally:
        store.close()
    if summary.stopped:
        raise Stopped(summary.stopped)
    for name, state in summary.requests.items():
        print(f"{name}: {state}" + (f" ({summary.errors[name]})" if name in summary.errors else ""))
    if not summary.requests:
        print(f"No requests under {runner.hub.requests_prefix}.")
    return EXIT_FAILURE if summary.errors else EXIT_OK


def cmd_demo(config: Config, args: argparse.Namespace) -> int:
    from bots.dev.demo import run_demo
    from bots.dev.forms import FormsSettings
    from bots.dev.install import install
    from bots.jobs.run import Runner, RunOptions
    from bots.jobs.session import Stopped

    if not config.wiki_is_local:
        raise CommandError(
            f"The demo runs only on the local dev wiki, and wiki.api is {config.wiki.api}."
        )
    dev = devwiki_for(config)
    dev.start(log.info)
    wiki = connect(config)
    install(
        wiki,
        config.hub.root,
        standins=config.hub.install_standins,
        progress=log.debug,
        forms=FormsSettings.from_config(config),
    )
    store = open_store(config)

    def run_bot() -> None:
        summary = Runner(config, wiki, store, progress=log.info, bars=Bars(sys.stderr)).run(
            RunOptions()
        )
        if summary.stopped:
            raise Stopped(summary.stopped)

    try:
        from bots.jobs.impact import run_impact

        urls = run_demo(
            config,
            count=args.records,
            say=print,
            run_bot=run_bot,
            wiki_url=wiki.page_url,
            run_impact=lambda name: run_impact(config, wiki, store, name, progress=log.info),
        )
    finally:
        store.close()
    print()
    print("Done. Have a look (the accounts and their passwords are in README.md):")
    for what, url in urls.items():
        print(f"  {what:12} {url}")
    print(f"The dev wiki keeps running at {dev.url}; `hubbot devwiki stop` stops it.")
    return EXIT_OK


def cmd_impact(config: Config, args: argparse.Namespace) -> int:
    from bots.jobs.impact import run_impact
    from bots.jobs.requests import FollowupError

    wiki = connect(config)
    store = open_store(config)
    try:
        written = run_impact(
            config, wiki, store, args.request, progress=log.info, max_seconds=args.max_seconds
        )
    except FollowupError as e:
        raise CommandError(str(e)) from None
    finally:
        store.close()
    for title in written:
        print(wiki.page_url(title))
    if not written:
        print("No uploaded files yet: no impact report written.")
    return EXIT_OK


def cmd_sync(config: Config, args: argparse.Namespace) -> int:
    from bots.jobs.requests import FollowupError
    from bots.jobs.sync import run_sync

    wiki = connect(config)
    store = open_store(config)
    try:
        results = run_sync(
            config, wiki, store, args.request, progress=log.info, max_seconds=args.max_seconds
        )
    except FollowupError as e:
        raise CommandError(str(e)) from None
    finally:
        store.close()
    for name, result in results.items():
        print(f"{name}: {result}")
    if not results:
        print("No finished request asks for sync (|sync=yes).")
    return EXIT_OK


def cmd_export(config: Config, args: argparse.Namespace) -> int:
    from bots.jobs.export import run_export
    from bots.jobs.requests import FollowupError

    wiki = connect(config)
    store = open_store(config)
    try:
        count = run_export(config, wiki, store, args.name, sys.stdout, args.format)
    except FollowupError as e:
        raise CommandError(str(e)) from None
    finally:
        store.close()
    log.info("%d records exported", count)
    return EXIT_OK


COMMANDS: dict[str, Callable[[Config, argparse.Namespace], int]] = {
    "devwiki": cmd_devwiki,
    "install": cmd_install,
    "run": cmd_run,
    "demo": cmd_demo,
    "impact": cmd_impact,
    "sync": cmd_sync,
    "export": cmd_export,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hubbot",
        allow_abbrev=False,
        description="Content Partnerships Hub bots: partner collections to Wikimedia Commons.",
    )
    parser.add_argument(
        "--config",
        help="YAML configuration file (default: $HUBBOT_CONFIG, then config/devwiki.yaml)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log every step")
    parser.add_argument("--version", action="version", version=f"hubbot {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("devwiki", help="a real local MediaWiki for development and demos")
    p.add_argument("action", choices=["start", "stop", "status", "reset"])

    p = sub.add_parser("install", help="install templates, hub pages and help pages")
    p.add_argument(
        "--force", action="store_true", help="overwrite pages humans changed since the last install"
    )
    p = sub.add_parser(
        "run", help="one pass over requests: validate, map, preview, upload what is approved"
    )
    p.add_argument("--request", metavar="NAME", help="only this request")
    p.add_argument(
        "--max-seconds", type=float, metavar="S", help="stop between files after S seconds"
    )
    p.add_argument("--max-files", type=int, metavar="N", help="upload at most N files in this run")
    p = sub.add_parser("impact", help="write impact reports (where the files are used)")
    p.add_argument("--request", metavar="NAME", help="only this request")
    p.add_argument(
        "--max-seconds", type=float, metavar="S", help="stop between requests after S seconds"
    )

    p = sub.add_parser(
        "sync",
        help="update finished requests' file pages from their source, keeping community edits",
    )
    p.add_argument("--request", metavar="NAME", help="only this request")
    p.add_argument(
        "--max-seconds", type=float, metavar="S", help="stop between requests after S seconds"
    )

    p = sub.add_parser("export", help="per record: file, SHA-1, categories, usage (CSV or JSON)")
    p.add_argument("name", metavar="NAME", help="the request")
    p.add_argument("--format", choices=["csv", "json"], default="csv")

    p = sub.add_parser("demo", help="the whole workflow on the dev wiki with sample data")
    p.add_argument("--records", type=int, default=24, help="how many sample records (default 24)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(args.verbose)
    from bots.dev import DevWikiError
    from bots.jobs.session import Stopped
    from bots.store import StateStoreError
    from bots.wiki import LoginError, WikiError

    try:
        config = load_config(args.config)
    except ConfigError as e:
        print(f"hubbot: configuration error: {e}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return COMMANDS[args.command](config, args)
    except Stopped as e:
        print(f"hubbot: stopped: {e}", file=sys.stderr)
        return EXIT_STOPPED
    except LoginError as e:
        print(f"hubbot: {e.info}", file=sys.stderr)
        return EXIT_FAILURE
    except (WikiError, DevWikiError, CommandError, StateStoreError) as e:
        print(f"hubbot: {getattr(e, 'info', None) or e}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("hubbot: interrupted", file=sys.stderr)
        return EXIT_FAILURE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
