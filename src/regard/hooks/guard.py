"""Which URLs Regard may fetch from the server: public addresses only, checked before connecting.

A webhook URL is typed by an admin and a redirect by whoever runs the receiving server, so
either could point Regard at itself, the local network or a cloud metadata service. Every
server-side fetch goes through `check_url`, which resolves the name once and returns the
address to connect to, so the name cannot resolve to somewhere else a moment later.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Names that mean "this machine" or a cloud's instance metadata, whatever DNS says about them.
LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
METADATA_NAMES = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "metadata.azure.internal",
        "instance-data",
        "instance-data.ec2.internal",
        "metadata.tencentyun.com",
        "metadata.platformequinix.com",
    }
)
SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT, RFC 6598
NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: the last 32 bits are an IPv4 address
DEFAULT_PORTS = {"http": 80, "https": 443}


class Refused(ValueError):
    """The URL may not be fetched; the message says why, for the admin who entered it."""


@dataclass(frozen=True)
class Target:
    """A checked URL: connect to `address`, and name `host` in the Host header and TLS."""

    scheme: str
    host: str
    port: int
    address: str
    path: str  # with its query, as sent in the request line

    @property
    def host_header(self) -> str:
        shown = f"[{self.host}]" if ":" in self.host else self.host
        return shown if self.port == DEFAULT_PORTS[self.scheme] else f"{shown}:{self.port}"


def check_url(url: str) -> Target:
    """The address to connect to for `url`, or Refused naming the rule it breaks."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    allowed_schemes = {"https", "http"} if settings.WEBHOOK_ALLOW_HTTP else {"https"}
    if scheme not in allowed_schemes:
        raise Refused(f"{url} is refused: only {' and '.join(sorted(allowed_schemes))} URLs")
    if "@" in parts.netloc:
        raise Refused(f"{url} is refused: it carries a user name or password")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise Refused(f"{url} is refused: it names no host")
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError:
        raise Refused(f"{url} is refused: its port is not a number from 1 to 65535") from None
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    allow_listed = is_allow_listed(host, port)
    if not allow_listed:
        refuse_local_name(url, host)
    addresses = resolve(url, host, port)
    if not allow_listed:
        for address in addresses:
            reason = why_not_public(address)
            if reason:
                raise Refused(f"{url} is refused: {host} is {address}, {reason}")
    return Target(scheme=scheme, host=host, port=port, address=str(addresses[0]), path=path)


def is_allow_listed(host: str, port: int) -> bool:
    """Whether an admin let this host (any port) or this host:port through."""
    for entry in settings.WEBHOOK_ALLOWED_HOSTS:
        entry = entry.strip().lower()
        parts = urlsplit(f"//{entry}")
        try:
            entry_port = parts.port
        except ValueError:
            continue
        if (parts.hostname or "").rstrip(".") == host and entry_port in (None, port):
            return True
    return False


def refuse_local_name(url: str, host: str) -> None:
    if host in LOCAL_NAMES or host.endswith(".localhost"):
        raise Refused(f"{url} is refused: {host} is this machine")
    if host in METADATA_NAMES:
        raise Refused(f"{url} is refused: {host} is a cloud metadata service")
    if is_unusual_ipv4(host):
        # "2130706433", "0x7f.1" and "017700000001" all mean 127.0.0.1 to the resolver; an
        # address written like that is someone testing the filter, never a real receiver.
        raise Refused(f"{url} is refused: {host} is an IPv4 address in an unusual spelling")


def is_unusual_ipv4(host: str) -> bool:
    try:
        socket.inet_aton(host)
    except (OSError, ValueError):
        return False
    try:
        ipaddress.IPv4Address(host)
    except ValueError:
        return True
    return False


def resolve(url: str, host: str, port: int) -> list[IPAddress]:
    """Every address `host` stands for: itself when it is one, else what DNS answers."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise Refused(f"{url} is refused: {host} does not resolve ({exc})") from None
    addresses = []
    for _family, _type, _proto, _name, sockaddr in answers:
        address = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise Refused(f"{url} is refused: {host} does not resolve")
    return addresses


def why_not_public(address: IPAddress) -> str:
    """Empty for an address on the public internet, else what kind of address it is."""
    if isinstance(address, ipaddress.IPv6Address):
        wrapped = unwrap_ipv4(address)
        if wrapped is not None:
            reason = why_not_public(wrapped)
            return f"which wraps {wrapped}, {reason}" if reason else ""
        if is_ipv4_compatible(address):
            return "an IPv4-compatible IPv6 address (deprecated, never public)"
    if address.is_unspecified:
        return "the unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address (where cloud metadata services live)"
    if address.is_multicast:
        return "a multicast address"
    if address in SHARED_ADDRESS_SPACE:
        return "a carrier-grade NAT address"
    if address.is_reserved:
        return "a reserved address"
    if address.is_private:
        return "a private address"
    if not address.is_global:
        return "not a public address"
    return ""


def unwrap_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries to a host: mapped, 6to4, Teredo or NAT64."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]  # the client; the server part is only a relay
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_ipv4_compatible(address: ipaddress.IPv6Address) -> bool:
    """::a.b.c.d (RFC 4291 section 2.5.5.1), which some stacks still route to IPv4."""
    return int(address) >> 32 == 0 and int(address) > 1
