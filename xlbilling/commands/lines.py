"""`xlbilling lines --month YYYY-MM --pricebook PB.xlsx REPORT... [--format csv|table]`:
the month's invoice lines on stdout (csv: customer,vendor,item,description,
quantity,unit,unit_price,amount,currency,source with exact amounts), problems
on stderr.  Exit 0, or 1 with --strict when usage went un-invoiced."""
from __future__ import annotations

import argparse
import sys

from xlbilling.core.rules.axcient_bff import BASES
from xlbilling.core.rules.x360recover import parse_month


def add_month_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments build, lines and export share."""
    p.add_argument("reports", nargs="+", metavar="REPORT", help="vendor usage reports as downloaded")
    p.add_argument("--month", required=True, metavar="YYYY-MM", help="the billing month")
    p.add_argument("--pricebook", required=True, metavar="PRICEBOOK.xlsx", help="the price book workbook")
    p.add_argument("--basis", choices=BASES, help="Axcient BFF storage basis (default: the price book's setting)")
    p.add_argument("--accept-short-last-row", action="store_true",
                   help="read a CSV whose last row is cut short (fewer fields, no final line break) instead of"
                        " refusing it")
    p.add_argument("--strict", action="store_true",
                   help="exit 1 when usage went un-invoiced (unmapped account, missing rate or exchange rate)")
    p.add_argument("--allow-period-mismatch", action="store_true",
                   help="bill reports that state another period than --month (recorded on the Imports sheet)")


def register(subparsers) -> None:
    p = subparsers.add_parser("lines", help="print the month's invoice lines (csv or a table)",
                              description="Read the reports, price them with the price book and print the invoice"
                                          " lines. Problems go to stderr.")
    add_month_arguments(p)
    p.add_argument("--format", choices=("csv", "table"), default="table", help="csv (exact amounts) or table")
    p.set_defaults(func=run)


def report_problems(result, err=None) -> None:
    err = err or sys.stderr
    from xlbilling.boundary import escape_control

    for problem in result.problems:
        print(escape_control(f"problem: {problem}"), file=err)


def exit_code(result, strict: bool) -> int:
    if strict and result.blocking_problems:
        print(f"--strict: {len(result.blocking_problems)} problem(s) left usage un-invoiced", file=sys.stderr)
        return 1
    return 0


def _table(result) -> str:
    from xlbilling.core.rules.result import fmt

    rows = [("invoice", "customer", "vendor", "description", "quantity", "unit", "amount", "cur")]
    for inv in result.invoices:
        for ln in inv.lines:
            rows.append((inv.invoice_number, ln.customer, ln.vendor, ln.description, fmt(ln.quantity), ln.unit,
                         f"{ln.amount:,}", ln.currency))
        rows.append(("", "", "", f"total {inv.customer}", "", "", f"{inv.total:,}", inv.currency))
    from xlbilling.boundary import escape_control

    rows = [tuple(escape_control(str(v)) for v in r) for r in rows]  # vendor/customer text on a terminal
    widths = [min(40, max(len(str(r[i])) for r in rows)) for i in range(len(rows[0]))]
    right = {4, 6}
    out = []
    for r in rows:
        cells = [str(v)[:40].rjust(w) if i in right else str(v)[:40].ljust(w) for i, (v, w) in enumerate(zip(r, widths))]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out) + "\n"


def run(args) -> int:
    from xlbilling.pricing.exports import lines_csv
    from xlbilling.pricing.run import run_month

    _, result = run_month(args.reports, args.pricebook, parse_month(args.month), basis=args.basis,
                          allow_period_mismatch=args.allow_period_mismatch)
    sys.stdout.write(lines_csv(result) if args.format == "csv" else _table(result))
    sys.stdout.flush()
    report_problems(result)
    return exit_code(result, args.strict)
