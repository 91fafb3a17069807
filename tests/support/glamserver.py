"""A museum's or library's web server on 127.0.0.1: IIIF, OAI-PMH and the media they name.

The documents are the real samples in ``../shared/data`` (IIIF cookbook and
Mirador manifests, Sickle and pyoai OAI-PMH answers), read from there on every
request and never copied. What a document needs in order to be served from
here is changed in the served copy only:

- the IIIF cookbook files are Jekyll templates: ``{{ id.url }}`` becomes the
  URL the document is served at, ``{{ id.path }}`` that URL without ``.json``;
- URLs the bot fetches (painting bodies, their image services, collection
  members; ``dc:identifier`` links in OAI-PMH records) that point at other
  hosts are moved under ``/ext/<host>/...`` here, so
  ``https://iiif.io/api/image/3.0/x/full/max/0/default.jpg`` becomes
  ``http://127.0.0.1:PORT/ext/iiif.io/api/image/3.0/x/full/max/0/default.jpg``.

Everything else (labels, metadata, rights, canvas ids) keeps its value; IIIF
documents are parsed and written out again, so only their layout differs.

Media under ``/ext/`` is made up on request, different for every path and
every server (a random salt), so no two files are ever duplicates of each
other on the wiki: a real JPEG (ImageMagick) where the path ends in ``.jpg``
or names no extension, a PNG for ``.png``, a short WAV for ``.wav`` and the
start of an MP4 file (``ftyp`` box) for ``.mp4`` and ``.m4a``, which is what
the cookbook's A/V recipes really serve.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import secrets
import subprocess
import threading
import wave
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bots.dev.demo import png
from tests.support.http import LoopbackServer, Response, SeenRequest

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"

JSON_LD = {
    "Content-Type": 'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"'
}
XML = {"Content-Type": "text/xml; charset=utf-8"}
OAI_NS = "http://www.openarchives.org/OAI/2.0/"

_DC_IDENTIFIER_URL = re.compile(r"(<dc:identifier>\s*)(https?://[^<\s]+)")
_TOKEN = re.compile(r"(<resumptionToken[^>]*>)[^<]*(</resumptionToken>)")
#: keys whose subtree holds what the bot downloads: painting bodies and their services
_MEDIA_KEYS = ("body", "resource")
#: keys of a collection listing its members
_MEMBER_KEYS = ("items", "manifests", "collections", "members")


def mp4_head(seed: str) -> bytes:
    """The first boxes of an MP4 file: what the A/V cookbook recipes link to."""
    ftyp = b"ftypisom" + b"\x00\x00\x02\x00" + b"isomiso2avc1mp41"
    free = b"free" + seed.encode()
    return (len(ftyp) + 4).to_bytes(4, "big") + ftyp + (len(free) + 4).to_bytes(4, "big") + free


def wav(seed: str, seconds: float = 0.2, rate: int = 8000) -> bytes:
    """A short real WAV file (8-bit mono), its samples different for every seed."""
    step = zlib.crc32(seed.encode()) % 40 + 10
    samples = bytes((128 + ((i * step) % 64) - 32) & 0xFF for i in range(int(rate * seconds)))
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(1)
        writer.setframerate(rate)
        writer.writeframes(samples)
    return out.getvalue()


def jpeg(seed: str, width: int = 48, height: int = 32) -> bytes:
    """A real JPEG, different for every seed (ImageMagick, with the seed as its comment)."""
    source = png(width, height, zlib.crc32(seed.encode()))
    done = subprocess.run(
        ["convert", "png:-", "-comment", seed, "jpeg:-"],
        input=source,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return done.stdout


def served_iiif(text: str, url: str, base: str) -> bytes:
    """A IIIF document as this server serves it at ``url`` (see the module docstring)."""
    path = url[: -len(".json")] if url.endswith(".json") else url
    text = text.replace("{{ id.url }}", url).replace("{{ id.path }}", path)
    document = json.loads(text)
    _localise(document, base, fetched=False)
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def local_url(url: str, base: str) -> str:
    """Another host's http(s) URL as the same path under ``/ext/`` here."""
    if url.startswith(base) or not url.lower().startswith(("http://", "https://")):
        return url
    parts = urlsplit(url)
    query = f"?{parts.query}" if parts.query else ""
    return f"{base}/ext/{parts.netloc}{parts.path}{query}"


def _localise(node: Any, base: str, *, fetched: bool) -> None:
    """Move the ids of what the bot fetches to this server, in place."""
    if isinstance(node, list):
        for item in node:
            _localise(item, base, fetched=fetched)
        return
    if not isinstance(node, dict):
        return
    if fetched:
        for key in ("id", "@id"):
            if isinstance(node.get(key), str):
                node[key] = local_url(node[key], base)
    is_collection = str(node.get("type", node.get("@type", ""))).endswith("Collection")
    for key, value in node.items():
        if key in _MEDIA_KEYS or (fetched and key == "service"):
            _localise(value, base, fetched=True)
        elif is_collection and key in _MEMBER_KEYS:
            for member in value if isinstance(value, list) else [value]:
                if isinstance(member, dict):
                    for id_key in ("id", "@id"):
                        if isinstance(member.get(id_key), str):
                            member[id_key] = local_url(member[id_key], base)
            _localise(value, base, fetched=False)
        else:
            _localise(value, base, fetched=fetched)


