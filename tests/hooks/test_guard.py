"""check_url refuses every address that is not on the public internet, however it is written.

DNS is faked here (a public address cannot be reached from the tests); the real connections are
in test_delivery_over_http.py.
"""

from __future__ import annotations

import socket

import pytest

from regard.hooks import guard
from regard.hooks.guard import Refused, check_url

REAL_GETADDRINFO = socket.getaddrinfo


@pytest.fixture
def dns(monkeypatch, settings):
    """Answers for made-up names: {name: [addresses]}; other names resolve for real."""
    settings.WEBHOOK_ALLOW_HTTP = False
    settings.WEBHOOK_ALLOWED_HOSTS = []
    answers: dict[str, list[str]] = {}

    def getaddrinfo(host, port, *args, **kwargs):
        if host in answers:
            if not answers[host]:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            return [
                (
                    socket.AF_INET6 if ":" in a else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (a, port),
                )
                for a in answers[host]
            ]
        return REAL_GETADDRINFO(host, port, *args, **kwargs)

    monkeypatch.setattr(guard.socket, "getaddrinfo", getaddrinfo)
    return answers


REFUSED_URLS = {
    # scheme, credentials, malformed
    "http://example.com/": "only https",
    "ftp://example.com/": "only https",
    "file:///etc/passwd": "only https",
    "gopher://example.com/": "only https",
    "https://user:secret@example.com/": "user name or password",
    "https://@example.com/": "user name or password",
    "https:///nohost": "names no host",
    "https://example.com:99999/": "port",
    # loopback and unspecified
    "https://127.0.0.1/": "loopback",
    "https://127.255.0.9/": "loopback",
    "https://[::1]/": "loopback",
    "https://0.0.0.0/": "unspecified",
    "https://[::]/": "unspecified",
    # private, RFC 1918 and unique-local IPv6
    "https://10.0.0.1/": "private",
    "https://172.16.5.4/": "private",
    "https://192.168.1.1/": "private",
    "https://[fc00::1]/": "private",
    "https://[fd12:3456::1]/": "private",
    # link-local, where metadata services answer
    "https://169.254.169.254/latest/meta-data/": "link-local",
    "https://169.254.1.1/": "link-local",
    "https://[fe80::1]/": "link-local",
    "https://[fd00:ec2::254]/": "private",  # AWS metadata over IPv6
    # multicast, reserved, carrier-grade NAT
    "https://224.0.0.1/": "multicast",
    "https://239.255.255.250/": "multicast",
    "https://[ff02::1]/": "multicast",
    "https://240.0.0.1/": "reserved",
    "https://255.255.255.255/": "reserved",
    "https://100.64.0.1/": "carrier-grade NAT",
    "https://100.127.255.254/": "carrier-grade NAT",
    "https://192.0.2.1/": "private",  # documentation range
    # IPv4 inside IPv6: mapped, compatible, 6to4, Teredo, NAT64
    "https://[::ffff:127.0.0.1]/": "wraps 127.0.0.1, a loopback",
    "https://[::ffff:10.0.0.1]/": "wraps 10.0.0.1, a private",
    "https://[::ffff:169.254.169.254]/": "wraps 169.254.169.254, a link-local",
    "https://[::127.0.0.1]/": "IPv4-compatible",
    "https://[::10.0.0.1]/": "IPv4-compatible",
    "https://[2002:7f00:1::]/": "wraps 127.0.0.1, a loopback",
    "https://[2002:a00:1::]/": "wraps 10.0.0.1, a private",
    "https://[2002:a9fe:a9fe::]/": "wraps 169.254.169.254, a link-local",
    "https://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/": "wraps 10.0.0.1, a private",  # Teredo
    "https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/": "wraps 127.0.0.1, a loopback",
    "https://[64:ff9b::a9fe:a9fe]/": "wraps 169.254.169.254, a link-local",
    # IPv4 in the spellings the resolver still accepts
    "https://2130706433/": "unusual spelling",
    "https://0x7f.1/": "unusual spelling",
    "https://017700000001/": "unusual spelling",
    "https://0x7f000001/": "unusual spelling",
    "https://0177.0.0.1/": "unusual spelling",
    "https://127.1/": "unusual spelling",
    "https://2852039166/": "unusual spelling",  # 169.254.169.254
    # names of this machine and of metadata services
    "https://localhost/": "this machine",
    "https://LOCALHOST./": "this machine",
    "https://localhost:8443/": "this machine",
    "https://app.localhost/": "this machine",
    "https://localhost.localdomain/": "this machine",
    "https://ip6-localhost/": "this machine",
    "https://metadata.google.internal/computeMetadata/v1/": "metadata",
    "https://metadata.goog/": "metadata",
    "https://metadata/": "metadata",
    "https://instance-data.ec2.internal/": "metadata",
}


