"""A request's life on the real wiki, for tests: file, run the bot, approve, look.

The partner, volunteer and reviewer are separate human sessions (mwclient);
the bot runs in-process through :class:`bots.jobs.run.Runner` with the test's
own configuration file, or as a real ``hubbot`` process when a test needs to
kill it.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bots.config import load_config
from bots.dev.demo import png
from bots.hub import Hub
from bots.jobs.run import Runner, RunOptions, RunSummary
from bots.pipeline.preview import preview_id_on_page
from bots.pipeline.request import set_param
from bots.reports.status import parse_status_line
from bots.store import StateStore

REQUEST_DEFAULTS = {
    "partner": "Test Museum",
    "format": "csv",
    "id": "id",
    "file": "image",
    "license": "CC0",
    "template": "Information",
    "title": "{title} ({id})",
    "description": "{title}",
    "author": "{artist}",
}


def request_wikitext(params: dict[str, str]) -> str:
    lines = ["{{Partnership request"]
    lines += [f" |{k} = {v}" for k, v in params.items()]
    lines.append("}}")
    return "\n".join(lines) + "\n"


def csv_text(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


@dataclass
class Media:
    """Files served by a loopback web server (the partner's website)."""

    folder: Path
    base_url: str
    seed: int = 0

    def put(self, name: str, data: bytes) -> str:
        (self.folder / name).write_bytes(data)
        return f"{self.base_url}/{name}"

    def image(self, name: str, seed: int | None = None) -> str:
        """A new PNG, unique unless ``seed`` repeats."""
        self.seed += 1
        return self.put(name, png(32, 24, seed if seed is not None else hash(name) + self.seed))

    def url(self, name: str) -> str:
        return f"{self.base_url}/{name}"


@dataclass
class Workflow:
    bot: Any  # bots.wiki.Wiki
    person: Any  # callable name -> Person
    config_path: Path
    hub_root: str
    media: Media
    hub: Hub = field(init=False)

    def __post_init__(self) -> None:
        self.hub = Hub(self.bot.normalize(self.hub_root))
        # file titles are wiki-wide: every test's titles carry its own tag
        self.tag = "T" + "".join(c for c in self.hub_root.split()[2] if c.isdigit())

    def rows(self, n: int, prefix: str = "R", **extra: str) -> list[dict[str, str]]:
        return rows(n, self.media, prefix=prefix, tag=self.tag, **extra)

    def title(self, record_id: str, ext: str = "png") -> str:
        """The file title the default patterns give a record made by :meth:`rows`."""
        return f"File:{self.tag} object {record_id} ({record_id}).{ext}"

    @property
    def config(self):
        return load_config(self.config_path, environ={})

    # -- humans ---------------------------------------------------------------
    def file_request(
        self,
        name: str,
        rows: list[dict[str, str]] | None = None,
        by: str = "Partner",
        **params: str,
    ) -> str:
        """Publish the rows (as CSV on the partner's server) and file a request."""
        merged = dict(REQUEST_DEFAULTS)
        if rows is not None:
            merged["source"] = self.media.put(f"{_slug(name)}.csv", csv_text(rows).encode())
        merged.update(params)
        merged = {k: v for k, v in merged.items() if v is not None}
        self.person(by).edit(self.hub.request(name), request_wikitext(merged), "new request")
        return self.hub.request(name)

    def set_request_param(self, name: str, param: str, value: str, by: str = "Partner") -> None:
        text = self.person(by).text(self.hub.request(name))
        self.person(by).edit(self.hub.request(name), set_param(text, param, value), f"{param}")

    def preview_id(self, name: str) -> str:
        pid = preview_id_on_page(self.bot.read_page(self.hub.preview(name)).text)
        assert pid, f"no preview for {name}"
        return pid

    def approve(self, name: str, by: str = "Reviewer", pid: str | None = None) -> str:
        pid = pid or self.preview_id(name)
        self.set_request_param(name, "approve", pid, by=by)
        return pid

    # -- the bot --------------------------------------------------------------
    def run(self, **options: Any) -> RunSummary:
        config = self.config
        store = StateStore.from_url(config.state.url)
        try:
            return Runner(config, self.bot, store, progress=lambda m: None).run(
                RunOptions(**options)
            )
        finally:
            store.close()

    def run_cli(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("HUBBOT_")}
        return subprocess.run(
            [sys.executable, "-m", "bots.cli", "--config", str(self.config_path), *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
        )

    def store(self) -> StateStore:
        return StateStore.from_url(self.config.state.url)

    # -- looking ----------------------------------------------------------------
    def status(self, name: str) -> dict[str, str]:
        return parse_status_line(self.bot.read_page(self.hub.status(name)).text)

    def status_text(self, name: str) -> str:
        return self.bot.read_page(self.hub.status(name)).text

    def uploads(self, name: str) -> list[str]:
        """Files in the request's hidden tracking category."""
        data = self.bot.call(
            action="query",
            list="categorymembers",
            cmtitle=f"Category:Content Partnerships Hub uploads/{name}",
            cmnamespace=6,
            cmlimit="max",
        )
        return sorted(m["title"] for m in data["query"]["categorymembers"])

    def file_text(self, title: str) -> str:
        return self.bot.read_page(title).text


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name)


def rows(
    n: int, media: Media, prefix: str = "R", tag: str = "", **extra: str
) -> list[dict[str, str]]:
    out = []
    for i in range(1, n + 1):
        rid = f"{prefix}{i:03d}"
        row = {
            "id": rid,
            "title": f"{tag} object {rid}".strip(),
            "artist": ["Blake, William", "Turner, J. M. W."][i % 2],
            "image": media.image(f"{tag}{prefix}-{i}.png"),
        }
        row.update(extra)
        out.append(row)
    return out
