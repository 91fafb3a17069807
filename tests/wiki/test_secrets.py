"""Passwords never reach logs, files, pages or edit summaries (a whole run, grepped).

The bot logs in with a password no other test uses, then goes through the
whole workflow as separate ``hubbot -v`` processes: install, a partner's
request, mapping tables and preview, approval, uploads, impact, export and
sync; then a login with a wrong password, state URLs holding a database
password, and a password file others can read. Everything those runs left
behind is searched for every secret, in the forms a leak would take (as is,
URL-encoded, JSON-escaped) and for a random part of it, which survives any of
those encodings:

- stdout and stderr of every process (with ``-v``: pywikibot's own log too);
- every file in the pywikibot directory (cookies, throttle, API cache);
- the state database and the work directory;
- every revision the bot saved and every log entry it made (Status, Preview,
  Dashboard, Impact, mapping and file pages), with their edit summaries, and
  the recent changes feed (``rcprop=comment``);
- the dev wiki server's request log (a password sent in a URL would be there).
"""

from __future__ import annotations

import json
import os
import secrets
import stat
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
import yaml

from bots.dev.devwiki import free_port
from tests.support.workflow import Workflow

#: What a bot password needs (docs/toolforge.md lists the same grants).
BOT_PASSWORD_GRANTS = "basic,highvolume,editpage,createeditmovepage,uploadfile"


@dataclass(frozen=True)
class Secret:
    """A secret and the random part of it that any encoding leaves readable."""

    what: str
    value: str
    marker: str

    def forms(self) -> set[str]:
        return {
            self.value,
            quote(self.value, safe=""),
            quote_plus(self.value),
            json.dumps(self.value)[1:-1],
            self.marker,
        }


@dataclass(frozen=True)
class Login:
    """How the bot logs in for this test: a user name and its password."""

    username: str  # as the configuration has it
    account: str  # the account name edits are made under
    password: Secret


def new_secret(what: str, shape: Callable[[str], str]) -> Secret:
    marker = secrets.token_hex(12)
    return Secret(what, shape(marker), marker)


@pytest.fixture(
    params=[
        "account password",
        "bot password",
    ]
)
def login(request: pytest.FixtureRequest, devwiki) -> Login:
    """A fresh login: a bot account's own password, or a BotPassword as in production."""
    tag = secrets.token_hex(3)
    if request.param == "account password":
        # punctuation that URL and form encodings change, and no "@" (which
        # pywikibot takes for a BotPassword)
        password = new_secret("wiki password", lambda m: f"Hb+{m}/&=%25#;:x")
        account = f"Canary bot {tag}"
        devwiki.php("maintenance/createAndPromote.php", "--bot", account, password.value)
        return Login(account, account, password)
    # MediaWiki takes bot passwords of at least 32 characters from [0-9a-w]
    password = new_secret("bot password", lambda m: f"hubbotsecret{m}0000")
    app = f"secrets{tag}"
    devwiki.php(
        "maintenance/createBotPassword.php",
        "--appid",
        app,
        "--grants",
        BOT_PASSWORD_GRANTS,
        "HubBot",
        password.value,
    )
    return Login(f"HubBot@{app}", "HubBot", password)


# -- running hubbot and keeping everything it says --------------------------------


@dataclass
class Transcript:
    """Every ``hubbot`` process of the test, with its output."""

    config: Path
    env: dict[str, str]
    outputs: list[tuple[str, str]] = field(default_factory=list)  # (where, text)

    def hubbot(
        self, *args: str, expect: int = 0, config: Path | None = None, **env: str
    ) -> subprocess.CompletedProcess[str]:
        command = [
            sys.executable,
            "-m",
            "bots.cli",
            "--config",
            str(config or self.config),
            "-v",
            *args,
        ]
        result = subprocess.run(
            command,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=600,
        )
        where = "hubbot " + " ".join(args)
        self.outputs += [(f"{where} (stdout)", result.stdout), (f"{where} (stderr)", result.stderr)]
        assert result.returncode == expect, f"{where}: exit {result.returncode}\n{result.stderr}"
        return result


def files_under(folder: Path) -> list[tuple[str, str]]:
    """(path, text) of every file below ``folder``, bytes read as text."""
    return [
        (str(path), path.read_bytes().decode("utf-8", errors="replace"))
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    ]


def query_all(wiki: Any, **params: Any) -> Iterator[dict[str, Any]]:
    """Every page of an API query, following ``continue``."""
    params = {"action": "query", **params}
    while True:
        data = wiki.call(**params)
        yield data
        if "continue" not in data:
            return
        params.update(data["continue"])


def what_the_bot_wrote(
    wiki: Any, account: str, since: str
) -> tuple[list[tuple[str, str]], set[str]]:
    """Every revision (text and summary), log entry and recent change by ``account``.

    Also returns the titles of the pages it saved, to show the search was not empty.
    """
    found: list[tuple[str, str]] = []
    titles: set[str] = set()
    revids: list[int] = []
    for data in query_all(
        wiki,
        list="usercontribs",
        ucuser=account,
        ucstart=since,
        ucdir="newer",
        ucprop="ids|title|comment",
        uclimit="max",
    ):
        for contribution in data["query"]["usercontribs"]:
            revids.append(contribution["revid"])
            found.append((f"summary of {contribution['title']}", contribution.get("comment", "")))
    for start in range(0, len(revids), 50):
        batch = "|".join(str(r) for r in revids[start : start + 50])
        data = wiki.call(
            action="query",
            prop="revisions",
            revids=batch,
            rvprop="ids|content|comment",
            rvslots="main",
        )
        for page in data["query"]["pages"]:
            for revision in page.get("revisions", []):
                text = revision["slots"]["main"].get("content", "")
                found.append((f"revision {revision['revid']} of {page['title']}", text))
                titles.add(page["title"])
    for data in query_all(
        wiki,
        list="recentchanges",
        rcuser=account,
        rcstart=since,
        rcdir="newer",
        rcprop="title|comment|loginfo|ids",
        rclimit="max",
    ):
        for change in data["query"]["recentchanges"]:
            found.append((f"recent change to {change['title']}", json.dumps(change)))
    for data in query_all(
        wiki,
        list="logevents",
        leuser=account,
        lestart=since,
        ledir="newer",
        leprop="title|type|comment|details",
        lelimit="max",
    ):
        for event in data["query"]["logevents"]:
            found.append((f"log entry for {event.get('title', '')}", json.dumps(event)))
    return found, titles