@pytest.mark.parametrize(("url", "reason"), REFUSED_URLS.items(), ids=list(REFUSED_URLS))
def test_urls_to_non_public_addresses_are_refused_saying_why(dns, url, reason):
    with pytest.raises(Refused, match="is refused") as refused:
        check_url(url)
    assert reason in str(refused.value)


RESOLVED_TO = {
    "127.0.0.1": "loopback",
    "127.0.1.1": "loopback",
    "::1": "loopback",
    "10.1.2.3": "private",
    "192.168.0.10": "private",
    "fd00::5": "private",
    "169.254.169.254": "link-local",
    "fe80::1": "link-local",
    "100.64.1.1": "carrier-grade NAT",
    "0.0.0.0": "unspecified",  # noqa: S104 - a string to refuse, not a bind
    "::ffff:192.168.0.1": "wraps 192.168.0.1",
}


@pytest.mark.parametrize(("address", "reason"), RESOLVED_TO.items(), ids=list(RESOLVED_TO))
def test_a_name_resolving_to_a_non_public_address_is_refused(dns, address, reason):
    dns["hooks.example.com"] = [address]
    with pytest.raises(Refused, match="hooks.example.com is ") as refused:
        check_url("https://hooks.example.com/in")
    assert reason in str(refused.value)


def test_a_name_with_one_private_address_among_public_ones_is_refused(dns):
    dns["mixed.example.com"] = ["93.184.216.34", "10.0.0.7"]
    with pytest.raises(Refused, match="10.0.0.7, a private address"):
        check_url("https://mixed.example.com/")


def test_a_name_that_does_not_resolve_is_refused(dns):
    dns["nowhere.example.com"] = []
    with pytest.raises(Refused, match="does not resolve"):
        check_url("https://nowhere.example.com/")


def test_a_public_name_gives_the_address_to_connect_to_and_the_name_for_the_host_header(dns):
    dns["hooks.example.com"] = ["93.184.216.34", "2606:2800:220:1::1"]
    target = check_url("https://Hooks.Example.com./in?team=7")
    assert target.address == "93.184.216.34"
    assert (target.scheme, target.host, target.port) == ("https", "hooks.example.com", 443)
    assert target.path == "/in?team=7"
    assert target.host_header == "hooks.example.com"


@pytest.mark.parametrize(
    "url",
    [
        "https://8.8.8.8/",
        "https://[2606:4700:4700::1111]/",
        "https://[2002:808:808::]/",  # 6to4 around a public address
        "https://[::ffff:8.8.8.8]:8443/",
    ],
)
def test_public_addresses_are_allowed(dns, url):
    assert check_url(url).address


def test_http_is_allowed_only_when_the_setting_says_so(dns, settings):
    dns["hooks.example.com"] = ["93.184.216.34"]
    settings.WEBHOOK_ALLOW_HTTP = True
    target = check_url("http://hooks.example.com:8080/")
    assert (target.port, target.host_header) == (8080, "hooks.example.com:8080")
    with pytest.raises(Refused, match="only http and https"):
        check_url("ftp://hooks.example.com/")


def test_an_allow_listed_internal_host_gets_through(dns, settings):
    dns["crm.intranet"] = ["10.0.0.5"]
    settings.WEBHOOK_ALLOWED_HOSTS = ["crm.intranet", "127.0.0.1:8443"]
    assert check_url("https://crm.intranet/hook").address == "10.0.0.5"
    assert check_url("https://CRM.intranet:9000/hook").address == "10.0.0.5"
    assert check_url("https://127.0.0.1:8443/").address == "127.0.0.1"


def test_the_allow_list_matches_the_port_when_it_names_one(dns, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1:8443"]
    with pytest.raises(Refused, match="loopback"):
        check_url("https://127.0.0.1:8444/")
    with pytest.raises(Refused, match="unusual spelling"):
        check_url("https://2130706433:8443/")  # another spelling is not the listed host
