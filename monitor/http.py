"""One shared HTTP client for every source: httpx with the web's failures handled.

Timeouts, a redirect limit, a clear User-Agent, conditional GET, a size cap,
charset detection (header → BOM/meta → detection), retries with back-off on
connection errors, 5xx and 429 (honouring Retry-After), and a per-host limit
on concurrent requests.  Every failure is a ``FetchError`` naming the URL and
saying what to do.  The transport and the sleep are injectable for tests.
"""

from __future__ import annotations

import codecs
import email.utils
import ipaddress
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from .articles import decode_bytes
from .defaults import DEFAULTS, HARD_MAX_BYTES
from .errors import ArticleError, EncodingError, FetchError

if TYPE_CHECKING:
    from .config import Settings

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
__all__ = ["HARD_MAX_BYTES", "HttpClient", "Response", "decode"]


@dataclass
class Response:
    """A fetched body, decoded on demand; ``not_modified`` for a 304."""

    url: str  # final URL after redirects
    status: int
    headers: dict[str, str]
    content: bytes = b""
    not_modified: bool = False
    _text: str | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = decode(self.content, self.headers.get("content-type", ""), self.url)
        return self._text

    @property
    def validators(self) -> dict[str, str]:
        """What to send back next time for a conditional GET."""
        out = {}
        if self.headers.get("etag"):
            out["etag"] = self.headers["etag"]
        if self.headers.get("last-modified"):
            out["last_modified"] = self.headers["last-modified"]
        return out


