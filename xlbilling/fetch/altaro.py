"""Hornetsecurity/Altaro "Report API Link" client (BILLING_RULES.md 5, seeds/003).

The link is created in the Cloud Management Console for a customer selection
and a month range; a GET with the key in the `X-API-KEY` header returns the
itemised billing report (CSV, or JSON on some accounts).  The vendor allows at
most one call per 5 minutes and answers sooner calls with 403 Forbidden or 400
Bad Request (Hornetsecurity KB "How to use the API Key for Usage Reports"); a
link can also be limited to allow-listed static IPs.  Hence:

- a local record per link (xlbilling.fetch.state) refuses a second call within
  `min_interval_s`, or serves the saved copy with `reuse_last`;
- no retry once the server may have seen the request (each call counts toward
  the limit); only a failed connection (request never sent) is retried;
- the month is not sent: the documents describe no month parameter, the month
  range is fixed when the link is created.  It is recorded and reported.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import time
from dataclasses import dataclass, field, replace
from typing import Callable

from xlbilling.errors import AuthError, FetchError, NotAllowedError, RateLimitedError
from xlbilling.fetch import http
from xlbilling.fetch.output import atomic_write_bytes
from xlbilling.fetch.secrets import server_summary
from xlbilling.fetch.secrets import ApiKey, link_id
from xlbilling.fetch.state import LinkRecord, LinkState

KEY_HEADER = "X-API-KEY"
VENDOR_WINDOW_S = 300.0  # seeds/003: "the API can only be accessed at most once every 5 minutes"
KNOWN_COLUMNS = ("Object Type Backed Up", "Object Name")  # FORMATS.md: the two known columns


@dataclass(frozen=True, slots=True)
class AltaroSettings:
    min_interval_s: float = VENDOR_WINDOW_S  # local refusal window; lower only for a test server
    http: http.HttpSettings = field(default_factory=lambda: http.HttpSettings(retries=2))


@dataclass(frozen=True, slots=True)
class AltaroReport:
    """A fetched (or reused) report body, validated, as the vendor served it."""

    body: bytes
    fmt: str                    # "csv" | "json"
    rows: int
    columns: tuple[str, ...]
    month: str
    link_id: str
    fetched_at_epoch_s: float
    from_saved_copy: bool = False
    warnings: tuple[str, ...] = ()


def fetch_report(link: str, key: ApiKey, *, month: str, state: LinkState,
                 settings: AltaroSettings = AltaroSettings(), reuse_last: bool = False,
                 now: Callable[[], float] = time.time,
                 progress: Callable[[str], None] | None = None) -> AltaroReport:
    """Fetch the report behind `link`, honouring the 5-minute rule."""
    url = http.check_url(link, what="--link")
    lid = link_id(link)
    record = state.get(lid)
    since_s = _since(record.last_call_epoch_s, now())
    if since_s is not None and 0 <= since_s < settings.min_interval_s:
        if reuse_last:
            return _reuse(record, state, month, since_s)
        raise _too_soon(record, lid, since_s, settings)

    where = http.describe_url(link)
    if progress:
        progress(f"GET {where} (link id {lid}, month {month})")
    attempt_epoch_s = now()
    since_attempt_s = _since(record.last_attempt_epoch_s, attempt_epoch_s)
    if since_attempt_s is None or (since_s is not None and since_s < since_attempt_s):
        since_attempt_s = since_s
    try:
        with http.make_client(url, settings.http) as client:
            answer = http.get(client, url, key_header=KEY_HEADER, key=key,
                              accept="text/csv, application/json;q=0.9, */*;q=0.1",
                              settings=settings.http, retry_safe_failures=False,
                              retry_connect_failures=True, on_retry=progress)
    except FetchError as err:
        if getattr(err, "request_sent", True):
            # Timed out or cut off: the server worked on it, so it likely
            # counted. Record it so the next try does not walk into its window.
            _record(state, record, month, attempt_epoch_s, None, counted=True)
        raise

    if answer.status != 200:
        error = _status_error(answer, key, lid, since_attempt_s, previous_status=record.last_status)
        # Counted: a limit refusal (the window is running) and a vendor error.
        # Not counted: a rejected key, an allow-list refusal, a missing link -
        # fixing those needs the user, who should then be able to retry at once.
        counted = isinstance(error, RateLimitedError) or answer.status >= 500
        _record(state, record, month, attempt_epoch_s, answer.status, counted=counted)
        raise error
    try:
        report = validate_body(answer.body, answer.content_type, month=month, lid=lid,
                               fetched_at_epoch_s=attempt_epoch_s)
    except FetchError:
        _record(state, record, month, attempt_epoch_s, answer.status, counted=True)
        raise
    _save_copy(state, record, lid, report, month, attempt_epoch_s)
    _record(state, record, month, attempt_epoch_s, answer.status, counted=True)
    return report


def _too_soon(record, lid: str, since_s: float, settings: AltaroSettings) -> RateLimitedError:
    """The vendor's one-call-per-interval rule, said with the wait and the saved copy to use instead."""
    wait_s = int(settings.min_interval_s - since_s + 0.999)
    copy_hint = ""
    if record.saved_copy and record.saved_epoch_s:
        saved_at = dt.datetime.fromtimestamp(record.saved_epoch_s, dt.timezone.utc)
        copy_hint = f", or add --reuse-last to use the copy saved {saved_at:%Y-%m-%d %H:%M:%S} UTC"
    return RateLimitedError(
        f"this Altaro link (id {lid}) was called {int(since_s)} s ago and the vendor allows one call "
        f"per {settings.min_interval_s:g} s: wait {wait_s} s{copy_hint}", retry_after_s=wait_s)