def served_oai(text: str, base: str) -> bytes:
    """An OAI-PMH answer with its ``dc:identifier`` links moved to this server."""
    return _DC_IDENTIFIER_URL.sub(lambda m: m.group(1) + local_url(m.group(2), base), text).encode(
        "utf-8"
    )


def with_token(text: str, token: str | None) -> str:
    """An OAI-PMH page with its resumption token replaced (None: the last page)."""
    if token is None:
        return _TOKEN.sub("", text)
    return _TOKEN.sub(lambda m: f"{m.group(1)}{token}{m.group(2)}", text)


def billion_laughs(levels: int = 10) -> bytes:
    """The XML entity bomb, as an OAI-PMH answer."""
    entities = ['<!ENTITY lol0 "lol">']
    for level in range(1, levels):
        entities.append(f'<!ENTITY lol{level} "' + f"&lol{level - 1};" * 10 + '">')
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE OAI-PMH [\n'
        + "\n".join(entities)
        + f'\n]>\n<OAI-PMH xmlns="{OAI_NS}"><responseDate>2024-01-01T00:00:00Z</responseDate>'
        + f"<ListRecords><record><header><identifier>&lol{levels - 1};</identifier>"
        + "<datestamp>2024-01-01</datestamp></header></record></ListRecords></OAI-PMH>"
    ).encode("utf-8")


