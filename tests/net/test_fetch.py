"""The safe fetcher, against a real loopback HTTP(S) server."""

from __future__ import annotations

import datetime
import gzip
import hashlib
import socket
import ssl
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

import bots.net.fetch
from bots.net.addresses import classify_address, host_allowed
from bots.net.errors import FetchError, human_size
from bots.net.fetch import Fetcher, FetchPolicy
from tests.support.http import LoopbackServer, SeenRequest

OPEN = FetchPolicy(allow_private_addresses=True)


def fixed_resolver(table: dict[str, list[str]], calls: list[str] | None = None):
    """A resolver that knows only the names in ``table``."""

    def resolve(host: str, port: int) -> list[str]:
        if calls is not None:
            calls.append(host)
        if host in table:
            return table[host]
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    return resolve


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer(
        {
            "/hello.txt": (200, {"Content-Type": "text/plain; charset=utf-8"}, b"hello, world"),
        }
    ) as running:
        yield running


# --- the address classifier: a pure table ------------------------------------


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("8.8.8.8", None),
        ("93.184.216.34", None),
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("10.0.0.5", "private"),
        ("172.16.3.4", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "private"),  # 240/4 is listed as private by the registry
        ("100.64.0.1", "not public"),  # carrier-grade NAT
        ("2606:4700:4700::1111", None),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fe80::1%eth0", "link-local"),
        ("fc00::1", "private"),
        ("fd12:3456::1", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.1.2.3", "private"),
        ("::ffff:8.8.8.8", None),
        ("2002:a00:1::", "private"),  # 6to4 wrapping 10.0.0.1
        ("2002:808:808::", None),  # 6to4 wrapping 8.8.8.8
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 wrapping 169.254.169.254
        ("not-an-ip", "not an IP address"),
    ],
)
def test_classify_address(address: str, expected: str | None) -> None:
    assert classify_address(address) == expected


@pytest.mark.parametrize(
    ("host", "allowed", "expected"),
    [
        ("example.org", (), True),
        ("example.org", ("example.org",), True),
        ("images.example.org", ("example.org",), True),
        ("EXAMPLE.org.", ("example.org",), True),
        ("badexample.org", ("example.org",), False),
        ("example.org.evil.net", ("example.org",), False),
        ("example.com", ("example.org", "tate.org.uk"), False),
        ("media.tate.org.uk", ("example.org", "tate.org.uk"), True),
    ],
)
def test_host_allowed(host: str, allowed: tuple[str, ...], expected: bool) -> None:
    assert host_allowed(host, allowed) is expected


@pytest.mark.parametrize(
    ("size", "text"),
    [(52428800, "50 MB"), (5368709120, "5 GB"), (1536, "1.5 KB"), (3, "3 bytes")],
)
def test_human_size(size: int, text: str) -> None:
    assert human_size(size) == text


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("ftp://example.org/a.csv", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("javascript:alert(1)", "only http and https"),
        ("example.org/a.csv", "only http and https"),
        ("http:///path", "no host name"),
        ("http://user:secret@example.org/", "user name or password"),
        ("http://example.org:99999/", "not a valid URL"),
        ("", "empty"),
    ],
)
def test_bad_urls_are_refused_before_any_lookup(url: str, words: str) -> None:
    calls: list[str] = []
    fetcher = Fetcher(OPEN, resolve=fixed_resolver({}, calls))
    with pytest.raises(FetchError) as caught:
        fetcher.fetch_bytes(url)
    assert words in str(caught.value)
    assert calls == []


# --- addresses and hosts -----------------------------------------------------


def test_fetches_from_loopback_when_private_addresses_are_allowed(server: LoopbackServer) -> None:
    data = Fetcher(OPEN).fetch_bytes(server.url("/hello.txt"))
    assert data == b"hello, world"
    assert server.requests[-1].headers["user-agent"] == OPEN.user_agent


