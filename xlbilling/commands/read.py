"""`xlbilling read REPORT`: read one vendor report and print its usage records
(table, csv or json) on stdout; the import summary and warnings go to stderr."""
from __future__ import annotations

import argparse
import json
import sys

from xlbilling.commands.boundary import escape_control
from xlbilling.core.rules.axcient_bff import BASES
from xlbilling.core.rules.x360recover import parse_month
from xlbilling.readers import read_report
from xlbilling.readers.cells import SLASH_DATE_ORDERS, quantity_text
from xlbilling.readers.reader import ReadResult
from xlbilling.writers.csv_safe import Writer, escape_row

CSV_COLUMNS = ("vendor", "account", "customer", "item", "quantity", "unit", "source")


EPILOG = """examples:
  xlbilling read reports/acronis_usage_2026-10.csv.gz
      the usage records as a table; the import summary and warnings on stderr
  xlbilling read reports/x360recover_licenses.xlsx --month 2026-10 --format csv
      exact figures as CSV (a license table needs the billing month)
  xlbilling read - < report.csv
      a report on stdin

A workbook with several report sheets is refused: save each sheet as its own file, or give --sheet."""


def register(subparsers) -> None:
    p = subparsers.add_parser("read", help="read a vendor usage report and print its usage records",
                              description="Read one vendor report (Axcient, x360Recover, Acronis, Altaro/"
                                          "Hornetsecurity; xls/xlsx/html/csv/json, gzipped or not) and print"
                                          " one record per account and item (`xlbilling help readers`).",
                              epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("report", metavar="REPORT", help="the report file as downloaded; - = stdin")
    p.add_argument("--basis", choices=BASES, default="uncompressed",
                   help="Axcient BFF storage basis (default uncompressed; Basic plans are always uncompressed)")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table", dest="output_format",
                   help="output on stdout: table (default), csv (vendor,account,customer,item,quantity,unit,"
                        "source) or json")
    p.add_argument("--month", metavar="YYYY-MM", help="billing month (x360Recover license-assignment table)")
    p.add_argument("--accept-short-last-row", action="store_true",
                   help="read a CSV whose last row is cut short (fewer fields, no final line break) instead of"
                        " refusing it")
    p.add_argument("--slash-dates", choices=SLASH_DATE_ORDERS, help="order of ambiguous d/m/yyyy dates")
    p.add_argument("--sheet", metavar="NAME",
                   help="the workbook sheet to read (needed when several sheets hold reports)")
    p.set_defaults(func=run)


def _read(args, month):
    """The report at args.report, or on stdin for `-` (kept in a private temp
    file named 'stdin', so messages and sources say where it came from)."""
    if args.report != "-":
        return read_report(args.report, basis=args.basis, month=month, slash_dates=args.slash_dates,
                           sheet=args.sheet)
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="xlbilling-stdin-") as folder:
        path = Path(folder) / "stdin"
        path.write_bytes(sys.stdin.buffer.read())
        return read_report(path, basis=args.basis, month=month, slash_dates=args.slash_dates, sheet=args.sheet)


def _source_text(record) -> str:
    text = str(record.source)
    return f"{text} (tier {record.tier})" if record.tier else text


def run(args: argparse.Namespace) -> int:
    month = parse_month(args.month) if args.month else None
    result = _read(args, month)
    out = sys.stdout
    if args.output_format == "csv":
        writer = Writer(out)
        writer.writerow(CSV_COLUMNS)
        for r in result.records:
            # vendor text escaped when formula-like (xlbilling/writers/csv_safe.py); the quantity stays a number
            writer.writerow(escape_row((r.vendor, r.account, r.customer, r.item, quantity_text(r.quantity), r.unit,
                                        _source_text(r)), {0, 1, 2, 3, 5, 6}))
    elif args.output_format == "json":
        json.dump([_as_json(r) for r in result.records], out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        _table(result, out)
    for line in result.summary_lines():
        print(escape_control(line), file=sys.stderr)
    return 0


def _as_json(r) -> dict:
    return {"vendor": r.vendor, "account": r.account, "customer": r.customer, "item": r.item,
            "quantity": quantity_text(r.quantity), "unit": r.unit, "tier": r.tier,
            "vendor_amount": None if r.vendor_amount is None else format(r.vendor_amount, "f"),
            "vendor_currency": r.vendor_currency,
            "source": {"file": r.source.file, "sheet": r.source.sheet, "rows": list(r.source.rows)},
            "details": dict(r.details)}


def _table(result: ReadResult, out) -> None:
    rows = [("account", "customer", "item", "tier", "quantity", "unit", "source")]
    for r in result.records:
        # Vendor text on a terminal: control characters (ANSI escapes) shown escaped.
        rows.append(tuple(escape_control(str(v)) for v in (r.account, r.customer, r.item, r.tier,
                                                           quantity_text(r.quantity), r.unit, r.source)))
    widths = [min(40, max(len(str(row[i])) for row in rows)) for i in range(len(rows[0]))]
    for row in rows:
        cells = [str(v)[:40].ljust(w) if i != 4 else str(v).rjust(w) for i, (v, w) in enumerate(zip(row, widths))]
        out.write("  ".join(cells).rstrip() + "\n")
