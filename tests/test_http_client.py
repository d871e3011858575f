"""HttpClient unit tests with an injected httpx.MockTransport and an injected sleep."""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx
import pytest

from monitor.config import DEFAULTS
from monitor.errors import FetchError
from monitor.http import HttpClient, charset_from_header, decode, parse_retry_after

URL = "http://news.test/feed.xml"


def make(handler: Callable[[httpx.Request], httpx.Response], **config: object
         ) -> tuple[HttpClient, list[float]]:
    waits: list[float] = []
    client = HttpClient({"retries": 2, "backoff": 1.0, **config},
                        transport=httpx.MockTransport(handler), sleep=waits.append)
    return client, waits


def test_user_agent_and_conditional_headers_are_sent() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(304)

    client, _ = make(handler)
    resp = client.get(URL, validators={"etag": '"v1"', "last_modified": "Fri, 15 Aug 2025"})
    assert resp.not_modified and resp.content == b""
    req = seen[0]
    assert req.headers["user-agent"] == DEFAULTS["http"]["user_agent"]
    assert req.headers["if-none-match"] == '"v1"'
    assert req.headers["if-modified-since"] == "Fri, 15 Aug 2025"


def test_validators_come_back_from_the_response() -> None:
    client, _ = make(lambda r: httpx.Response(
        200, content=b"ok", headers={"ETag": '"abc"', "Last-Modified": "Sat, 16 Aug 2025"}))
    resp = client.get(URL)
    assert resp.validators == {"etag": '"abc"', "last_modified": "Sat, 16 Aug 2025"}
    assert resp.text == "ok"


def test_500_is_retried_with_doubling_backoff_then_succeeds() -> None:
    answers = iter([500, 503, 200])
    client, waits = make(lambda r: httpx.Response(next(answers), content=b"fine"))
    assert client.get(URL).text == "fine"
    assert waits == [1.0, 2.0]  # backoff 1 s, doubled


def test_500_every_time_gives_up_naming_url_and_attempts() -> None:
    client, waits = make(lambda r: httpx.Response(500))
    with pytest.raises(FetchError) as info:
        client.get(URL)
    assert URL in info.value.message and "HTTP 500" in info.value.message
    assert "3 attempts" in info.value.message  # retries: 2 → three tries
    assert info.value.status == 500 and info.value.hint
    assert waits == [1.0, 2.0]


def test_429_honours_retry_after() -> None:
    answers = iter([httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200)])
    client, waits = make(lambda r: next(answers))
    assert client.get(URL).status == 200
    assert waits == [7.0]  # the server's 7 s beats the 1 s back-off


def test_429_with_retry_after_beyond_max_wait_gives_up_at_once() -> None:
    client, waits = make(lambda r: httpx.Response(429, headers={"Retry-After": "3600"}),
                         max_wait=30)
    with pytest.raises(FetchError) as info:
        client.get(URL)
    assert waits == []
    assert "3600" in info.value.message and "max_wait" in info.value.message
    assert info.value.retry_after == 3600


def test_a_host_that_asked_to_wait_is_left_alone_until_then() -> None:
    now = [1000.0]
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        if request.url.host == "news.test" and len(calls) == 1:
            return httpx.Response(429, headers={"Retry-After": "600"})
        return httpx.Response(200, content=b"fine")

    client = HttpClient({"retries": 2, "max_wait": 30}, transport=httpx.MockTransport(handler),
                        sleep=lambda s: None, clock=lambda: now[0])
    with pytest.raises(FetchError):
        client.get(URL)
    now[0] += 599  # the next poll comes before the ten minutes are up
    with pytest.raises(FetchError) as info:
        client.get("http://news.test/other.html")
    assert len(calls) == 1, "no request may reach the host while it asked to wait"
    assert "news.test asked (Retry-After) to be left alone for another 1 s" in str(info.value)
    assert client.get("http://elsewhere.test/x").text == "fine"  # other hosts go on
    now[0] += 2
    assert client.get(URL).text == "fine"
    assert calls[-1] == URL


def test_404_is_not_retried_and_says_what_to_do() -> None:
    calls = []
    client, waits = make(lambda r: calls.append(1) or httpx.Response(404))
    with pytest.raises(FetchError) as info:
        client.get(URL)
    assert len(calls) == 1 and waits == []
    assert "404" in info.value.message and URL in info.value.message
    assert "check the URL" in info.value.hint


