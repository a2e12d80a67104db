"""`xlbilling fetch altaro|x360recover`: pull a month's vendor data over the
vendor API and save it where `xlbilling build` reads reports.  A thin
adapter: the clients live in xlbilling.fetch; this parses arguments, checks
--out before any network call, writes atomically and prints a summary to
stderr (data goes to stdout only with `--out -`)."""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from xlbilling.commands.boundary import escape_control
from xlbilling.core.rules.x360recover import parse_month
from xlbilling.errors import ReportError, XlbillingError

try:  # httpx and keyring are optional on a headless install (`xlbilling help install`)
    from xlbilling.fetch import altaro, x360recover
    from xlbilling.fetch.http import HttpSettings, check_url
    from xlbilling.fetch.output import check_out, table_csv_bytes, table_xlsx_bytes, write_bytes
    from xlbilling.fetch.secrets import get_key
    from xlbilling.fetch.state import LinkState
except ImportError as _missing:  # pragma: no cover - exercised by tests/test_packaging.py in a subprocess
    MISSING = _missing.name or str(_missing)
else:
    MISSING = ""

EPILOG = """examples:
  xlbilling fetch altaro --link "$ALTARO_LINK" --month 2026-10 --out reports/altaro-2026-10.csv
      the Altaro itemised billing report behind a Report API Link (key: xlbilling auth set altaro)
  xlbilling fetch x360recover --month 2026-10 --out reports/x360recover-devices-2026-10.csv
      the x360Recover device table over the public API (key: xlbilling auth set x360recover)
  xlbilling fetch altaro --link "$ALTARO_LINK" --month 2026-10 --out - > altaro.csv
      the report on stdout

exit codes: 0 saved, 2 an error: nothing saved, or saved but the reader refuses the file (the message says
where it was saved and why it was refused)"""


def _register_unavailable(subparsers) -> None:
    """Without httpx/keyring the command still exists and says what to install."""
    def run_missing(args) -> int:
        raise XlbillingError(f"fetch needs the '{MISSING}' package, which this install leaves out: install"
                             " xlbilling with its default dependencies (pip install xlbilling), or add"
                             " httpx and keyring (`xlbilling help install`)")

    parser = subparsers.add_parser("fetch", help="fetch a month's usage data from a vendor API (needs httpx)",
                                   description="Not available on this install: httpx/keyring are missing.")
    parser.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    parser.set_defaults(func=run_missing)