class HttpClient:
    """Thread-safe shared client.  ``config`` is ``settings.http`` (DEFAULTS merged)."""

    def __init__(self, config: dict[str, Any] | None = None, *,
                 transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        cfg = {**DEFAULTS["http"], **(config or {})}
        self.timeout = float(cfg["timeout"])
        self.max_bytes = min(int(cfg["max_bytes"]), HARD_MAX_BYTES)
        self.allow_private = bool(cfg.get("allow_private", False))
        self._origin = threading.local()  # the URL asked for, while its redirects run
        self.max_redirects = int(cfg["max_redirects"])
        self.retries = int(cfg["retries"])
        self.backoff = float(cfg["backoff"])
        self.per_host = int(cfg["per_host"])
        self.max_wait = float(cfg["max_wait"])
        self.user_agent = str(cfg["user_agent"])
        self._stopping = threading.Event()
        self._sleep = sleep or self._interruptible_sleep
        self._hosts: dict[str, threading.Semaphore] = {}
        self._hosts_lock = threading.Lock()
        self._clock = clock  # wall clock: the waits outlive the process (store.host_waits)
        # host -> clock time before which it asked (Retry-After) not to be called again
        self._not_before: dict[str, float] = {}
        self._client = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(self.timeout),
            follow_redirects=True,
            max_redirects=self.max_redirects,
            headers={"User-Agent": self.user_agent, "Accept-Encoding": "gzip, deflate"},
            event_hooks={"request": [self._check_redirect]},
            # a fresh connection per request, so the deadline watchdog always sees
            # the socket it has to cut
            limits=httpx.Limits(max_keepalive_connections=0),
        )

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> HttpClient:
        return cls(settings.http, **kwargs)

    # --- lifecycle ---------------------------------------------------------

    def stop(self) -> None:
        """Refuse new requests and cut back-off waits short (daemon shutdown)."""
        self._stopping.set()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _interruptible_sleep(self, seconds: float) -> None:
        self._stopping.wait(seconds)

    # --- requests ----------------------------------------------------------

    def get(self, url: str, *, validators: dict[str, str] | None = None,
            accept: str | None = None) -> Response:
        """GET ``url`` with retries; a 304 answer gives ``Response.not_modified``.

        ``validators`` is what ``Response.validators`` returned last time.
        """
        headers: dict[str, str] = {}
        if validators:
            if validators.get("etag"):
                headers["If-None-Match"] = validators["etag"]
            if validators.get("last_modified"):
                headers["If-Modified-Since"] = validators["last_modified"]
        if accept:
            headers["Accept"] = accept
        self._check_not_before(url)
        attempt = 0
        while True:
            if self.stopping:
                raise FetchError(f"{url}: not fetched, figmon is shutting down",
                                 "it will be fetched on the next run", url=url)
            try:
                return self._get_once(url, headers)
            except FetchError as exc:
                retryable = exc.status in RETRY_STATUSES or exc.status == 0
                too_long = exc.retry_after is not None and exc.retry_after > self.max_wait
                if too_long:
                    self._remember_wait(url, float(exc.retry_after or 0))
                if not retryable or attempt >= self.retries:
                    if retryable and attempt:
                        exc.message += f" (gave up after {attempt + 1} attempts)"
                        exc.args = (exc.message,)
                    raise
                if too_long:
                    exc.message += (f"; the server asks to wait {exc.retry_after:g} s, "
                                    f"longer than http.max_wait ({self.max_wait:g} s): "
                                    "its host is left alone until then")
                    exc.args = (exc.message,)
                    raise
                wait = max(self.backoff * (2 ** attempt), exc.retry_after or 0.0)
                attempt += 1
                self._sleep(min(wait, self.max_wait))

    def now(self) -> float:
        return self._clock()

    def waits(self) -> dict[str, float]:
        """Host -> clock time before which it must not be called (to be saved)."""
        now = self._clock()
        with self._hosts_lock:
            return {host: until for host, until in self._not_before.items() if until > now}

    def defer(self, waits: dict[str, float]) -> None:
        """Take over saved waits (a later deadline wins)."""
        with self._hosts_lock:
            for host, until in waits.items():
                self._not_before[host] = max(until, self._not_before.get(host, until))

    def _remember_wait(self, url: str, seconds: float) -> None:
        host = urlsplit(url).netloc.lower()
        with self._hosts_lock:
            until = self._clock() + seconds
            self._not_before[host] = max(until, self._not_before.get(host, until))

    def _check_not_before(self, url: str) -> None:
        """A host that answered 429/503 with Retry-After is not called before that time."""
        host = urlsplit(url).netloc.lower()
        with self._hosts_lock:
            until = self._not_before.get(host)
            left = None if until is None else until - self._clock()
            if left is not None and left <= 0:
                del self._not_before[host]
        if left is not None and left > 0:
            raise FetchError(f"{url}: not fetched, {host} asked (Retry-After) to be left alone "
                             f"for another {left:.0f} s",
                             "it is fetched again on the first run after that", url=url,
                             status=429, retry_after=left)

    def _host_gate(self, url: str) -> threading.Semaphore:
        host = urlsplit(url).netloc.lower()
        with self._hosts_lock:
            gate = self._hosts.get(host)
            if gate is None:
                gate = self._hosts[host] = threading.Semaphore(self.per_host)
            return gate

    def _check_redirect(self, request: httpx.Request) -> None:
        """Every request httpx sends, redirects included: a redirect stays on
        http(s), and goes into the local network only when it stays on the
        origin's own host and port, or ``http.allow_private`` is set."""
        origin = getattr(self._origin, "url", None)
        target = str(request.url)
        if origin is None or target == origin:
            return
        if request.url.scheme not in ("http", "https"):
            raise FetchError(f"{origin}: redirected to {target}: only http(s) redirects are "
                             "followed", "the server sends figmon somewhere it must not go; "
                             "check the URL in figmon.yaml", url=origin)
        o = httpx.URL(origin)
        same = (o.scheme, o.host, o.port) == (request.url.scheme, request.url.host,
                                               request.url.port)
        if not same and not self.allow_private and _is_private(request.url.host):
            raise FetchError(
                f"{origin}: redirected to {target}, a private or loopback address: refused",
                "a public feed must not send figmon into the local network; set "
                "'http.allow_private: true' in figmon.yaml only if you trust it", url=origin)

    def _get_once(self, url: str, headers: dict[str, str]) -> Response:
        """One attempt.  FetchError.status: the HTTP status, 0 for retryable transport errors.

        ``http.timeout`` bounds the whole request, connect to last byte: a watchdog
        cuts the connection when it runs out, however slowly the server trickles.
        """
        with self._host_gate(url):
            watchdog = _Watchdog(self.timeout)
            self._origin.url = url
            try:
                with self._client.stream("GET", url, headers=headers,
                                         extensions={"trace": watchdog.trace}) as r:
                    if r.status_code == 304:
                        return Response(str(r.url), 304, _headers(r), not_modified=True)
                    if r.status_code >= 400:
                        raise _status_error(url, r)
                    declared = r.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > self.max_bytes:
                        raise self._too_big(url)
                    body = bytearray()
                    for chunk in r.iter_bytes():  # decoded, so a gzip bomb stops at the cap
                        body.extend(chunk)
                        if len(body) > self.max_bytes:
                            raise self._too_big(url)
                        if watchdog.expired():
                            raise self._too_slow(url)
                    if watchdog.expired():  # cut short: what arrived is not the whole body
                        raise self._too_slow(url)
                    return Response(str(r.url), r.status_code, _headers(r), bytes(body))
            except FetchError:
                raise
            except httpx.HTTPError as exc:
                if watchdog.expired():
                    raise self._too_slow(url) from exc
                raise self._transport_error(url, exc) from exc
            finally:
                watchdog.cancel()
                self._origin.url = None

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> Response:
        """One POST, no retries and no redirects (the delivery outbox retries with
        back-off); any answer is returned, only a transport failure raises."""
        if self.stopping:
            raise FetchError(f"{url}: not sent, figmon is shutting down",
                             "it is sent on the next start", url=url, status=0)
        with self._host_gate(url):
            try:
                r = self._client.post(url, content=body, headers=headers,
                                      follow_redirects=False)
            except httpx.HTTPError as exc:
                raise self._transport_error(url, exc) from exc
        return Response(str(r.url), r.status_code, _headers(r), r.content[:65536])

    def _too_slow(self, url: str) -> FetchError:
        return FetchError(
            f"{url}: no answer within {self.timeout:g} s (http.timeout bounds the whole "
            "request, connect to last byte)",
            "the server is slow or down; it is tried again on the next run "
            "(raise http.timeout in figmon.yaml if it is always slow)", url=url)

    def _transport_error(self, url: str, exc: httpx.HTTPError) -> FetchError:
        """A FetchError for what httpx raised; status 0 marks the retryable ones."""
        if isinstance(exc, httpx.TooManyRedirects):
            return FetchError(f"{url}: more than {self.max_redirects} redirects "
                              "(probably a redirect loop)",
                              "open the URL in a browser and put the final address in "
                              "figmon.yaml", url=url)
        if isinstance(exc, httpx.ReadTimeout | httpx.WriteTimeout | httpx.PoolTimeout):
            return self._too_slow(url)
        if isinstance(exc, httpx.RemoteProtocolError):
            return FetchError(f"{url}: the server broke the HTTP protocol ({exc})",
                              "it sent a malformed or cut-off answer (a wrong "
                              "Content-Length?); it is tried again on the next run",
                              url=url, status=0)
        if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.ReadError
                      | httpx.WriteError):
            return FetchError(f"{url}: cannot connect ({type(exc).__name__}: {exc})",
                              "check the address and the network; it is tried again on "
                              "the next run", url=url, status=0)
        if isinstance(exc, httpx.UnsupportedProtocol):
            return FetchError(f"{url}: unsupported address",
                              "use an http:// or https:// URL in figmon.yaml", url=url)
        return FetchError(f"{url}: request failed ({type(exc).__name__}: {exc})",
                          "check the URL; it is tried again on the next run", url=url)

    def _too_big(self, url: str) -> FetchError:
        return FetchError(f"{url}: response larger than {self.max_bytes} bytes",
                          "check that the URL is a feed or an article page, "
                          "or raise http.max_bytes in figmon.yaml", url=url)


