"""HTTP from the server to addresses `guard.check_url` allows, following redirects by hand.

urllib3 is told the checked address to connect to, and the name only for the Host header, TLS
SNI and certificate check: a name that resolves to a public address when checked cannot resolve
to a private one when connected (DNS rebinding). Redirects are never followed by urllib3, since
each hop must be checked again before Regard connects to it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urljoin

import urllib3

from regard.hooks.guard import Refused, Target, check_url

MAX_REDIRECTS = 3
CONNECT_SECONDS = 5.0
TOTAL_SECONDS = 10.0
MAX_BODY_BYTES = 64 * 1024
REDIRECTS = {301, 302, 303, 307, 308}


@dataclass(frozen=True)
class Response:
    status: int
    url: str  # the last hop's
    body: bytes  # at most MAX_BODY_BYTES


class FetchFailed(Exception):
    """The server could not be reached or did not answer in time (worth trying again)."""


def post(url: str, body: bytes, headers: dict[str, str]) -> Response:
    """POST `body` to `url`; a redirect is followed with the same request after checking it.

    Webhook receivers that moved keep receiving the signed delivery, as `curl --post30x` would;
    Refused when any hop is not allowed, before anything is sent there.
    """
    deadline = time.monotonic() + TOTAL_SECONDS
    for _hop in range(MAX_REDIRECTS + 1):
        target = check_url(url)
        status, location, content = send(target, "POST", body, headers, deadline)
        if status not in REDIRECTS or not location:
            return Response(status=status, url=url, body=content)
        url = urljoin(url, location)
    raise Refused(f"{url} is refused: more than {MAX_REDIRECTS} redirects")


def send(target: Target, method: str, body: bytes, headers: dict[str, str], deadline: float):
    """One request to the checked address: (status, Location header, body read so far)."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchFailed(f"no answer within {TOTAL_SECONDS:g} seconds")
    timeout = urllib3.Timeout(connect=min(CONNECT_SECONDS, remaining), read=remaining)
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            target.address,
            target.port,
            timeout=timeout,
            retries=False,
            server_hostname=target.host,
            assert_hostname=target.host,
        )
    else:
        pool = urllib3.HTTPConnectionPool(
            target.address, target.port, timeout=timeout, retries=False
        )
    try:
        response = pool.urlopen(
            method,
            target.path,
            body=body,
            headers={**headers, "Host": target.host_header},
            redirect=False,
            preload_content=False,
        )
        try:
            content = read_capped(response, deadline)
        finally:
            response.release_conn()
    except urllib3.exceptions.HTTPError as exc:
        raise FetchFailed(f"{target.host}: {exc}") from exc
    finally:
        pool.close()
    return response.status, response.headers.get("Location", ""), content


def read_capped(response, deadline: float) -> bytes:
    """The start of the body: a receiver's answer is kept for the admin, not the whole of it, and
    a server trickling bytes is cut off at the deadline."""
    chunks, size = [], 0
    for chunk in response.stream(8192):
        chunks.append(chunk)
        size += len(chunk)
        if size >= MAX_BODY_BYTES or time.monotonic() > deadline:
            break
    return b"".join(chunks)[:MAX_BODY_BYTES]
