"""Configuration: a YAML file, every key overridable by ``HUBBOT_*`` variables.

The schema is the dataclasses below. Loading walks them, so an unknown key, a
value of the wrong type or a missing required key is reported as one plain
sentence naming the key (the CLI turns :class:`ConfigError` into exit status 2).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import stat
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

ENV_PREFIX = "HUBBOT_"
DEFAULT_CONFIG = "config/devwiki.yaml"


class ConfigError(Exception):
    """A configuration problem, in one sentence naming the key."""


@dataclass(frozen=True)
class WikiConfig:
    api: str
    username: str
    #: dev only; in production from HUBBOT_WIKI_PASSWORD or password_file
    password: str = field(default="", repr=False)
    #: a file holding only the password; must not be readable by others
    password_file: str = ""
    #: who to contact about the bot, sent in the User-Agent
    contact: str = ""
    maxlag: int = 5
    #: seconds to wait for one API request
    timeout: int = 120


@dataclass(frozen=True)
class HubConfig:
    root: str = "Project:Content Partnerships Hub"
    #: how many file pages the preview renders in full
    preview_files: int = 20
    #: write simple stand-ins for Commons templates (Information, licences...)
    install_standins: bool = False
    #: seconds between the status page's saves while uploading (SPEC 7: at most once a
    #: minute; a shorter setting counts as 60): every 5 minutes keeps a long batch's
    #: progress in view without filling the page's history (a 10-hour batch: 120 saves)
    status_interval: int = 300
    #: an approved undo deletes the request's uploads when the bot's account may delete;
    #: otherwise (the default) it lists them on one deletion request page
    undo_deletes: bool = False


@dataclass(frozen=True)
class ApproversConfig:
    groups: tuple[str, ...] = ("sysop",)
    users: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourcesConfig:
    allow_hosts: tuple[str, ...] = ()
    allow_private_addresses: bool = False
    max_metadata_bytes: int = 52428800
    max_file_bytes: int = 5368709120
    #: seconds a partner's server may stay silent (to connect, before the first
    #: byte, between bytes) and one metadata download may take in all; a media
    #: file gets a second more per MiB. A run's --max-seconds cuts them shorter.
    timeout: int = 300
    #: media downloads at once per partner host, ahead of the uploads (at least 1)
    parallel_downloads: int = 4


@dataclass(frozen=True)
class StateConfig:
    url: str = "sqlite:///var/hubbot.sqlite3"


@dataclass(frozen=True)
class UploadConfig:
    #: files above this size are sent in chunks through the upload stash (bytes;
    #: Commons refuses single requests above 100 MiB)
    chunk_threshold: int = 50 * 1024 * 1024
    #: bytes per chunk (at least the wiki's minimum chunk size)
    chunk_size: int = 10 * 1024 * 1024
    #: seconds the wiki keeps stashed chunks ($wgUploadStashMaxAge); older ones start again
    stash_max_age: int = 6 * 3600
    #: uploads per minute for accounts without the bot flag (0 = no pacing of
    #: our own; the wiki's rate-limit answers are waited out either way)
    max_per_minute: float = 0
    #: the longest single wait for maxlag, Retry-After or a rate limit (seconds)
    max_wait: int = 300
    #: first back-off when the wiki gives no Retry-After (seconds; doubles each time)
    backoff: float = 2.0
    #: unanswered or refused requests of one write before the run stops for now
    retries: int = 5
    #: how long a run waits for read-only mode to end before it ends (seconds)
    read_only_wait: int = 900
    #: how often a waiting run asks whether read-only mode has ended (seconds)
    read_only_poll: int = 30
    #: the longest total wait for one upload because of rate limits (seconds)
    rate_limit_wait: int = 3600
    #: where media are downloaded before upload
    work_dir: str = "var/work"


@dataclass(frozen=True)
class ImpactConfig:
    #: base URL of the Wikimedia Analytics REST API (page views, media requests);
    #: empty: those figures are reported as not measured
    analytics_url: str = ""


@dataclass(frozen=True)
class DevwikiConfig:
    #: where `hubbot devwiki` keeps the local wiki (database, uploads, logs)
    dir: str = "var/devwiki"
    #: the offline Wikibase bundle the dev wiki installs (the folder holding its
    #: install.sh); empty: the shared/wikibase folder beside the repository
    wikibase: str = ""


@dataclass(frozen=True)
class Licence:
    """A licence a request may name: its template, and its items for structured data.

    ``item`` is the licence's item (copyright license, P275) and ``status``
    the copyright status item (P6216); both default to Wikidata's for the
    licences whose template is known (see :data:`KNOWN_LICENCE_ITEMS`).
    """

    template: str
    item: str = ""
    status: str = ""


#: Wikidata's items of the licence templates Commons uses most: template -> (licence, status).
KNOWN_LICENCE_ITEMS: dict[str, tuple[str, str]] = {
    "cc-zero": ("Q6938433", "Q88088423"),
    "cc-by-4.0": ("Q20007257", "Q50423863"),
    "cc-by-sa-4.0": ("Q18199165", "Q50423863"),
}


def licence(template: str, item: str = "", status: str = "") -> Licence:
    """A licence, with Wikidata's items for a known template where none are given."""
    known = KNOWN_LICENCE_ITEMS.get(template.strip().strip("{}").strip().lower(), ("", ""))
    return Licence(template, item or known[0], status or known[1])


