"""`xlbilling export --to xero|qbo --month YYYY-MM --pricebook PB.xlsx REPORT... --out FILE.csv`:
the month's invoices as a Xero sales-invoice import CSV (split into FILE-1.csv,
FILE-2.csv ... above 500 invoices) or a QuickBooks Online invoice import CSV.
Written atomically; never over an input; an existing file only with --force."""
from __future__ import annotations

import datetime as dt

from xlbilling.commands.lines import add_month_arguments, controlled, exit_code, print_not_ready, report_problems
from xlbilling.core.rules.x360recover import parse_day, parse_month


def _date(text: str) -> dt.date:
    return parse_day(text, what="--invoice-date")


EPILOG = """examples:
  xlbilling export --to xero --month 2026-10 --pricebook pricebook.xlsx reports/* --out xero-2026-10.csv
      a Xero sales-invoice import file (xero-2026-10-1.csv, -2.csv ... above 500 invoices)
  xlbilling export --to qbo --month 2026-10 --pricebook pricebook.xlsx reports/* --out qbo-2026-10.csv
      a QuickBooks Online invoice import file
  xlbilling export --to xero --month 2026-10 --pricebook pricebook.xlsx reports/* --out - > xero.csv
      the file on stdout (messages stay on stderr)

exit codes: 0 written (a NOT READY banner says when usage was left out), 1 --strict and usage un-invoiced,
2 an error (nothing written).  `--format xero|qbo` is the old spelling of --to and still works."""


def register(subparsers) -> None:
    import argparse

    p = subparsers.add_parser("export", help="write the invoices as a Xero or QuickBooks Online import CSV",
                              description="Read the reports, price them with the price book and write an accounting"
                                          " import file (`xlbilling help exports`).",
                              epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--to", choices=("xero", "qbo"), dest="system",
                        help="the accounting system: xero (Xero sales invoices) or qbo (QuickBooks Online)")
    target.add_argument("--format", choices=("xero", "qbo"), dest="old_format", help=argparse.SUPPRESS)
    add_month_arguments(p)
    p.add_argument("--out", required=True, metavar="FILE.csv",
                   help="the import file to write (refused if it exists, unless --force); - = stdout")
    p.add_argument("--invoice-date", metavar="YYYY-MM-DD",
                   help="invoice date (default: the last day of the billing month); due = + payment terms")
    p.add_argument("--date-format", choices=("dmy", "mdy", "iso"),
                   help="dates in the file (default: xero dmy = DD/MM/YYYY, qbo mdy = MM/DD/YYYY)")
    p.add_argument("--force", action="store_true", help="replace --out if it exists (never an input)")
    p.add_argument("--quiet", action="store_true", help="no problem list (a one-line count instead)")
    p.set_defaults(func=run)


def run(args) -> int:
    import sys

    from xlbilling.errors import OutputError
    from xlbilling.files.publish import check_output
    from xlbilling.writers.exports import export_contents, export_paths, write_export
    from xlbilling.pricing.pricebook import load_pricebook
    from xlbilling.pricing.run import run_month

    system = args.system or args.old_format
    if args.old_format:
        print("export: note: --format xero|qbo is now --to xero|qbo (--format still works)", file=sys.stderr)
    inputs = [*args.reports, args.pricebook]
    invoice_date = _date(args.invoice_date) if args.invoice_date else None
    to_stdout = args.out == "-"
    if not to_stdout:
        check_output(export_paths(args.out, 1)[0], inputs=inputs, force=args.force)  # fail fast, before reading
    pricebook = load_pricebook(args.pricebook)
    month = parse_month(args.month)
    reads, result = run_month(args.reports, args.pricebook, month, basis=args.basis,
                              pricebook=pricebook, allow_period_mismatch=args.allow_period_mismatch)
    # the ledger keeps this run's reopen and invoice numbers only with its file(s) (docs/month.md)
    result, status, _ = controlled(args, reads, result, pricebook, month)
    report_problems(result, quiet=args.quiet)
    lines = sum(len(inv.lines) for inv in result.invoices)
    if to_stdout:
        contents = export_contents(system, result, pricebook.with_default_basis(args.basis),
                                   invoice_date=invoice_date, date_format=args.date_format)
        if len(contents) > 1:
            raise OutputError(f"--out -: {len(result.invoices)} invoices make {len(contents)} Xero files (at most"
                              " 500 invoices each), which stdout cannot hold apart: give a file name, e.g."
                              " --out xero.csv; nothing was written")
        status.record()   # stdout cannot be taken back: recorded just before it is written
        sys.stdout.write(contents[0])
        sys.stdout.flush()
        print(f"wrote stdout: {len(result.invoices)} invoice(s), {lines} line(s)", file=sys.stderr)
    else:
        paths = write_export(system, result, pricebook.with_default_basis(args.basis), args.out,
                             invoice_date=invoice_date, date_format=args.date_format, force=args.force,
                             inputs=inputs, guard=status.guard)
        print(f"wrote {', '.join(str(p) for p in paths)}: {len(result.invoices)} invoice(s), {lines} line(s)")
    print_not_ready(result)
    return exit_code(result, args.strict)