def _save_copy(state: LinkState, record, lid: str, report: AltaroReport, month: str,
               attempt_epoch_s: float) -> None:
    """Keep the answer byte for byte (atomically) so --reuse-last can serve it inside the window."""
    copy = state.copy_path(lid, report.fmt)
    state.ensure_directory()
    atomic_write_bytes(copy, report.body)
    record.saved_copy, record.saved_format, record.saved_epoch_s = str(copy), report.fmt, attempt_epoch_s
    record.saved_month = month
    record.saved_sha256 = hashlib.sha256(report.body).hexdigest()


def _since(epoch_s: float | None, now_s: float) -> float | None:
    return None if epoch_s is None else now_s - epoch_s


def _record(state: LinkState, record: LinkRecord, month: str, at_epoch_s: float, status: int | None, *,
            counted: bool) -> None:
    record.last_attempt_epoch_s, record.last_status, record.month = at_epoch_s, status, month
    if counted:
        record.last_call_epoch_s = at_epoch_s
    state.put(record)


def _reuse(record: LinkRecord, state: LinkState, month: str, since_s: float) -> AltaroReport:
    if not record.saved_copy:
        raise RateLimitedError(
            f"this Altaro link (id {record.link_id}) was called {int(since_s)} s ago without a good answer, "
            f"so there is no saved copy to reuse: wait until 5 minutes have passed",
            retry_after_s=max(0.0, VENDOR_WINDOW_S - since_s))
    try:
        with open(record.saved_copy, "rb") as handle:
            body = handle.read()
    except OSError:
        raise FetchError(f"the saved copy {record.saved_copy} is gone: wait until 5 minutes have passed "
                         f"since the last call and fetch again") from None
    if hashlib.sha256(body).hexdigest() != record.saved_sha256:
        raise FetchError(f"the saved copy {record.saved_copy} was changed since it was fetched: "
                         f"wait 5 minutes and fetch again")
    report = validate_body(body, "application/json" if record.saved_format == "json" else "text/csv",
                           month=record.saved_month or month, lid=record.link_id,
                           fetched_at_epoch_s=record.saved_epoch_s or 0.0)
    warnings = list(report.warnings)
    if record.saved_month and record.saved_month != month:
        warnings.append(f"the saved copy was fetched for month {record.saved_month}, not {month}")
    return replace(report, from_saved_copy=True, warnings=tuple(warnings))


def _status_error(answer: http.Answer, key: ApiKey, lid: str, since_s: float | None, *,
                  previous_status: int | None = None) -> FetchError:
    """Map a non-200 answer to the error tree, saying what is likely and what to do."""
    status = answer.status
    said = _snippet(answer.body, key)
    said_txt = f" The server said: {said!r}." if said else ""
    lowered = said.lower()
    retry_after = answer.headers.get("retry-after")
    recent = since_s is not None and 0 <= since_s < VENDOR_WINDOW_S
    if status == 401:
        return AuthError(f"HTTP 401 from the Altaro link (id {lid}): the API key was rejected. Check it is "
                         f"the key shown when this link was created and store it again with "
                         f"`xlbilling auth set altaro --link URL`.{said_txt}")
    if status == 429 or (status in (400, 403) and (recent or retry_after or _mentions_limit(lowered))):
        wait_s = _wait_s(retry_after, since_s)
        when = f" (xlbilling called it {int(since_s)} s ago)" if recent else ""
        persists = ""
        if recent and previous_status in (400, 401, 403):
            persists = (f" That earlier call was refused too (HTTP {previous_status}): if a call after the wait "
                        f"is still refused, check the link's IP allow-list and key.")
        return RateLimitedError(
            f"HTTP {status} from the Altaro link (id {lid}): most likely the vendor's once-per-5-minutes "
            f"limit{when}. Wait {wait_s} s before the next call; nothing was saved.{persists}{said_txt}",
            retry_after_s=wait_s)
    if status in (400, 403):
        return NotAllowedError(
            f"HTTP {status} from the Altaro link (id {lid}), and xlbilling has not called it in the last 5 "
            f"minutes. Likely causes: this computer's public IP is not on the link's IP allow-list, or the "
            f"API key does not belong to this link; less likely, another tool (RMM/PSA) called the link "
            f"within the last 5 minutes. Check the link under [Manage Shared API Links] in the Cloud "
            f"Management Console. Do not retry at once: a call that was refused may still count toward "
            f"the 5-minute limit.{said_txt}")
    if status == 404:
        return FetchError(f"HTTP 404 from the Altaro link (id {lid}): the link does not exist (deleted or "
                          f"mistyped?). Create a new one under [Export Itemised Billing Report].{said_txt}")
    if 300 <= status < 400:
        target = http.describe_url(answer.headers.get("location", ""))
        return FetchError(f"HTTP {status}: the Altaro link redirects to {target}; redirects are not followed "
                          f"so the key is not sent elsewhere - use the final https address")
    if 500 <= status < 600:
        return FetchError(f"HTTP {status} from the Altaro link (id {lid}): a vendor-side error. Not retried "
                          f"(each call counts toward the 5-minute limit): try again in 5 minutes.{said_txt}")
    return FetchError(f"HTTP {status} from the Altaro link (id {lid}): unexpected answer.{said_txt}")