#: Wikidata's properties, by the role the bot gives them (``wikibase.properties`` overrides).
DEFAULT_PROPERTIES: dict[str, str] = {
    "instance_of": "P31",
    "image": "P18",
    "operator": "P137",
    "creator": "P170",
    "depicts": "P180",
    "collection": "P195",
    "inventory_number": "P217",
    "copyright_license": "P275",
    "inception": "P571",
    "retrieved": "P813",
    "reference_url": "P854",
    "main_subject": "P921",
    "described_at_url": "P973",
    "title": "P1476",
    "copyright_status": "P6216",
    "digital_representation_of": "P6243",
    "source_of_file": "P7482",
}

#: Wikidata's items the bot writes, by role (``wikibase.items`` overrides).
DEFAULT_ITEMS: dict[str, str] = {"file_available_on_the_internet": "Q74228490"}


#: What ``wikibase.structured_data`` may say: auto (when the wiki has WikibaseMediaInfo), or on, or off.
STRUCTURED_DATA_SETTINGS: dict[str, bool | None] = {
    "auto": None,
    "true": True,
    "yes": True,
    "false": False,
    "no": False,
}


@dataclass(frozen=True)
class WikibaseConfig:
    #: the api.php of the Wikibase that holds items (Wikidata in production);
    #: empty: the wiki of wiki.api itself (the dev wiki is both)
    api: str = ""
    #: structured data on uploaded files: auto (when the wiki has WikibaseMediaInfo), true, false
    structured_data: str = "auto"
    #: role -> property id where they differ from Wikidata's (see DEFAULT_PROPERTIES)
    properties: dict[str, str] = field(default_factory=dict)
    #: role -> item id where they differ from Wikidata's (see DEFAULT_ITEMS)
    items: dict[str, str] = field(default_factory=dict)
    #: items created or edited per minute (besides maxlag and the wiki's rate limits)
    items_per_minute: float = 30
    #: the longest caption (MediaInfo label) the file wiki takes, in characters; Wikibase's
    #: ``string-limits`` setting, which its API does not tell (250 on Commons and by default)
    caption_limit: int = 250
    #: searches a run makes at most for mapping-table suggestions (the rest wait for later runs)
    suggestion_searches: int = 200
    #: days before a value's suggestions are searched again
    suggestions_max_age: int = 30
    #: hours the answer "which items exist for this record" is kept between runs (the
    #: bot looks again right before it creates an item)
    lookup_max_age: int = 24
    #: items read at most to find an identifier on a Wikibase without statement search
    scan_limit: int = 10000

    def property(self, role: str) -> str:
        """The property id of a role (creator, inception...): configured, else Wikidata's."""
        return self.properties.get(role) or DEFAULT_PROPERTIES[role]

    def item(self, role: str) -> str:
        return self.items.get(role) or DEFAULT_ITEMS[role]


