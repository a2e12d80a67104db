"""`xlbilling export --format xero|qbo --month YYYY-MM --pricebook PB.xlsx REPORT... --out FILE.csv`:
the month's invoices as a Xero sales-invoice import CSV (split into FILE-1.csv,
FILE-2.csv ... above 500 invoices) or a QuickBooks Online invoice import CSV.
Written atomically; never over an input; an existing file only with --force."""
from __future__ import annotations

import datetime as dt

from xlbilling.commands.lines import add_month_arguments, exit_code, report_problems
from xlbilling.core.rules.x360recover import parse_day, parse_month


def _date(text: str) -> dt.date:
    return parse_day(text, what="--invoice-date")


def register(subparsers) -> None:
    p = subparsers.add_parser("export", help="write the invoices as a Xero or QuickBooks Online import CSV",
                              description="Read the reports, price them and write an accounting import file"
                                          " (docs/exports.md).")
    p.add_argument("--format", required=True, choices=("xero", "qbo"), help="xero or qbo")
    add_month_arguments(p)
    p.add_argument("--out", required=True, metavar="FILE.csv", help="the import file to write")
    p.add_argument("--invoice-date", metavar="YYYY-MM-DD",
                   help="invoice date (default: the last day of the billing month); due = + payment terms")
    p.add_argument("--date-format", choices=("dmy", "mdy", "iso"),
                   help="dates in the file (default: xero dmy = DD/MM/YYYY, qbo mdy = MM/DD/YYYY)")
    p.add_argument("--force", action="store_true", help="replace --out if it exists (never an input)")
    p.set_defaults(func=run)


def run(args) -> int:
    from xlbilling.pricing.exports import export_paths, write_export
    from xlbilling.outputs import check_output
    from xlbilling.pricing.pricebook import load_pricebook
    from xlbilling.pricing.run import run_month

    inputs = [*args.reports, args.pricebook]
    invoice_date = _date(args.invoice_date) if args.invoice_date else None
    check_output(export_paths(args.out, 1)[0], inputs=inputs, force=args.force)  # fail fast, before reading
    pricebook = load_pricebook(args.pricebook)
    _, result = run_month(args.reports, args.pricebook, parse_month(args.month), basis=args.basis,
                          pricebook=pricebook, allow_period_mismatch=args.allow_period_mismatch)
    report_problems(result)
    paths = write_export(args.format, result, pricebook.with_default_basis(args.basis), args.out,
                         invoice_date=invoice_date, date_format=args.date_format, force=args.force, inputs=inputs)
    lines = sum(len(inv.lines) for inv in result.invoices)
    print(f"wrote {', '.join(str(p) for p in paths)}: {len(result.invoices)} invoice(s), {lines} line(s)")
    return exit_code(result, args.strict)