def register(subparsers) -> None:
    if MISSING:
        _register_unavailable(subparsers)
        return
    parser = subparsers.add_parser(
        "fetch", help="fetch a month's usage data from a vendor API (Altaro link, x360Recover)",
        description="Fetch usage data over the vendor APIs. Keys come from the OS keyring or an "
                    "environment variable (see `xlbilling auth set`; guide: `xlbilling help fetch`).",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    vendors = parser.add_subparsers(dest="vendor", metavar="VENDOR", required=True)

    a = vendors.add_parser("altaro", help="the Hornetsecurity/Altaro itemised billing report API link",
                           epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
                           description="GET the report behind an Altaro 'Report API Link' (X-API-KEY header). "
                                       "At most one call per 5 minutes per link; the body is saved as served "
                                       "(CSV or JSON).")
    a.add_argument("--link", required=True, help="the report API link (https://...) from the Cloud Management Console")
    a.add_argument("--reuse-last", action="store_true",
                   help="within the 5-minute window, save the copy from the last call instead of refusing")
    a.add_argument("--min-interval-s", type=float, default=altaro.VENDOR_WINDOW_S, metavar="S",
                   help="refuse a second call to the same link within S seconds (default: %(default)g, the "
                        "vendor's limit; lower only against a test server)")
    _common(a)

    x = vendors.add_parser("x360recover", help="the Axcient x360Recover public API (device usage table)",
                           epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
                           description="Read clients, devices and vaults and write the x360Recover device table "
                                       "(CSV, or .xlsx by extension) with each device's tier.")
    x.add_argument("--base-url", default=os.environ.get("XLBILLING_X360RECOVER_BASE_URL",
                                                        x360recover.DEFAULT_BASE_URL),
                   help="API base URL (default: $XLBILLING_X360RECOVER_BASE_URL or %(default)s)")
    x.add_argument("--page-size", type=int, default=100, metavar="N",
                   help="devices per /device page (default %(default)s)")
    x.add_argument("--vault-limit", type=int, default=1000, metavar="N",
                   help="vaults asked for in the one /vault call (it has no offset); a listing this long is "
                        "refused as possibly cut off (default %(default)s)")
    x.add_argument("--max-wait", type=float, default=300.0, metavar="S",
                   help="longest single wait on a busy answer: 429 (Retry-After), 403 (possible DDoS "
                        "protection, 300 s), 504 (60 s) (default %(default)g)")
    _common(x)
    parser.set_defaults(func=run)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--month", required=True, metavar="YYYY-MM", help="billing month, YYYY-MM")
    p.add_argument("--out", required=True, help="file to write (refused if it exists, unless --force); - = stdout")
    p.add_argument("--force", action="store_true", help="replace an existing --out file")
    p.add_argument("--timeout", type=float, default=300.0, metavar="S",
                   help="seconds the whole answer may take, however slowly it arrives (default %(default)g;"
                        " a single stalled read is given up after at most 60 s)")
    p.add_argument("--connect-timeout", type=float, default=10.0, metavar="S",
                   help="seconds to wait for a connection (default %(default)g)")
    p.add_argument("--quiet", action="store_true", help="no progress messages (warnings still shown)")


def run(args: argparse.Namespace) -> int:
    month = parse_month(args.month)
    for name in ("timeout", "connect_timeout"):
        value = getattr(args, name)
        if not (0 < value <= 86400):  # NaN, negative, inf: refused, not passed to the socket layer
            raise XlbillingError(f"--{name.replace('_', '-')}: expected seconds between 0 and 86400, found {value:g}")
    out_path = check_out(args.out, force=args.force)
    http_settings = HttpSettings(connect_timeout_s=args.connect_timeout, read_timeout_s=args.timeout)
    if args.vendor == "altaro":
        return _run_altaro(args, month, out_path, http_settings)
    return _run_x360(args, month, out_path, http_settings)


def _quiet(message: str) -> None:
    """--quiet: progress dropped; warnings and errors still reach stderr."""


def stderr_progress(prefix: str):
    """A progress callback for the fetch clients: each message on stderr, with
    its control characters shown escaped (vendor text, e.g. reader warnings,
    never drives the terminal)."""
    def say(message: str) -> None:
        print(escape_control(f"{prefix}: {message}"), file=sys.stderr, flush=True)

    return say


def _run_altaro(args, month: dt.date, out_path: Path | None, http_settings: HttpSettings) -> int:
    say = stderr_progress("fetch altaro")
    progress = _quiet if args.quiet else say
    check_url(args.link, what="--link")  # a bad link is reported before a missing key
    key = get_key("altaro", link=args.link)
    settings = altaro.AltaroSettings(min_interval_s=args.min_interval_s, http=http_settings)
    report = altaro.fetch_report(args.link, key, month=f"{month:%Y-%m}", state=LinkState(),
                                 settings=settings, reuse_last=args.reuse_last, progress=progress)
    write_bytes(args.out, out_path, report.body, force=args.force)
    for warning in report.warnings:
        say(f"warning: {warning}")
    if out_path is not None and out_path.suffix.lower().lstrip(".") not in (report.fmt, "txt"):
        say(f"warning: the link served {report.fmt.upper()}, saved as served to {out_path.name}")
    origin = "reused the copy saved" if report.from_saved_copy else "fetched"
    when = dt.datetime.fromtimestamp(report.fetched_at_epoch_s, dt.timezone.utc)
    progress(f"{origin} {when:%Y-%m-%d %H:%M:%S} UTC: {report.rows} row(s), {report.fmt}, {len(report.body)} bytes, "
        f"month {report.month}, link id {report.link_id} -> {args.out}")
    return _reader_summary(out_path, say)


def _run_x360(args, month: dt.date, out_path: Path | None, http_settings: HttpSettings) -> int:
    say = stderr_progress("fetch x360recover")
    progress = _quiet if args.quiet else say
    for option, value in (("--page-size", args.page_size), ("--vault-limit", args.vault_limit)):
        if value < 1:
            raise XlbillingError(f"{option}: expected a positive number, found {value}")
    if not args.max_wait >= 0:
        raise XlbillingError(f"--max-wait: expected seconds >= 0, found {args.max_wait}")
    check_url(args.base_url, what="--base-url")
    key = get_key("x360recover")
    settings = x360recover.X360Settings(base_url=args.base_url, page_size=args.page_size,
                                        vault_limit=args.vault_limit, max_wait_s=args.max_wait, http=http_settings)
    table = x360recover.fetch_device_table(key, settings=settings, progress=progress)
    note = x360recover.month_note(month, table.fetched_at)
    if out_path is not None and out_path.suffix.lower() in (".xlsx", ".xlsm"):
        data = table_xlsx_bytes(table.columns, table.rows, sheet="x360recover devices")
    else:
        data = table_csv_bytes(table.columns, table.rows)
    write_bytes(args.out, out_path, data, force=args.force)
    for warning in table.warnings:
        say(f"warning: {warning}")
    if note:
        say(note)
    tiers = {}
    tier_at = table.columns.index("tier")
    for row in table.rows:
        tiers[row[tier_at]] = tiers.get(row[tier_at], 0) + 1
    tier_txt = ", ".join(f"{n} {t}" for t, n in sorted(tiers.items())) or "no devices"
    progress(f"month {month:%Y-%m} (data as of {table.fetched_at:%Y-%m-%d %H:%M} UTC): {len(table.rows)} device(s) of "
        f"{table.clients} client(s) [{tier_txt}] -> {args.out}")
    return _reader_summary(out_path, say)


def _reader_summary(path: Path | None, say) -> int:
    """Read the saved file back with the project's reader, when there is one,
    so a report `xlbilling build` would reject is caught now (ReportError: exit
    2, the file stays saved).  The reader is optional here: without it the file
    is still saved and 0 returned."""
    if path is None:
        return 0
    try:
        from xlbilling import readers
    except ImportError:
        return 0
    read_report = getattr(readers, "read_report", None)
    if read_report is None:
        return 0
    try:
        result = read_report(str(path))
    except XlbillingError as err:
        # bad input, not a failure of xlbilling: exit 2 (README), the file kept for a look
        where = path if path.is_absolute() else f"{path} ({path.resolve()})"
        raise ReportError(f"{where}: saved there, but xlbilling's reader refuses it, so `xlbilling build` would"
                          f" too: {err}\nThe file is kept as the vendor served it: check it, and fetch again"
                          " (with --force) once the vendor's data is right") from None
    except Exception as err:  # another module's bug must not undo a good fetch
        say(f"saved; the reader could not summarise it ({type(err).__name__})")
        return 0
    records = getattr(result, "records", ()) or ()
    customers = {getattr(r, "customer", None) or getattr(r, "account", None) for r in records}
    say(f"reader: {getattr(result, 'rows_read', '?')} row(s), {len(customers)} customer(s), "
        f"{len(records)} usage record(s)")
    for warning in getattr(result, "warnings", ()) or ():
        say(f"reader warning: {warning}")
    return 0
