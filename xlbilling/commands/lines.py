"""`xlbilling lines --month YYYY-MM --pricebook PB.xlsx REPORT... [--format csv|table]`:
the month's invoice lines on stdout (csv: customer,vendor,item,description,
quantity,unit,unit_price,amount,currency,source with exact amounts), problems
on stderr.  Exit 0, or 1 with --strict when usage went un-invoiced."""
from __future__ import annotations

import argparse
import sys

from xlbilling.core.rules.axcient_bff import BASES
from xlbilling.core.rules.x360recover import parse_month
from xlbilling.core.words import count, plural


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
    add_ledger_arguments(p)


def add_ledger_arguments(p: argparse.ArgumentParser, *, reopen: bool = True) -> None:
    """The month control options (docs/month.md)."""
    p.add_argument("--ledger", metavar="PATH_OR_URL",
                   help="the ledger of closed months: a SQLite file or postgresql://... (default: Settings"
                        " 'Ledger', else <price book>.ledger.sqlite beside the price book once a month is closed)")
    if reopen:
        p.add_argument("--reopen", action="store_true",
                       help="the month is closed and must change: reopen it (needs --reason; kept in the ledger)")
        p.add_argument("--reason", metavar="TEXT", default="", help="why the closed month is reopened")


def controlled(args, reads, result, pricebook, month, **kw):
    """run_month's result through month control: final invoice numbers, the
    closed month's figures enforced, the review against last month."""
    from xlbilling.ledger.month_control import control_month

    return control_month(reads, result, pricebook, month, ledger_option=getattr(args, "ledger", None),
                         reopen=getattr(args, "reopen", False), reason=getattr(args, "reason", ""), **kw)


EPILOG = """examples:
  xlbilling lines --month 2026-10 --pricebook pricebook.xlsx reports/*
      the invoice lines as a table on screen, grouped per invoice with totals
  xlbilling lines --month 2026-10 --pricebook pricebook.xlsx reports/* --out lines-2026-10.csv
      the lines as CSV with exact amounts (the format follows --out: a file means csv)
  xlbilling lines --month 2026-10 --pricebook pricebook.xlsx reports/* --format csv --out -
      CSV on stdout

exit codes: 0 done (a NOT READY banner says when usage was left out), 1 --strict and usage un-invoiced,
2 an error (nothing written)"""


def register(subparsers) -> None:
    p = subparsers.add_parser("lines", help="print or write the month's invoice lines (csv or a table)",
                              description="Read the reports, price them with the price book and print the invoice"
                                          " lines, or write them as CSV with --out. Problems go to stderr.",
                              epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_month_arguments(p)
    p.add_argument("--format", choices=("csv", "table"),
                   help="csv (exact amounts) or table (default: table on screen, csv with --out FILE)")
    p.add_argument("--out", metavar="FILE.csv",
                   help="write the lines to this file (refused if it exists, unless --force); - = stdout")
    p.add_argument("--force", action="store_true", help="replace --out if it exists (never an input)")
    p.add_argument("--quiet", action="store_true", help="no problem list (a one-line count instead)")
    p.set_defaults(func=run)


def report_problems(result, err=None, *, quiet: bool = False) -> None:
    err = err or sys.stderr
    from xlbilling.commands.boundary import escape_control

    if quiet:
        if result.problems:
            print(f"{len(result.problems)} problem(s); run without --quiet to list them", file=err)
        return
    for problem in result.problems:
        print(escape_control(f"problem: {problem}"), file=err)


_BLOCKING_WORDS = {"no_rate": "without a price in Rates", "unmapped_account": "from accounts without a customer",
                   "no_exchange_rate": "without an exchange rate", "duplicate_report": "from a report given twice"}


def not_ready_message(result) -> str | None:
    """The loud line a run prints when usage went un-invoiced (an unfilled or
    incomplete price book): the totals leave that usage out, so the run is not
    a finished month even though it exits 0 (exit 1 with --strict)."""
    blocking = result.blocking_problems
    if not blocking:
        return None
    kinds: dict[str, int] = {}
    for p in blocking:
        kinds[p.kind] = kinds.get(p.kind, 0) + 1
    parts = ", ".join(f"{n} {_BLOCKING_WORDS.get(k, k.replace('_', ' '))}" for k, n in sorted(kinds.items()))
    unreviewed = sum(1 for p in result.problems if p.kind == "unreviewed_mapping")
    review = f"; {count(unreviewed, 'account mapping')} still to review (Accounts, Reviewed)" if unreviewed else ""
    n = len(blocking)
    return (f"NOT READY TO INVOICE: {count(n, 'usage item')} {plural('was', n, 'were')} not invoiced ({parts}){review}."
            f" The totals leave {plural('it', n, 'them')} out. Fill the price book (`xlbilling help pricebook`) and"
            " run again; the Problems list says what each one needs.")


def print_not_ready(result, err=None) -> None:
    message = not_ready_message(result)
    if message:
        err = err or sys.stderr
        import textwrap

        bar = "!" * 78
        print(f"{bar}\n{textwrap.fill(message, 78)}\n{bar}", file=err)


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
    from xlbilling.commands.boundary import escape_control

    rows = [tuple(escape_control(str(v)) for v in r) for r in rows]  # vendor/customer text on a terminal
    widths = [min(40, max(len(str(r[i])) for r in rows)) for i in range(len(rows[0]))]
    right = {4, 6}
    out = []
    for r in rows:
        cells = [str(v)[:40].rjust(w) if i in right else str(v)[:40].ljust(w) for i, (v, w) in enumerate(zip(r, widths))]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out) + "\n" + _pool_table(result)