class _Watchdog:
    """Cuts a request's connection when its whole-request deadline passes.

    httpx's timeouts bound each read; a server sending a byte a second never
    trips them.  The connection's socket is taken from httpcore's trace events
    as it opens, and shut down from a timer thread, which ends any read.
    """

    def __init__(self, seconds: float) -> None:
        self._fired = threading.Event()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._deadline = time.monotonic() + seconds
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def trace(self, event: str, info: dict[str, Any]) -> None:
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            stream = info.get("return_value")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if isinstance(sock, socket.socket):
                with self._lock:
                    self._sockets.append(sock)
                if self._fired.is_set():
                    self._cut()

    def _fire(self) -> None:
        self._fired.set()
        self._cut()

    def _cut(self) -> None:
        with self._lock:
            for sock in self._sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # already closed

    def expired(self) -> bool:
        return self._fired.is_set() or time.monotonic() > self._deadline

    def cancel(self) -> None:
        self._timer.cancel()


def _is_private(host: str) -> bool:
    """Is ``host`` (a name or an address) on this machine or a private network?"""
    try:
        addresses = [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, None)
        except (OSError, UnicodeError):
            return False  # does not resolve: the request fails on its own
        addresses = []
        for info in infos:
            try:
                addresses.append(ipaddress.ip_address(str(info[4][0]).split("%")[0]))
            except ValueError:
                continue
    return any(a.is_private or a.is_loopback or a.is_link_local or a.is_reserved
               or a.is_unspecified or a.is_multicast for a in addresses)


def _headers(r: httpx.Response) -> dict[str, str]:
    return {k.lower(): v for k, v in r.headers.items()}


def _status_error(url: str, r: httpx.Response) -> FetchError:
    status = r.status_code
    reason = r.reason_phrase or "error"
    if status in (404, 410):
        hint = "the page is gone: check the URL in figmon.yaml"
    elif status in (401, 403):
        hint = "the server refuses figmon: check the URL, or remove the source"
    elif status == 429:
        hint = "the server is rate-limiting figmon: make this source's 'every' longer"
    elif status >= 500:
        hint = "the server has a problem; it is tried again on the next run"
    else:
        hint = "check the URL in figmon.yaml"
    return FetchError(f"{url}: HTTP {status} {reason}", hint, url=url, status=status,
                      retry_after=parse_retry_after(r.headers.get("retry-after")))


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds: either a number or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


# --- charsets ----------------------------------------------------------------

def charset_from_header(content_type: str) -> str | None:
    m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", content_type or "", re.I)
    if not m:
        return None
    try:
        return codecs.lookup(m.group(1)).name
    except LookupError:
        return None


def decode(content: bytes, content_type: str = "", url: str = "") -> str:
    """Bytes → text: the header's charset, else BOM / UTF-8 / <meta charset> /
    Cyrillic code pages / detection (``articles.decode_bytes``)."""
    charset = charset_from_header(content_type)
    if charset:
        try:
            return content.decode(charset)
        except UnicodeDecodeError:
            pass  # a wrong declaration: detect instead
    try:
        return decode_bytes(content, url or "<response>", html=True)[0]
    except EncodingError as exc:
        raise FetchError(exc.message, "the page has broken bytes; it is read again on the "
                         "next run", url=url) from None
    except ArticleError:
        raise FetchError(f"{url}: the body is not text",
                         "the address serves a binary file (PDF, image...), not a page or "
                         "feed; point the source at the article's HTML page", url=url) from None
