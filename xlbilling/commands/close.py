"""`xlbilling close --month YYYY-MM --pricebook PB.xlsx REPORT...`: record the
month in the ledger (invoices, lines with their sources, invoice numbers, the
SHA-256 of every report and of the price book, who closed it and when), in one
transaction, with the --reopen and the new invoice numbers.  A closed month is locked: build/lines/export then compare with it
and refuse different figures without --reopen --reason."""
from __future__ import annotations

import sys

from xlbilling.commands.lines import add_month_arguments, controlled
from xlbilling.core.rules.x360recover import parse_month
from xlbilling.core.words import count, plural
from xlbilling.errors import LedgerError


EPILOG = """examples:
  xlbilling close --month 2026-10 --pricebook pricebook.xlsx reports/*
      record October closed in pricebook.ledger.sqlite beside the price book
  xlbilling close --month 2026-10 --pricebook pricebook.xlsx reports/* --ledger postgresql://billing@db/ledger
      the same in a ledger the team shares
  xlbilling close --month 2026-10 --pricebook pricebook.xlsx reports/* --reopen --reason "Acronis credit"
      change a closed month: reopened (reason kept) and closed again with these figures

exit codes: 0 closed (a note lists usage left un-invoiced), 2 an error (nothing recorded: already closed,
another close won, --strict and usage not invoiced)"""


def register(subparsers) -> None:
    import argparse

    p = subparsers.add_parser(
        "close", help="close the month in the ledger: invoices, numbers and report hashes kept, month locked",
        description="Price the month as build does and record it closed in the ledger (xlbilling help month).",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_month_arguments(p)
    p.add_argument("--by", metavar="NAME", help="who closes (default: login@machine)")
    p.set_defaults(func=run)


def close_month(args, before_commit=None):
    """(CloseInfo, result, status): what `close` records.  Also used by tests."""
    from xlbilling.ledger.month_control import report_rows, who
    from xlbilling.files.publish import sha256_file
    from xlbilling.pricing.pricebook import load_pricebook
    from xlbilling.pricing.run import run_month

    month = parse_month(args.month)
    pricebook = load_pricebook(args.pricebook)
    reads, result = run_month(args.reports, args.pricebook, month, basis=args.basis, pricebook=pricebook,
                              allow_period_mismatch=args.allow_period_mismatch)
    if result.blocking_problems and args.strict:
        n = len(result.blocking_problems)
        raise LedgerError(f"--strict: {count(n, 'problem')} {plural('leaves', n, 'leave')} usage un-invoiced, so"
                          f" {month:%Y-%m} was not closed:\n  "
                          + "\n  ".join(str(p) for p in result.blocking_problems[:10])
                          + "\nFix them in the price book, or close without --strict to record the month as it is")
    by = args.by or who()
    result, status, ledger = controlled(args, reads, result, pricebook, month, for_close=True, by=by)
    try:   # the reopen, the new numbers and the close: one transaction
        info = status.pending.commit(before_commit or (lambda: None), close=dict(
            figures=status.figures, by=by, reports=report_rows(reads), pricebook_file=str(args.pricebook),
            pricebook_sha256=sha256_file(args.pricebook)))
    finally:
        ledger.dispose()
    return info, result, status


def run(args) -> int:
    info, result, status = close_month(args)
    totals: dict[str, object] = {}
    for inv in result.invoices:
        totals[inv.currency] = totals.get(inv.currency, 0) + inv.total
    money = ", ".join(f"{c} {t:,}" for c, t in sorted(totals.items())) or "nothing"
    numbers = [inv.invoice_number for inv in result.invoices]
    span = f"{min(numbers)} .. {max(numbers)}" if numbers else "none"
    print(f"closed {info.month} in {status.ledger} by {info.closed_by} at {info.closed_at}:"
          f" {len(result.invoices)} invoice(s) ({span}), total {money}")
    if status.reopen_reason:
        print(f"(reopened first: {status.reopen_reason})", file=sys.stderr)
    blocking = result.blocking_problems
    if blocking:
        print(f"note: closed with {count(len(blocking), 'problem')} leaving usage NOT invoiced (as the workbook's"
              f" Problems sheet lists {plural('it', len(blocking), 'them')}); use --strict to refuse closing such a month", file=sys.stderr)
        for p in blocking[:10]:
            print(f"  {p}", file=sys.stderr)
    return 0
