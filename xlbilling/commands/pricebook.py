"""`xlbilling pricebook init REPORT... --out PRICEBOOK.xlsx`: start a price book
from a month's reports.  `xlbilling pricebook check PRICEBOOK.xlsx`: read and
validate one, listing every problem at once."""
from __future__ import annotations

import sys

from xlbilling.core.rules.x360recover import parse_month


def register(subparsers) -> None:
    p = subparsers.add_parser("pricebook", help="start (init) or validate (check) a price book",
                              description="Price book helpers (docs/pricebook.md).")
    sub = p.add_subparsers(dest="pricebook_command", metavar="ACTION")
    init = sub.add_parser("init", help="start a price book from a month's reports, every vendor account listed")
    init.add_argument("reports", nargs="+", metavar="REPORT")
    init.add_argument("--out", required=True, metavar="PRICEBOOK.xlsx")
    init.add_argument("--month", metavar="YYYY-MM", help="the month (needed for x360Recover license tables)")
    init.add_argument("--currency", default="USD", help="home currency (default USD)")
    init.add_argument("--force", action="store_true", help="replace --out if it exists (never an input)")
    init.set_defaults(func=run_init)
    check = sub.add_parser("check", help="validate a price book and summarise it")
    check.add_argument("pricebook", metavar="PRICEBOOK.xlsx")
    check.set_defaults(func=run_check)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def run_init(args) -> int:
    from xlbilling.core.money import normalise_currency
    from xlbilling.pricing.init import init_pricebook

    path, rows = init_pricebook(args.reports, args.out, month=parse_month(args.month) if args.month else None,
                                home_currency=normalise_currency(args.currency), force=args.force)
    print(f"wrote {path}: {len(rows['customers'])} customer(s), {len(rows['accounts'])} account(s),"
          f" {len(rows['rates'])} rate row(s) to price")
    print("next: check each Accounts row (then set Reviewed to yes), fill the Rates unit prices and the customers'"
          " invoice currencies", file=sys.stderr)
    return 0


def run_check(args) -> int:
    from xlbilling.pricing.pricebook import load_pricebook

    pb = load_pricebook(args.pricebook)
    blank = sum(1 for r in pb.rates if r.unit_price is None and not r.rule and r.distributor_discount is None)
    unmapped = sum(1 for a in pb.accounts if not a.customer)
    unreviewed = sum(1 for a in pb.accounts if not a.reviewed)
    print(f"{args.pricebook}: OK - {len(pb.customers)} customer(s), {len(pb.accounts)} account(s)"
          f" ({unmapped} without a customer, {unreviewed} not reviewed), {len(pb.rates)} rate(s) ({blank} blank),"
          f" {len(pb.exchange_rates)} exchange rate(s), {len(pb.commitments)} commitment(s),"
          f" {len(pb.licenses)} license(s); home currency {pb.settings.home_currency}")
    return 0