@dataclass(frozen=True)
class Config:
    wiki: WikiConfig
    hub: HubConfig = HubConfig()
    approvers: ApproversConfig = ApproversConfig()
    #: name used in requests -> licence (a template name, or template, item and status)
    licenses: dict[str, Licence] = field(
        default_factory=lambda: {
            "CC0": licence("cc-zero"),
            "CC BY 4.0": licence("cc-by-4.0"),
            "CC BY-SA 4.0": licence("cc-by-sa-4.0"),
        }
    )
    wikibase: WikibaseConfig = WikibaseConfig()
    sources: SourcesConfig = SourcesConfig()
    state: StateConfig = StateConfig()
    upload: UploadConfig = UploadConfig()
    impact: ImpactConfig = ImpactConfig()
    devwiki: DevwikiConfig = DevwikiConfig()
    #: the file this was read from (not a key)
    path: str = field(default="", compare=False)

    @property
    def license_templates(self) -> dict[str, str]:
        """Name used in requests -> licence template (what file pages are rendered with)."""
        return {name: entry.template for name, entry in self.licenses.items()}

    @property
    def wiki_is_local(self) -> bool:
        return is_loopback_url(self.wiki.api)


def is_loopback_url(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _type_name(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if tp is bool:
        return "yes/no (true or false)"
    if tp is int:
        return "a whole number"
    if tp is float:
        return "a number"
    if tp is str:
        return "text"
    if origin is tuple:
        return "a list of text"
    if origin is dict:
        return "a mapping of names to text"
    return str(tp)


#: What a value that does not fit its key's type becomes (then reported).
_WRONG = object()


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _scalar(tp: Any, value: Any) -> Any:
    if tp is bool:
        return value if isinstance(value, bool) else _WRONG
    if tp is int:
        return value if isinstance(value, int) and not isinstance(value, bool) else _WRONG
    if tp is float:
        return float(value) if _number(value) else _WRONG
    if tp is str:
        if isinstance(value, str):
            return value
        if isinstance(value, bool):  # YAML's yes/no where text is expected
            return "true" if value else "false"
        return str(value) if _number(value) else _WRONG
    raise TypeError(tp)  # pragma: no cover - schema error


def _container(origin: Any, value: Any) -> Any:
    if origin is tuple:
        if value is None:
            return ()
        ok = isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)
        return tuple(value) if ok else _WRONG
    if value is None:
        return {}
    ok = isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    )
    return dict(value) if ok else _WRONG


def _licence_table(key: str, value: Any) -> dict[str, Licence]:
    """``licenses``: each name maps to a template, or to {template, item, status}."""
    if not isinstance(value, dict):
        raise ConfigError(f"The configuration key {key} must be a mapping of licence names.")
    table: dict[str, Licence] = {}
    for name, entry in value.items():
        if isinstance(entry, str):
            table[str(name)] = licence(entry)
            continue
        fields = {"template", "item", "status"}
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("template"), str)
            or (set(entry) - fields)
            or not all(isinstance(v, str) for v in entry.values())
        ):
            raise ConfigError(
                f"The configuration key {key}.{name} must be a template name, or a mapping "
                "with template (and item and status, Q-ids)."
            )
        table[str(name)] = licence(
            entry["template"], entry.get("item", ""), entry.get("status", "")
        )
    return table


def _coerce(key: str, tp: Any, value: Any) -> Any:
    """Check ``value`` against ``tp``; returns it converted (lists to tuples)."""
    origin = typing.get_origin(tp)
    if origin is dict and typing.get_args(tp)[1] is Licence:
        return _licence_table(key, value)
    if origin in (tuple, dict):
        converted = _container(origin, value)
    else:
        converted = _scalar(tp, value)
    if converted is _WRONG:
        raise ConfigError(f"The configuration key {key} must be {_type_name(tp)}, not {value!r}.")
    return converted


def _build(cls: type, data: Any, prefix: str) -> Any:
    where = prefix.rstrip(".") or "the top level"
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"The configuration key {where} must be a mapping of keys to values.")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls) if f.name != "path"}
    for key in data:
        if key not in names:
            raise ConfigError(
                f"The configuration key {prefix}{key} is not known "
                f"(known keys here: {', '.join(sorted(names))})."
            )
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name == "path":
            continue
        key = f"{prefix}{f.name}"
        tp: Any = hints[f.name]
        if f.name not in data:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                if isinstance(tp, type) and dataclasses.is_dataclass(tp):
                    kwargs[f.name] = _build(tp, {}, key + ".")
                    continue
                raise ConfigError(f"The configuration key {key} is required but missing.")
            continue
        if isinstance(tp, type) and dataclasses.is_dataclass(tp):
            kwargs[f.name] = _build(tp, data[f.name], key + ".")
        else:
            kwargs[f.name] = _coerce(key, tp, data[f.name])
    return cls(**kwargs)


