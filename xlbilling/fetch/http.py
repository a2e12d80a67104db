"""The one place xlbilling talks HTTP: URL policy (https only, TLS always
verified), timeouts, bounded retries for safe requests, and the mapping of
httpx's exceptions to `FetchError` - done here once, with messages that carry
neither the key nor httpx's request/response objects (which hold the headers).

Loopback exception: `http://` is accepted only for the loopback addresses
127.0.0.0/8, ::1 and `localhost` (`LOOPBACK_HTTP_ALLOWED`), where traffic never
leaves the machine - this is what the tests' local server (and any local mock
of the vendor APIs) uses.  Any other plain-http URL is refused, and there is no
option to turn certificate verification off.
"""
from __future__ import annotations

import ipaddress
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Collection, Mapping

import httpx

from xlbilling.errors import FetchError
from xlbilling.fetch.secrets import ApiKey, key_in

# Documented allowance (docs/fetch.md): plain http to loopback only.
LOOPBACK_HTTP_ALLOWED = True


@dataclass(frozen=True, slots=True)
class HttpSettings:
    """Timeouts and retry policy.  Why separate connect and read timeouts: a
    dead host should fail in seconds, while a large report may legitimately
    take a minute to generate."""

    connect_timeout_s: float = 10.0
    # The whole answer (headers and body) must arrive within read_timeout_s
    # (--timeout): a server dripping a byte every few seconds is cut off at that
    # deadline, not only when one read stalls.  Each single read waits at most
    # the same time.
    read_timeout_s: float = 60.0
    max_body_bytes: int = 512 << 20   # larger answers are refused while streaming (no MemoryError)

    @property
    def stall_s(self) -> float:
        """How long one read may wait: the deadline, but at most a minute."""
        return min(self.read_timeout_s, 60.0)
    retries: int = 2            # extra attempts for safe failures (x360Recover only)
    backoff_s: float = 0.5      # first wait; doubles each retry
    user_agent: str = "xlbilling-fetch"