def _pool_table(result) -> str:
    """The x360Recover cloud pool below the lines: allowance, usage and overage per
    customer, the partner total last (PricingResult.pool_rows)."""
    from xlbilling.commands.boundary import escape_control
    from xlbilling.core.rules.result import fmt

    pool = sorted(getattr(result, "pool_rows", ()) or (), key=lambda r: (r.customer == "", r.customer.casefold()))
    if not pool:
        return ""
    rows = [("x360Recover cloud pool (GB)", "allowance", "used", "above allowance", "overage billed",
             "storage-licensed")]
    for r in pool:
        rows.append((escape_control(r.customer) or "all customers (partner pool)", fmt(r.allowance_gb), fmt(r.used_gb),
                     fmt(r.above_allowance_gb), fmt(r.allocated_gb), fmt(r.outside_pool_gb)))
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(str(v).ljust(w) if i == 0 else str(v).rjust(w) for i, (v, w) in enumerate(zip(row, widths)))
             .rstrip() for row in rows]
    return "\n" + "\n".join(lines) + "\n"


def run(args) -> int:
    from xlbilling.files.publish import atomic_write_text, check_output
    from xlbilling.writers.exports import lines_csv
    from xlbilling.pricing.run import run_month

    to_file = args.out not in (None, "-")
    fmt = args.format or ("csv" if to_file else "table")
    if to_file:
        check_output(args.out, inputs=[*args.reports, args.pricebook], force=args.force)  # before reading
    from xlbilling.pricing.pricebook import load_pricebook

    month = parse_month(args.month)
    pricebook = load_pricebook(args.pricebook)
    reads, result = run_month(args.reports, args.pricebook, month, basis=args.basis, pricebook=pricebook,
                              allow_period_mismatch=args.allow_period_mismatch)
    # the ledger keeps this run's reopen and invoice numbers only with its output (docs/month.md)
    result, status, _ = controlled(args, reads, result, pricebook, month)
    text = lines_csv(result) if fmt == "csv" else _table(result)
    if to_file:
        atomic_write_text(args.out, text, overwrite=args.force, guard=status.guard)
        print(f"wrote {args.out}: {len(result.lines)} line(s) of {len(result.invoices)} invoice(s)", file=sys.stderr)
    else:
        status.record()   # stdout cannot be taken back: recorded just before it is written
        sys.stdout.write(text)
        sys.stdout.flush()
    report_problems(result, quiet=args.quiet)
    print_not_ready(result)
    return exit_code(result, args.strict)