def leaks(places: Iterable[tuple[str, str]], secret: Secret) -> list[str]:
    """Where any form of ``secret`` shows, as 'place: form'."""
    forms = secret.forms()
    return [f"{where}: {form!r}" for where, text in places for form in forms if form in text]


# -- the test -------------------------------------------------------------------------


def test_no_password_in_anything_a_whole_run_leaves(
    login: Login, bot, person, devwiki, config_file, hub_root, media, tmp_path: Path
) -> None:
    pywikibot_dir = tmp_path / "pywikibot"
    pywikibot_dir.mkdir(mode=0o700)
    # the file holds no password: it comes from the environment, as on Toolforge
    config = config_file(wiki={"username": login.username, "password": ""})
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUBBOT_")}
    env["PYWIKIBOT_DIR"] = str(pywikibot_dir)
    run = Transcript(config, {**env, "HUBBOT_WIKI_PASSWORD": login.password.value})
    flow = Workflow(bot=bot, person=person, config_path=config, hub_root=hub_root, media=media)
    wrong = new_secret("wrong password", lambda m: f"Wr0ng+{m}/&=%25")
    database = new_secret("database password", lambda m: f"Db+{m}/&=%25")
    since = bot.call(action="query", meta="siteinfo", curtimestamp=1)["curtimestamp"]
    server_log_start = devwiki.log_file.stat().st_size

    # the whole workflow, each step its own process
    run.hubbot("install")
    name = f"Secret {flow.tag}"
    flow.file_request(name, flow.rows(3, prefix="S"), mapped="artist", sync="yes")
    assert f"{name}: awaiting-approval" in run.hubbot("run").stdout
    flow.approve(name)
    assert f"{name}: done" in run.hubbot("run").stdout
    assert len(flow.uploads(name)) == 3

    # impact with the password in a private file instead of the environment
    password_file = tmp_path / "wiki-password"
    password_file.write_text(login.password.value + "\n", encoding="utf-8")
    password_file.chmod(0o600)
    private = tmp_path / "private.yaml"
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    settings["wiki"]["password_file"] = str(password_file)
    private.write_text(yaml.safe_dump(settings), encoding="utf-8")
    impact = run.hubbot("impact", config=private, HUBBOT_WIKI_PASSWORD="")
    assert "Impact" in impact.stdout
    exported = run.hubbot("export", name, "--format", "json")
    assert len(json.loads(exported.stdout)) == 3
    run.hubbot("sync")

    # a wrong password, and state URLs holding a database password
    refused = run.hubbot("run", expect=1, HUBBOT_WIKI_PASSWORD=wrong.value)
    assert "wrong username or password" in refused.stderr
    closed = f"mysql+pymysql://hubbot:{database.value}@127.0.0.1:{free_port()}/hubbot__x"
    unreachable = run.hubbot("run", expect=1, HUBBOT_STATE_URL=closed)
    assert "hubbot:***@127.0.0.1" in unreachable.stderr
    malformed = f"mysql+pymysql://hubbot:{database.value}@127.0.0.1:port/hubbot__x"
    unparsable = run.hubbot("run", expect=1, HUBBOT_STATE_URL=malformed)
    assert "state.url is not a database URL" in unparsable.stderr
    # a password file others can read is refused before anything is sent
    password_file.chmod(0o644)
    shared = run.hubbot("run", expect=2, config=private, HUBBOT_WIKI_PASSWORD="")
    assert "chmod 600" in shared.stderr

    # everything that was said, kept or written
    places: list[tuple[str, str]] = list(run.outputs)
    kept = files_under(pywikibot_dir)
    assert (pywikibot_dir / "throttle.ctrl").exists(), [p for p, _ in kept]
    assert any(path.endswith(".lwp") for path, _ in kept), "no cookie file: wrong directory?"
    places += kept
    places += files_under(tmp_path / "work") if (tmp_path / "work").exists() else []
    state = [(p, t) for p, t in files_under(tmp_path) if "state.sqlite3" in Path(p).name]
    assert state, "no state database was written"
    places += state
    written, titles = what_the_bot_wrote(bot, login.account, since)
    for page in ("Preview", "Status", "Impact", "Mappings/artist"):
        assert flow.hub.request(name) + "/" + page in titles, sorted(titles)
    assert flow.hub.dashboard in titles and flow.hub.root + "/Impact" in titles
    assert len([t for t in titles if t.startswith("File:")]) >= 3
    places += written
    with devwiki.log_file.open("rb") as server_log:
        server_log.seek(server_log_start)
        places.append(("dev wiki request log", server_log.read().decode(errors="replace")))
    verbose = "".join(text for where, text in run.outputs if where.endswith("(stderr)"))
    assert "DEBUG pywikibot: API request" in verbose  # -v really let pywikibot talk

    found = [leak for secret in (login.password, wrong, database) for leak in leaks(places, secret)]
    assert found == [], "secrets leaked:\n" + "\n".join(found)
    assert not stat.S_IMODE(pywikibot_dir.stat().st_mode) & 0o077