def test_refuses_loopback_by_default(server: LoopbackServer) -> None:
    with pytest.raises(FetchError) as caught:
        Fetcher(FetchPolicy()).fetch_bytes(server.url("/hello.txt"))
    assert "127.0.0.1 is loopback" in str(caught.value)
    assert "allow_private_addresses" in str(caught.value)
    assert server.requests == []


def test_refuses_a_name_that_resolves_to_a_private_address(server: LoopbackServer) -> None:
    fetcher = Fetcher(FetchPolicy(), resolve=fixed_resolver({"intranet.example": ["10.0.0.5"]}))
    with pytest.raises(FetchError) as caught:
        fetcher.fetch_bytes("http://intranet.example/secret")
    assert str(caught.value).startswith("the address 10.0.0.5 (of intranet.example) is private")


def test_every_resolved_address_is_checked() -> None:
    resolve = fixed_resolver({"mixed.example": ["93.184.216.34", "::ffff:127.0.0.1"]})
    with pytest.raises(FetchError) as caught:
        Fetcher(FetchPolicy(), resolve=resolve).check_url("https://mixed.example/")
    assert "::ffff:127.0.0.1" in str(caught.value)
    assert "loopback" in str(caught.value)


def test_public_addresses_pass_the_check() -> None:
    resolve = fixed_resolver({"museum.example": ["93.184.216.34", "2606:4700:4700::1111"]})
    fetcher = Fetcher(FetchPolicy(), resolve=resolve)
    assert fetcher.check_url("https://museum.example/a.jpg") == [
        "93.184.216.34",
        "2606:4700:4700::1111",
    ]


def test_connects_to_the_checked_address_and_keeps_the_host_name(
    server: LoopbackServer,
) -> None:
    calls: list[str] = []
    fetcher = Fetcher(OPEN, resolve=fixed_resolver({"partner.example": ["127.0.0.1"]}, calls))
    data = fetcher.fetch_bytes(server.url("/hello.txt", host="partner.example"))
    assert data == b"hello, world"
    assert server.requests[-1].headers["host"] == f"partner.example:{server.port}"
    assert calls == ["partner.example"]  # resolved once, then pinned


def test_allow_hosts_admits_listed_hosts_and_their_subdomains(server: LoopbackServer) -> None:
    policy = FetchPolicy(allow_hosts=("partner.example",), allow_private_addresses=True)
    table = {"img.partner.example": ["127.0.0.1"], "other.example": ["127.0.0.1"]}
    fetcher = Fetcher(policy, resolve=fixed_resolver(table))
    assert fetcher.fetch_bytes(server.url("/hello.txt", host="img.partner.example"))
    with pytest.raises(FetchError) as caught:
        fetcher.fetch_bytes(server.url("/hello.txt", host="other.example"))
    assert "the host other.example is not one the bot may fetch from" in str(caught.value)
    assert len(server.requests) == 1


def test_unknown_host_name(server: LoopbackServer) -> None:
    with pytest.raises(FetchError) as caught:
        Fetcher(OPEN, resolve=fixed_resolver({})).fetch_bytes("http://nowhere.example/")
    assert "nowhere.example could not be resolved" in str(caught.value)


def test_closed_port() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError) as caught:
        Fetcher(OPEN).fetch_bytes(f"http://127.0.0.1:{port}/")
    assert "could not connect to 127.0.0.1" in str(caught.value)


def test_ipv6_loopback_literal() -> None:
    with LoopbackServer({"/x": (200, {}, b"six")}, host="::1") as six:
        url = f"http://[::1]:{six.port}/x"
        assert Fetcher(OPEN).fetch_bytes(url) == b"six"
        assert six.requests[-1].headers["host"] == f"[::1]:{six.port}"
        with pytest.raises(FetchError, match="::1 is loopback"):
            Fetcher(FetchPolicy()).fetch_bytes(url)


# --- redirects -----------------------------------------------------------------


