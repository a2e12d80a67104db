"""`xlbilling history [--ledger PATH_OR_URL | --pricebook PB.xlsx]`: the closed
months in the ledger with their totals, who closed them and how often they
were reopened."""
from __future__ import annotations

import sys


EPILOG = """examples:
  xlbilling history --pricebook pricebook.xlsx
      the months closed in the ledger beside the price book (or its Settings 'Ledger')
  xlbilling history --ledger postgresql://billing@db/ledger --format csv
      the same from a shared ledger, as CSV (one row per month and currency)"""


def register(subparsers) -> None:
    import argparse

    p = subparsers.add_parser("history", help="list the months closed in the ledger with their totals",
                              description="List the closed months (xlbilling help month).",
                              epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ledger", metavar="PATH_OR_URL", help="the ledger (a SQLite file or postgresql://...)")
    p.add_argument("--pricebook", metavar="PRICEBOOK.xlsx",
                   help="find the ledger from the price book (Settings 'Ledger' or the file beside it)")
    p.add_argument("--format", choices=("table", "csv"), default="table", help="table (default) or csv")
    p.set_defaults(func=run)


def run(args) -> int:
    from xlbilling.ledger import Ledger, ledger_location

    setting = ""
    if args.pricebook and not args.ledger:
        from xlbilling.pricing.pricebook import load_pricebook

        setting = load_pricebook(args.pricebook).settings.ledger
    where, _ = ledger_location(args.pricebook, setting, args.ledger)
    ledger = Ledger.open(where, create=False)
    try:
        rows = ledger.history()
    finally:
        ledger.dispose()
    if args.format == "csv":
        print("month,closed_at,closed_by,invoices,currency,total,reports,reopened")
        for r in rows:
            for cur, total in (r.totals.items() or [("", 0)]):
                print(f"{r.month},{r.closed_at},{_csv(r.closed_by)},{r.invoices},{cur},{total},{r.reports},"
                      f"{r.reopened}")
        return 0
    if not rows:
        print(f"no month closed in {ledger.where} yet", file=sys.stderr)
        return 0
    print(f"{'month':8} {'closed (UTC)':26} {'by':24} {'invoices':>8}  totals")
    for r in rows:
        totals = ", ".join(f"{c} {t:,}" for c, t in r.totals.items()) or "-"
        reopened = f"  (reopened {r.reopened}x)" if r.reopened else ""
        print(f"{r.month:8} {r.closed_at:26} {r.closed_by[:24]:24} {r.invoices:>8}  {totals}{reopened}")
    return 0


def _csv(text: str) -> str:
    """A CSV cell that no spreadsheet runs as a formula."""
    t = text.replace('"', '""')
    if t[:1] in ("=", "+", "-", "@", "\t", "\r"):
        t = "'" + t
    return f'"{t}"'