def _mentions_limit(text: str) -> bool:
    return any(word in text for word in ("5 minute", "five minute", "rate limit", "too many", "too soon"))


def _wait_s(retry_after: str | None, since_s: float | None) -> int:
    if retry_after and retry_after.strip().isdigit():
        return int(retry_after.strip())
    if since_s is not None and 0 <= since_s < VENDOR_WINDOW_S:
        return int(VENDOR_WINDOW_S - since_s + 0.999)
    return int(VENDOR_WINDOW_S)


def _snippet(body: bytes, key: ApiKey) -> str:
    """A short summary of an error body that never holds the key in any form."""
    return server_summary(body, key)  # key-free in every encoding, or nothing


def validate_body(body: bytes, content_type: str, *, month: str, lid: str,
                  fetched_at_epoch_s: float) -> AltaroReport:
    """Decide CSV or JSON and check the body is complete and well formed
    (a truncated CSV ends in an incomplete line; a truncated JSON does not parse)."""
    stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped:
        raise FetchError(f"the Altaro link (id {lid}) answered 200 with an empty body: nothing was saved; "
                         f"check the link's customer and month selection")
    ctype = content_type.split(";")[0].strip().lower()
    if ctype in ("text/html", "application/xhtml+xml") or stripped[:1] == b"<":
        raise FetchError(f"the Altaro link (id {lid}) answered with a web page, not a report: check the "
                         f"link address (copy it again from [Manage Shared API Links])")
    if ctype.endswith("json") or stripped[:1] in (b"[", b"{"):
        rows, columns, warnings = _check_json(body, lid)
        fmt = "json"
    else:
        rows, columns, warnings = _check_csv(body, lid)
        fmt = "csv"
    missing = [c for c in KNOWN_COLUMNS if rows and c.lower() not in {x.strip().lower() for x in columns}]
    if missing:
        warnings.append(f"the report has no column {', '.join(repr(m) for m in missing)}: the Altaro reader "
                        f"may not recognise it")
    if rows == 0:
        warnings.append("the report has no data rows (no usage for this selection?)")
    return AltaroReport(body, fmt, rows, tuple(columns), month, lid, fetched_at_epoch_s, False, tuple(warnings))


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return body.decode("cp1252", "replace")  # only for checking; the body is saved as served


def _check_json(body: bytes, lid: str) -> tuple[int, list[str], list[str]]:
    try:
        data = json.loads(_decode(body))
    except ValueError as err:
        raise FetchError(f"the Altaro link (id {lid}) sent JSON that does not parse ({err.msg} at character "
                         f"{err.pos}): probably truncated; nothing was saved, try again in 5 minutes") from None
    items = data
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        items = lists[0] if len(lists) == 1 else None
    if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
        raise FetchError(f"the Altaro link (id {lid}) sent JSON that is not a list of report rows "
                         f"(an Altaro JSON report is a list of objects, one per row): nothing was saved")
    columns: list[str] = []
    for item in items[:50]:
        columns.extend(k for k in item if k not in columns)
    return len(items), columns, []


def _check_csv(body: bytes, lid: str) -> tuple[int, list[str], list[str]]:
    text = _decode(body)
    try:
        table = [row for row in csv.reader(io.StringIO(text, newline=""), strict=True)]
    except csv.Error as err:
        raise FetchError(f"the Altaro link (id {lid}) sent CSV that does not parse ({err}): probably "
                         f"truncated; nothing was saved, try again in 5 minutes") from None
    while table and not any(cell.strip() for cell in table[-1]):
        table.pop()
    if not table:
        raise FetchError(f"the Altaro link (id {lid}) sent a CSV with no header: nothing was saved")
    header, data = table[0], table[1:]
    width = len(header)
    if data and len(data[-1]) != width:
        raise FetchError(f"the Altaro link (id {lid}) sent a CSV whose last line has {len(data[-1])} of "
                         f"{width} fields: the body was truncated; nothing was saved, try again in 5 minutes")
    warnings = []
    uneven = [i + 2 for i, row in enumerate(data) if len(row) != width]
    if uneven:
        warnings.append(f"{len(uneven)} CSV line(s) do not have {width} fields (first: line {uneven[0]})")
    return len(data), header, warnings