class GlamServer(LoopbackServer):
    """The partner's server: IIIF documents, OAI-PMH endpoints and media, on loopback.

    Exact routes come first (as in :class:`LoopbackServer`), then ``/ext/``
    media, then the path prefixes added with :meth:`add_prefix`.
    """

    def __init__(self, data: Path = DATA, *, directory: Path | None = None) -> None:
        super().__init__(directory=directory)
        self.data = data.resolve()
        self.salt = secrets.token_hex(6)
        self.prefixes: list[tuple[str, Callable[[SeenRequest], Response]]] = []
        self._media: dict[str, tuple[str, bytes]] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> GlamServer:
        self.start()
        return self

    @property
    def base(self) -> str:
        return self.url("").rstrip("/")

    # -- IIIF -----------------------------------------------------------------
    def iiif(
        self, name: str, path: str | None = None, replace: dict[str, str] | None = None
    ) -> str:
        """Serve ``iiif/<name>`` from the sample data; return its URL.

        ``path`` defaults to ``/iiif/<recipe>/manifest.json`` (``<recipe>`` is
        the file name without ``__manifest.json``), the shape of the
        cookbook's own URLs.
        ``replace`` changes text in the served copy (a variant of a sample).
        """
        source = self.data / "iiif" / name
        if not source.is_file():
            raise FileNotFoundError(source)
        if path is None:
            stem = Path(name).stem
            kind = "collection" if stem.endswith("__collection") else "manifest"
            stem = stem.removesuffix("__manifest").removesuffix("__collection")
            path = f"/iiif/{stem}/{kind}.json"
        url = self.url(path)

        def answer(seen: SeenRequest) -> Response:
            text = source.read_text(encoding="utf-8")
            for old, new in (replace or {}).items():
                text = text.replace(old, new)
            return 200, JSON_LD, served_iiif(text, url, self.base)

        self.add(path, answer)
        return url

    def document(self, path: str, body: bytes, headers: Mapping[str, str] | None = None) -> str:
        """Serve made-up bytes (a broken or hostile document) at ``path``."""
        self.add(path, (200, headers or JSON_LD, body))
        return self.url(path)

    def generated_collection(self, path: str, count: int) -> str:
        """A made-up IIIF 3 collection of ``count`` manifests, each made when asked for.

        Manifest ``n`` has one canvas painted with ``/ext/gen.example/<n>.jpg``.
        """
        member_prefix = f"/gen{path.removesuffix('.json')}/"
        url = self.url(path)
        collection = json.dumps(
            {
                "@context": "http://iiif.io/api/presentation/3/context.json",
                "id": url,
                "type": "Collection",
                "label": {"en": [f"A collection of {count} manifests"]},
                "items": [
                    {
                        "id": self.url(f"{member_prefix}{n}.json"),
                        "type": "Manifest",
                        "label": {"en": [f"Generated manifest {n}"]},
                    }
                    for n in range(1, count + 1)
                ],
            }
        ).encode()

        def manifest(seen: SeenRequest) -> Response:
            number = seen.path.removeprefix(member_prefix).removesuffix(".json")
            if not number.isdigit() or not 1 <= int(number) <= count:
                return 404, {"Content-Type": "text/plain"}, b"no such manifest"
            manifest_url = self.url(seen.path)
            canvas = f"{manifest_url.removesuffix('.json')}/canvas/1"
            document = {
                "@context": "http://iiif.io/api/presentation/3/context.json",
                "id": manifest_url,
                "type": "Manifest",
                "label": {"en": [f"Generated manifest {number}"]},
                "items": [
                    {
                        "id": canvas,
                        "type": "Canvas",
                        "width": 48,
                        "height": 32,
                        "items": [
                            {
                                "id": f"{canvas}/page",
                                "type": "AnnotationPage",
                                "items": [
                                    {
                                        "id": f"{canvas}/annotation",
                                        "type": "Annotation",
                                        "motivation": "painting",
                                        "target": canvas,
                                        "body": {
                                            "id": f"{self.base}/ext/gen.example/{number}.jpg",
                                            "type": "Image",
                                            "format": "image/jpeg",
                                            "width": 48,
                                            "height": 32,
                                        },
                                    }
                                ],
                            }
                        ],
                    }
                ],
            }
            return 200, JSON_LD, json.dumps(document).encode()

        self.add(path, (200, JSON_LD, collection))
        self.add_prefix(member_prefix, manifest)
        return url

    def manifest_requests(self, prefix: str = "/gen/") -> list[str]:
        return [r.path for r in self.requests if r.path.startswith(prefix)]

    # -- OAI-PMH --------------------------------------------------------------
    def oai(self, path: str, answer: Callable[[SeenRequest], bytes]) -> str:
        """An OAI-PMH endpoint whose answers ``answer`` makes from the request."""
        self.add(path, lambda seen: (200, XML, answer(seen)))
        return self.url(path)

    def oai_files(
        self,
        path: str,
        pages: dict[str | None, str],
        *,
        expect: dict[str, str] | None = None,
        otherwise: str = "sickle__noRecordsMatch.xml",
    ) -> str:
        """An endpoint answering ListRecords from sample files, keyed by resumption token.

        ``pages[None]`` is the first page; ``pages[token]`` the page for a
        token. A first request whose arguments differ from ``expect`` gets
        ``otherwise`` (noRecordsMatch), as a repository would.
        """
        wanted = {"verb": "ListRecords", "metadataPrefix": "oai_dc", **(expect or {})}

        def answer(seen: SeenRequest) -> bytes:
            token = seen.arg("resumptionToken")
            if token is None:
                given = {key: seen.arg(key) for key in wanted}
                name = pages[None] if given == wanted else otherwise
            else:
                name = pages.get(token, "sickle__badResumptionToken.xml")
            return self.oai_text(name)

        return self.oai(path, answer)

    def oai_text(self, name: str) -> bytes:
        """A sample OAI-PMH file as served."""
        return served_oai((self.data / "oai" / name).read_text(encoding="utf-8"), self.base)

    def oai_page(self, name: str, next_token: str | None) -> bytes:
        """A sample OAI-PMH page as served, with ``next_token`` as its resumption token."""
        text = with_token((self.data / "oai" / name).read_text(encoding="utf-8"), next_token)
        return served_oai(text, self.base)

    def listing_requests(self, path: str) -> list[SeenRequest]:
        return [r for r in self.requests if r.path == path and r.arg("verb") == "ListRecords"]

    # -- media ----------------------------------------------------------------
    def add_prefix(self, prefix: str, answer: Callable[[SeenRequest], Response]) -> None:
        self.prefixes.append((prefix, answer))

    def media(self, path: str) -> tuple[str, bytes]:
        """The media type and bytes served at ``path`` under ``/ext/`` (made once)."""
        with self._lock:
            if path not in self._media:
                self._media[path] = self._make_media(path)
            return self._media[path]

    def paths_with_sha1(self, sha1: str) -> list[str]:
        """The media paths served with exactly these bytes (to trace an uploaded file)."""
        with self._lock:
            made = list(self._media.items())
        return [path for path, (_kind, body) in made if hashlib.sha1(body).hexdigest() == sha1]

    def media_requests(self) -> list[str]:
        return [r.path for r in self.requests if r.path.startswith("/ext/")]

    def _make_media(self, path: str) -> tuple[str, bytes]:
        seed = f"{self.salt} {path}"
        name = path.rsplit("/", 1)[-1].lower()
        extension = name.rsplit(".", 1)[-1] if "." in name else ""
        if extension == "png":
            return "image/png", png(40, 30, zlib.crc32(seed.encode()))
        if extension == "wav":
            return "audio/wav", wav(seed)
        if extension in ("mp4", "m4a"):
            kind = "audio/mp4" if "audio" in path else "video/mp4"
            return kind, mp4_head(seed)
        if extension in ("jpg", "jpeg", ""):
            return "image/jpeg", jpeg(seed)
        return "application/octet-stream", seed.encode()

    def _respond(self, seen: SeenRequest) -> Response:
        if seen.path in self.routes:
            return super()._respond(seen)
        if seen.path.startswith("/ext/"):
            kind, body = self.media(seen.path)
            return 200, {"Content-Type": kind}, body
        for prefix, answer in self.prefixes:
            if seen.path.startswith(prefix):
                return answer(seen)
        return super()._respond(seen)