def test_follows_redirects(server: LoopbackServer, tmp_path: Path) -> None:
    server.redirect("/old", "/moved")
    server.redirect("/moved", server.url("/hello.txt"), status=301)
    result = Fetcher(OPEN).fetch_to_file(server.url("/old"), tmp_path / "a.txt")
    assert result.final_url == server.url("/hello.txt")
    assert result.path.read_bytes() == b"hello, world"


def test_redirect_to_a_host_not_allowed_is_refused(server: LoopbackServer) -> None:
    policy = FetchPolicy(allow_hosts=("partner.example",), allow_private_addresses=True)
    table = {"partner.example": ["127.0.0.1"], "evil.example": ["127.0.0.1"]}
    server.redirect("/go", server.url("/hello.txt", host="evil.example"))
    fetcher = Fetcher(policy, resolve=fixed_resolver(table))
    with pytest.raises(FetchError) as caught:
        fetcher.fetch_bytes(server.url("/go", host="partner.example"))
    assert "evil.example is not one the bot may fetch from" in str(caught.value)
    assert [seen.path for seen in server.requests] == ["/go"]


def test_redirect_to_a_private_address_is_refused(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first hop passes the check; the redirect's target must be checked again."""
    real = bots.net.fetch.classify_address

    def loopback_server_counts_as_public(address: str) -> str | None:
        return None if address == "127.0.0.1" else real(address)

    monkeypatch.setattr(bots.net.fetch, "classify_address", loopback_server_counts_as_public)
    table = {"partner.example": ["127.0.0.1"], "metadata.internal": ["169.254.169.254"]}
    server.redirect("/go", "http://metadata.internal/latest/meta-data/")
    fetcher = Fetcher(FetchPolicy(), resolve=fixed_resolver(table))
    assert fetcher.fetch_bytes(server.url("/hello.txt", host="partner.example"))
    with pytest.raises(FetchError) as caught:
        fetcher.fetch_bytes(server.url("/go", host="partner.example"))
    assert "169.254.169.254 (of metadata.internal) is link-local" in str(caught.value)


def test_redirect_to_another_scheme_is_refused(server: LoopbackServer) -> None:
    server.redirect("/go", "file:///etc/passwd")
    with pytest.raises(FetchError, match="only http and https"):
        Fetcher(OPEN).fetch_bytes(server.url("/go"))


def test_at_most_five_redirects(server: LoopbackServer) -> None:
    for hop in range(6):
        server.redirect(f"/r{hop}", f"/r{hop + 1}")
    server.add("/r6", (200, {}, b"end"))
    fetcher = Fetcher(OPEN)
    assert fetcher.fetch_bytes(server.url("/r1")) == b"end"  # five redirects
    with pytest.raises(FetchError) as caught:
        fetcher.fetch_bytes(server.url("/r0"))  # six
    assert "redirected more than 5 times" in str(caught.value)


def test_redirect_without_location(server: LoopbackServer) -> None:
    server.add("/bad", (302, {}, b""))
    with pytest.raises(FetchError, match="without saying where"):
        Fetcher(OPEN).fetch_bytes(server.url("/bad"))


# --- answers, sizes, time ---------------------------------------------------------


def test_not_found(server: LoopbackServer) -> None:
    url = server.url("/missing.csv")
    with pytest.raises(FetchError) as caught:
        Fetcher(OPEN).fetch_bytes(url)
    assert str(caught.value) == f"the server answered 404 Not Found for {url}"
    assert caught.value.status == 404


def test_server_error(server: LoopbackServer) -> None:
    server.add("/broken", (503, {"Retry-After": "60"}, b"down"))
    with pytest.raises(FetchError) as caught:
        Fetcher(OPEN).fetch_bytes(server.url("/broken"))
    assert "503 Service Unavailable" in str(caught.value)
    assert caught.value.status == 503


def test_fetch_to_file_streams_and_hashes(server: LoopbackServer, tmp_path: Path) -> None:
    body = bytes(range(256)) * 4096  # 1 MiB, several chunks
    server.add("/big.bin", (200, {"Content-Type": "Image/JPEG; q=1"}, body))
    result = Fetcher(OPEN).fetch_to_file(server.url("/big.bin"), tmp_path / "sub" / "big.bin")
    assert result.size == len(body)
    assert result.sha1 == hashlib.sha1(body).hexdigest()
    assert result.sha256 == hashlib.sha256(body).hexdigest()
    assert result.content_type == "image/jpeg"
    assert result.path.read_bytes() == body
    assert sorted(p.name for p in result.path.parent.iterdir()) == ["big.bin"]


def test_declared_length_over_the_limit_is_refused_before_reading(
    server: LoopbackServer, tmp_path: Path
) -> None:
    sent: list[int] = []

    def huge(_: SeenRequest):
        def body() -> Iterator[bytes]:
            for _ in range(100):
                sent.append(1)
                yield b"x" * 65536

        return 200, {"Content-Length": str(100 * 65536)}, body()

    server.add("/huge", huge)
    policy = FetchPolicy(allow_private_addresses=True, max_file_bytes=50 * 1024 * 1024)
    with pytest.raises(FetchError) as caught:
        Fetcher(policy).fetch_to_file(server.url("/huge"), tmp_path / "h", limit=1024 * 1024)
    assert str(caught.value) == (
        f"the file at {server.url('/huge')} is larger than the limit of 1 MB"
    )
    assert list(tmp_path.iterdir()) == []


def test_undeclared_length_is_counted_while_streaming(
    server: LoopbackServer, tmp_path: Path
) -> None:
    server.add("/stream", lambda _: (200, {}, iter([b"y" * 40000] * 10)))
    fetcher = Fetcher(FetchPolicy(allow_private_addresses=True, max_file_bytes=100000))
    with pytest.raises(FetchError, match="larger than the limit of 97.7 KB"):
        fetcher.fetch_to_file(server.url("/stream"), tmp_path / "s")
    assert list(tmp_path.iterdir()) == []
    assert fetcher.fetch_to_file(server.url("/stream"), tmp_path / "t", limit=400000).size == 400000


def test_metadata_limit_applies_to_fetch_bytes(server: LoopbackServer) -> None:
    fetcher = Fetcher(FetchPolicy(allow_private_addresses=True, max_metadata_bytes=5))
    with pytest.raises(FetchError, match="larger than the limit of 5 bytes"):
        fetcher.fetch_bytes(server.url("/hello.txt"))


def test_compressed_bodies_are_limited_after_decompression(server: LoopbackServer) -> None:
    bomb = gzip.compress(b"\0" * (20 * 1024 * 1024))
    server.add("/bomb", (200, {"Content-Encoding": "gzip"}, bomb))
    small = gzip.compress(b"a,b\n1,2\n")
    server.add("/small", (200, {"Content-Encoding": "gzip"}, small))
    fetcher = Fetcher(OPEN)
    assert len(bomb) < 1024 * 1024
    with pytest.raises(FetchError, match="larger than the limit of 1 MB"):
        fetcher.fetch_bytes(server.url("/bomb"), limit=1024 * 1024)
    assert fetcher.fetch_bytes(server.url("/small")) == b"a,b\n1,2\n"


def test_truncated_body_is_an_error(server: LoopbackServer) -> None:
    server.add("/short", lambda _: (200, {"Content-Length": "100"}, iter([b"only ten b"])))
    with pytest.raises(FetchError):
        Fetcher(OPEN).fetch_bytes(server.url("/short"))


def test_slow_answer_times_out(server: LoopbackServer) -> None:
    def slow(_: SeenRequest):
        time.sleep(5)
        return 200, {}, b"late"

    server.add("/slow", slow)
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        Fetcher(OPEN).fetch_bytes(server.url("/slow"), timeout=0.5)
    assert time.monotonic() - started < 3
    assert str(caught.value) == (
        "the server at 127.0.0.1 accepted the connection but did not answer within 0.5 s"
    )


def test_trickling_body_hits_the_overall_time_limit(server: LoopbackServer) -> None:
    """Each byte arrives well within a socket timeout; the total does not."""

    def trickle(_: SeenRequest):
        def body() -> Iterator[bytes]:
            for _ in range(100):
                time.sleep(0.05)
                yield b"z"

        return 200, {"Content-Length": "100"}, body()

    server.add("/trickle", trickle)
    fetcher = Fetcher(FetchPolicy(allow_private_addresses=True, timeout=1))
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"^timed out after 1 s"):
        fetcher.fetch_bytes(server.url("/trickle"))
    assert time.monotonic() - started < 3