def _leaf_paths(cls: type, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    hints = typing.get_type_hints(cls)
    out: list[tuple[tuple[str, ...], Any]] = []
    for f in dataclasses.fields(cls):
        if f.name == "path":
            continue
        tp: Any = hints[f.name]
        if isinstance(tp, type) and dataclasses.is_dataclass(tp):
            out.extend(_leaf_paths(tp, prefix + (f.name,)))
        else:
            out.append((prefix + (f.name,), tp))
    return out


def env_name(path: tuple[str, ...]) -> str:
    return ENV_PREFIX + "_".join(path).upper()


def _apply_env(data: dict[str, Any], environ: typing.Mapping[str, str]) -> None:
    """Overlay ``HUBBOT_SECTION_KEY`` variables; lists and mappings are YAML."""
    for path, tp in _leaf_paths(Config):
        name = env_name(path)
        if name not in environ:
            continue
        raw = environ[name]
        if tp is str:
            value: Any = raw
        else:
            try:
                value = yaml.safe_load(raw)
            except yaml.YAMLError:
                raise ConfigError(
                    f"The environment variable {name} (configuration key "
                    f"{'.'.join(path)}) is not valid YAML (check its quotes, brackets and colons)."
                ) from None
        node = data
        for part in path[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {}
                node[part] = child
            node = child
        node[path[-1]] = value


def _read_private(path: Path, what: str) -> str:
    try:
        mode = path.stat().st_mode
    except OSError as e:
        raise ConfigError(f"The {what} {path} cannot be read: {e.strerror}.") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"The {what} {path} can be read by other users; make it private with: chmod 600 {path}"
        )
    return path.read_text(encoding="utf-8").strip()


def load_config(
    path: str | os.PathLike[str] | None = None,
    environ: typing.Mapping[str, str] | None = None,
) -> Config:
    """Read, overlay environment variables, validate.

    ``path`` defaults to ``$HUBBOT_CONFIG``, then :data:`DEFAULT_CONFIG`.
    """
    environ = os.environ if environ is None else environ
    chosen = Path(path or environ.get("HUBBOT_CONFIG") or DEFAULT_CONFIG)
    try:
        text = chosen.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"The configuration file {chosen} does not exist.") from None
    except OSError as e:
        raise ConfigError(
            f"The configuration file {chosen} cannot be read: {e.strerror}."
        ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ConfigError(f"The configuration file {chosen} is not valid YAML{where}.") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"The configuration file {chosen} must hold a mapping of keys.")
    wiki_section = data.get("wiki")
    file_has_password = isinstance(wiki_section, dict) and bool(wiki_section.get("password"))
    _apply_env(data, environ)
    config: Config = _build(Config, data, "")
    config = dataclasses.replace(config, path=str(chosen))

    password = config.wiki.password
    if file_has_password and environ.get(env_name(("wiki", "password"))) is None:
        # A password written in the file is for a local development wiki only.
        if not config.wiki_is_local:
            _read_private(chosen, "configuration file holding wiki.password")
    if config.wiki.password_file:
        password = _read_private(Path(config.wiki.password_file), "password file")
    if not password:
        raise ConfigError(
            "The configuration key wiki.password is not set: set the environment variable "
            "HUBBOT_WIKI_PASSWORD or wiki.password_file."
        )
    if urlsplit(config.wiki.api).scheme not in ("http", "https"):
        raise ConfigError(
            f"The configuration key wiki.api must be the http(s) URL of api.php, "
            f"not {config.wiki.api!r}."
        )
    if not config.licenses:
        raise ConfigError("The configuration key licenses must name at least one licence.")
    if config.wikibase.structured_data.strip().lower() not in STRUCTURED_DATA_SETTINGS:
        raise ConfigError(
            "The configuration key wikibase.structured_data must be auto, true or false, "
            f"not {config.wikibase.structured_data!r}."
        )
    if config.wikibase.caption_limit < 1:
        raise ConfigError("The configuration key wikibase.caption_limit must be at least 1.")
    new_wiki = dataclasses.replace(config.wiki, password=password)
    return dataclasses.replace(config, wiki=new_wiki)


def known_keys() -> list[str]:
    """Every configuration key with its environment variable, for the docs."""
    return [f"{'.'.join(p)} ({env_name(p)})" for p, _ in _leaf_paths(Config)]


__all__ = [
    "Config",
    "ConfigError",
    "load_config",
    "known_keys",
    "env_name",
    "is_loopback_url",
]