@dataclass(frozen=True, slots=True)
class Answer:
    """A complete HTTP answer, body fully read and length-checked."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str
    elapsed_s: float = 0.0
    content_type: str = field(default="")


def describe_url(url: str) -> str:
    """scheme://host[:port]/... : where a call went, without the path (an
    Altaro link's path identifies the partner's report)."""
    try:
        parsed = httpx.URL(url)
        port = f":{parsed.port}" if parsed.port else ""
        return f"{parsed.scheme}://{parsed.host}{port}/..."
    except Exception:
        return "<unparseable URL>"


def is_loopback_host(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_url(url: str, *, what: str) -> httpx.URL:
    """Refuse anything but https (or http to loopback, see module docstring)."""
    try:
        parsed = httpx.URL(url.strip())
    except Exception:
        raise FetchError(f"{what}: not a valid URL; expected https://...") from None
    if parsed.scheme == "https" and parsed.host:
        return parsed
    if parsed.scheme == "http" and parsed.host and LOOPBACK_HTTP_ALLOWED and is_loopback_host(parsed.host):
        return parsed
    if parsed.scheme == "http":
        raise FetchError(f"{what}: plain http to {parsed.host} refused - the API key would travel unencrypted; "
                         f"use the https:// address (http is accepted only for loopback test servers)")
    raise FetchError(f"{what}: expected an https:// URL, found scheme {parsed.scheme!r}")


def make_client(url: httpx.URL, settings: HttpSettings) -> httpx.Client:
    """TLS verification is always on (no parameter to change it; CAs from
    certifi, or SSL_CERT_FILE/SSL_CERT_DIR).  Redirects are not followed: httpx
    would forward our custom key header to another host.  Proxy and CA
    environment variables are honoured, except for loopback URLs."""
    timeout = httpx.Timeout(settings.stall_s, connect=settings.connect_timeout_s)
    return httpx.Client(timeout=timeout, verify=True, follow_redirects=False,
                        trust_env=not is_loopback_host(url.host),
                        headers={"User-Agent": settings.user_agent})


def get(client: httpx.Client, url: httpx.URL | str, *, key_header: str, key: ApiKey,
        params: Mapping[str, object] | None = None, accept: str = "*/*",
        settings: HttpSettings, retry_safe_failures: bool,
        retry_connect_failures: bool = True,
        on_retry: Callable[[str], None] | None = None,
        caller_retries: Collection[int] = ()) -> Answer:
    """One GET, mapped to `Answer` or `FetchError`.

    retry_safe_failures: retry connect errors, timeouts and 5xx answers (only
    for idempotent reads whose server does not count calls).
    retry_connect_failures: retry only when the request never reached the
    server (connect error/timeout) - safe even for rate-limited links.
    caller_retries: statuses returned at once, not retried here, because the
    caller waits them out its own way (x360Recover: 504 after 60 s).
    """
    attempts = 1 + max(0, settings.retries)
    wait_s = settings.backoff_s
    where = describe_url(str(url))
    sent_any = False
    for attempt in range(1, attempts + 1):
        started = time.monotonic()
        status, headers, body, problem, retryable, request_sent = _attempt(
            client, url, params, {key_header: key.reveal(), "Accept": accept}, key, started,
            settings, where, retry_safe_failures=retry_safe_failures,
            retry_connect_failures=retry_connect_failures)
        sent_any = sent_any or request_sent
        if problem is None:
            problem, retryable = _answer_problem(status, headers, body, key, where, retry_safe_failures)
        if problem is None:
            if 500 <= status < 600 and retry_safe_failures and attempt < attempts and status not in caller_retries:
                problem, retryable = f"{where} answered HTTP {status}", True
            else:
                return Answer(status, headers, body, str(url), time.monotonic() - started,
                              headers.get("content-type", ""))
        # Raised outside the except blocks so no httpx exception (with its
        # request headers) is chained as __context__.
        if not retryable or attempt >= attempts:
            if attempt > 1:
                problem += f" (after {attempt} attempts)"
            error = FetchError(problem)
            error.request_sent = sent_any  # did the server possibly see this call?
            raise error
        if on_retry:
            on_retry(f"{problem}; retrying in {wait_s:g} s (attempt {attempt + 1} of {attempts})")
        time.sleep(wait_s)
        wait_s *= 2
    raise AssertionError("unreachable")


def _attempt(client, url, params, request_headers, key: ApiKey, started: float, settings: HttpSettings,
             where: str, *, retry_safe_failures: bool, retry_connect_failures: bool):
    """One exchange: (status, headers, body, problem, retryable, request_sent).

    Every transport failure becomes a problem sentence here (never an httpx
    exception, whose request headers carry the key); `request_sent` says
    whether the server may have seen the call, which decides whether a
    non-idempotent caller may retry."""
    status, headers, body = 0, {}, b""
    problem, retryable, request_sent = None, False, True
    try:
        def exchange():
            with client.stream("GET", url, params=params, headers=request_headers) as response:
                answer_headers = {k.lower(): v for k, v in response.headers.items()}
                return (response.status_code, answer_headers) + _read_body(response, started, settings, where)

        status, headers, body, problem = _within_deadline(exchange, settings, where)
        retryable = problem is not None and retry_safe_failures and "did not finish" in problem
    except (httpx.ConnectError, httpx.ConnectTimeout) as err:
        problem, retryable = _connect_problem(err, key, where, retry_safe_failures, retry_connect_failures)
        request_sent = False
    except httpx.TimeoutException:
        problem = (f"{where} did not answer within {settings.stall_s:g} s: try again later or "
                   f"raise --timeout")
        retryable = retry_safe_failures
    except httpx.RemoteProtocolError as err:
        problem = (f"{where} closed the connection before the whole answer arrived "
                   f"({_transport_reason(err, key)}): the body was truncated and nothing was saved; try again")
        retryable = retry_safe_failures
    except httpx.HTTPError as err:
        problem = f"HTTP failure talking to {where} ({_transport_reason(err, key)})"
        retryable = retry_safe_failures
    except (UnicodeError, ValueError, TypeError) as err:
        # Raised while building the request (e.g. an unencodable header);
        # such messages can quote header values, so only the type is kept.
        problem = f"could not build the request to {where} ({type(err).__name__})"
        request_sent = False
    return status, headers, body, problem, retryable, request_sent


def _connect_problem(err: Exception, key: ApiKey, where: str, retry_safe_failures: bool,
                     retry_connect_failures: bool) -> tuple[str, bool]:
    """A connection that never reached the server: a certificate failure is
    not transient (never retried, never skipped), anything else may be."""
    reason = _transport_reason(err, key)
    if "CERTIFICATE_VERIFY_FAILED" in reason or "certificate verify failed" in reason.lower():
        return (f"the TLS certificate of {where} could not be verified ({reason}): xlbilling never "
                f"skips verification; check the address, or, behind an inspecting proxy, set "
                f"SSL_CERT_FILE to a CA bundle that includes the proxy's certificate"), False
    return (f"could not connect to {where} ({reason}): check the address, the network and "
            f"any proxy"), retry_connect_failures or retry_safe_failures


def _answer_problem(status: int, headers: dict, body: bytes, key: ApiKey, where: str,
                    retry_safe_failures: bool) -> tuple[str | None, bool]:
    """What is wrong with an answer that arrived whole, if anything."""
    if 200 <= status < 300 and key_in(body, key):
        # A server echoing the key (in any encoding) in data we would save: refused,
        # the key never goes into a file.  Error bodies are only ever shown through
        # secrets.server_summary, which withholds them when they hold the key.
        return (f"{where} answered HTTP {status} with a body that contains the API key; nothing was "
                f"saved (xlbilling never writes the key to a file)"), False
    if short := _length_problem(headers, body, where):
        return short, retry_safe_failures
    return None, False


def _within_deadline(exchange: Callable[[], tuple], settings: HttpSettings, where: str):
    """Run one request/answer exchange with a whole-answer deadline, headers
    included: a server dripping its status line and headers a byte at a time
    never trips a per-read timeout, so the exchange runs in a daemon thread and
    is abandoned when the deadline passes.  An
    exception raised by the exchange is re-raised here, for get() to map."""
    box: dict[str, object] = {}

    def work() -> None:
        try:
            box["result"] = exchange()
        except BaseException as err:  # noqa: BLE001 - handed to the caller
            box["error"] = err

    worker = threading.Thread(target=work, name="xlbilling-http", daemon=True)
    worker.start()
    worker.join(settings.read_timeout_s + 0.5)
    if worker.is_alive():
        # abandoned: the daemon thread ends with its next stalled read (at most a
        # minute) or with the process; the client stays usable for a retry
        return 0, {}, b"", (f"{where} did not finish its answer within {settings.read_timeout_s:g} s (it is"
                            f" sending very slowly): try again later or raise --timeout; nothing was saved")
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["result"]


def _read_body(response: httpx.Response, started: float, settings: HttpSettings,
               where: str) -> tuple[bytes, str | None]:
    """The body, streamed: refused once it passes max_body_bytes (also when
    Content-Length announces more) or when the whole answer is not in by
    the deadline.  (body, None) or (b"", problem)."""
    limit = settings.max_body_bytes
    declared = response.headers.get("content-length", "")
    if declared.strip().isdigit() and int(declared) > limit:
        return b"", (f"{where} announced an answer of {int(declared):,} bytes; answers above {limit:,} bytes are "
                     f"refused and nothing was saved")
    parts: list[bytes] = []
    total = 0
    for chunk in response.iter_bytes():
        total += len(chunk)
        if total > limit:
            return b"", (f"{where} sent more than {limit:,} bytes; answers that large are refused and nothing "
                         f"was saved")
        parts.append(chunk)
        if time.monotonic() - started > settings.read_timeout_s:
            return b"", (f"{where} did not finish its answer within {settings.read_timeout_s:g} s ({total:,} bytes "
                         f"so far): try again later or raise --timeout; nothing was saved")
    return b"".join(parts), None


def _length_problem(headers: Mapping[str, str], body: bytes, where: str) -> str | None:
    """Detect a short body even if the transport did not (Content-Length is
    the byte count of the body as sent, unless a content-encoding was used)."""
    declared = headers.get("content-length")
    if declared is None or headers.get("content-encoding"):
        return None
    try:
        expected = int(declared)
    except ValueError:
        return None
    if len(body) != expected:
        return (f"{where} sent {len(body)} of the {expected} bytes it announced: the answer is truncated and "
                f"nothing was saved; try again")
    return None


def _transport_reason(err: Exception, key: ApiKey) -> str:
    """A short reason from a transport error.  Transport errors carry socket
    messages, but a protocol error may quote a header: the key is scrubbed,
    only the first line kept and its length capped."""
    text = str(err)
    if key_in(text.encode("utf-8", "replace"), key):
        return type(err).__name__
    text = text.splitlines()[0] if text else type(err).__name__
    return text[:200]