def test_streamed_files_get_time_for_their_declared_size(
    server: LoopbackServer, tmp_path: Path
) -> None:
    """A large file may take longer than a small document, but not forever."""
    size = 1024 * 1024  # one more second on top of the policy's timeout

    def trickle(_: SeenRequest):
        def body() -> Iterator[bytes]:
            for _ in range(100):
                time.sleep(0.1)
                yield b"z" * 1024

        return 200, {"Content-Length": str(size)}, body()

    server.add("/big.tif", trickle)
    fetcher = Fetcher(FetchPolicy(allow_private_addresses=True, timeout=0.3))
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetcher.fetch_to_file(server.url("/big.tif"), tmp_path / "big.tif")
    elapsed = time.monotonic() - started
    assert str(caught.value).startswith("timed out after 1.3 s")
    assert 1.2 < elapsed < 3


def test_open_streams_in_chunks(server: LoopbackServer) -> None:
    body = b"0123456789" * 10000
    server.add("/media", (200, {"Content-Type": "audio/ogg"}, body))
    with Fetcher(OPEN).open(server.url("/media")) as stream:
        assert stream.content_type == "audio/ogg"
        assert stream.content_length == len(body)
        chunks = list(stream.chunks(4096))
    assert max(len(c) for c in chunks) <= 4096
    assert b"".join(chunks) == body