def test_connection_error_is_retried_then_reported() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client, waits = make(handler)
    with pytest.raises(FetchError) as info:
        client.get(URL)
    assert len(waits) == 2
    assert "cannot connect" in info.value.message and URL in info.value.message


def test_redirect_loop_stops_at_the_limit() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        other = "/b" if request.url.path == "/a" else "/a"
        return httpx.Response(302, headers={"Location": other})

    client, _ = make(handler, max_redirects=3)
    with pytest.raises(FetchError) as info:
        client.get("http://news.test/a")
    assert "redirect" in info.value.message and "http://news.test/a" in info.value.message
    assert len(calls) == 4  # the first request and three redirects


def test_redirect_is_followed_and_final_url_kept() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/old":
            return httpx.Response(301, headers={"Location": "/new"})
        return httpx.Response(200, content=b"moved here")

    client, _ = make(handler)
    resp = client.get("http://news.test/old")
    assert resp.url == "http://news.test/new" and resp.text == "moved here"


def test_size_cap_by_declared_length() -> None:
    client, _ = make(lambda r: httpx.Response(200, content=b"x" * 101), max_bytes=100)
    with pytest.raises(FetchError) as info:
        client.get(URL)
    assert info.value.message == f"{URL}: response larger than 100 bytes"


def test_size_cap_while_streaming_without_length() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=iter([b"y" * 60, b"y" * 60, b"y" * 60]))

    client, _ = make(handler, max_bytes=100)
    with pytest.raises(FetchError, match="larger than 100 bytes"):
        client.get(URL)


def test_body_exactly_at_the_cap_is_accepted() -> None:
    client, _ = make(lambda r: httpx.Response(200, content=b"z" * 100), max_bytes=100)
    assert len(client.get(URL).content) == 100


def test_stopped_client_refuses_new_requests() -> None:
    client, _ = make(lambda r: httpx.Response(200))
    client.stop()
    with pytest.raises(FetchError, match="shutting down"):
        client.get(URL)


def test_per_host_limit_holds_back_the_third_request() -> None:
    inside = 0
    most = 0
    lock = threading.Lock()
    release = threading.Event()
    two_in = threading.Event()

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal inside, most
        with lock:
            inside += 1
            most = max(most, inside)
            if inside == 2:
                two_in.set()
        release.wait(10)
        with lock:
            inside -= 1
        return httpx.Response(200)

    client, _ = make(handler, per_host=2)
    threads = [threading.Thread(target=client.get, args=(URL,)) for _ in range(3)]
    for t in threads:
        t.start()
    assert two_in.wait(10)
    with lock:
        assert inside == 2  # the third waits at the host's gate
    release.set()
    for t in threads:
        t.join(10)
    assert most == 2


# --- charsets -------------------------------------------------------------

RU = "Пхеньян отправил более десяти тысяч солдат"


@pytest.mark.parametrize("encoding", ["cp1251", "koi8-r"])
def test_charset_from_the_header(encoding: str) -> None:
    assert decode(RU.encode(encoding), f"text/html; charset={encoding}") == RU


@pytest.mark.parametrize("meta", ['<meta charset="windows-1251">',
                                  '<meta http-equiv="Content-Type" '
                                  'content="text/html; charset=windows-1251">'])
def test_charset_from_meta_when_the_header_has_none(meta: str) -> None:
    page = f"<html><head>{meta}</head><body><p>{RU}</p></body></html>"
    assert RU in decode(page.encode("cp1251"), "text/html")


@pytest.mark.parametrize("encoding", ["cp1251", "koi8-r"])
def test_undeclared_cyrillic_is_detected(encoding: str) -> None:
    text = (f"<html><body><p>{RU}. По данным разведки, ещё около шести тысяч "
            "военнослужащих готовятся к отправке.</p></body></html>")
    assert decode(text.encode(encoding), "text/html") == text


def test_a_wrong_header_charset_falls_back_to_detection() -> None:
    body = f"<p>{RU}</p>".encode("cp1251")
    assert RU in decode(body, "text/html; charset=utf-8")


def test_charset_from_header_parsing() -> None:
    assert charset_from_header('text/html; charset="Windows-1251"') == "cp1251"
    assert charset_from_header("text/html") is None
    assert charset_from_header("text/html; charset=no-such-thing") is None


def test_retry_after_forms() -> None:
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Sat, 16 Aug 2025 10:00:30 GMT",
                             now=1755338400.0) == 30.0  # 10:00:00 GMT that day
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
