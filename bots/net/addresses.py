"""Which partner addresses the bot may read: schemes, hosts, and public IP addresses only."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from requests.utils import requote_uri

from bots.net.errors import FetchError

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def classify_address(address: str) -> str | None:
    """Why an address is not a public internet address, or None if it is.

    Returns one of ``unspecified``, ``loopback``, ``link-local``,
    ``multicast``, ``private``, ``reserved`` or ``not public`` (shared
    carrier-grade NAT space, documentation ranges and the like). IPv6
    addresses that embed an IPv4 address are judged by that address.
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return classify_address(str(embedded))
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_private:
        return "private"
    if ip.is_reserved:
        return "reserved"
    if not ip.is_global:
        return "not public"
    return None


def host_allowed(host: str, allow_hosts: tuple[str, ...]) -> bool:
    """Whether ``host`` is a listed host or a subdomain of one (empty list: all)."""
    if not allow_hosts:
        return True
    host = host.lower().rstrip(".")
    for allowed in allow_hosts:
        allowed = allowed.strip().lower().rstrip(".")
        if allowed and (host == allowed or host.endswith("." + allowed)):
            return True
    return False


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for ``host``, in its order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        address = str(sockaddr[0])
        if address not in seen:
            seen.append(address)
    return seen


@dataclass(frozen=True)
class Target:
    url: str
    scheme: str
    host: str  # IDNA (ASCII) form, lower case, brackets removed for IPv6
    port: int
    path: str  # path and query, as sent

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def parse_target(url: str) -> Target:
    """Split and check a URL's form; no network access."""
    if not isinstance(url, str) or not url.strip():
        raise FetchError("the address is empty", url=url)
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise FetchError(f"the address {url} is not a valid URL ({error})", url=url) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        shown = scheme or "no scheme"
        raise FetchError(
            f"the address {url} uses {shown}; only http and https addresses can be fetched",
            url=url,
        )
    if not parts.hostname:
        raise FetchError(f"the address {url} has no host name", url=url)
    if parts.username is not None or parts.password is not None:
        raise FetchError(f"the address {url} contains a user name or password", url=url)
    try:
        host = parts.hostname.encode("idna").decode("ascii").lower().rstrip(".")
    except UnicodeError:
        if ":" in parts.hostname:  # an IPv6 literal
            host = parts.hostname.lower()
        else:
            raise FetchError(f"the address {url} has an invalid host name", url=url) from None
    quoted = requote_uri(url.split("#", 1)[0])
    quoted_parts = urlsplit(quoted)
    path = quoted_parts.path or "/"
    if quoted_parts.query:
        path = f"{path}?{quoted_parts.query}"
    return Target(
        url=quoted,
        scheme=scheme,
        host=host,
        port=port or (443 if scheme == "https" else 80),
        path=path,
    )