# --- HTTPS with the address pinned -------------------------------------------------


def _make_certificates(directory: Path, name: str) -> tuple[Path, Path, Path]:
    """A throwaway certificate authority and a server certificate for ``name``."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hubbot test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_path = directory / "ca.pem"
    cert_path = directory / "server.pem"
    key_path = directory / "server.key"
    ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_path, cert_path, key_path


def test_https_keeps_sni_and_verifies_the_name_while_pinning_the_address(
    tmp_path: Path,
) -> None:
    ca_path, cert_path, key_path = _make_certificates(tmp_path, "partner.example")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    names: list[str | None] = []
    context.sni_callback = lambda sock, name, ctx: names.append(name)  # type: ignore[assignment]
    table = {"partner.example": ["127.0.0.1"], "impostor.example": ["127.0.0.1"]}
    fetcher = Fetcher(OPEN, resolve=fixed_resolver(table), ca_certs=str(ca_path))
    with LoopbackServer({"/a.json": (200, {}, b"[]")}, ssl_context=context) as secure:
        assert fetcher.fetch_bytes(secure.url("/a.json", host="partner.example")) == b"[]"
        assert names == ["partner.example"]
        assert secure.requests[-1].headers["host"] == f"partner.example:{secure.port}"
        with pytest.raises(FetchError) as caught:
            fetcher.fetch_bytes(secure.url("/a.json", host="impostor.example"))
        assert "the secure connection to impostor.example failed" in str(caught.value)
        untrusting = Fetcher(OPEN, resolve=fixed_resolver(table))
        with pytest.raises(FetchError, match="secure connection to partner.example failed"):
            untrusting.fetch_bytes(secure.url("/a.json", host="partner.example"))
