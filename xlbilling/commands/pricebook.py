"""`xlbilling pricebook init REPORT... --out PRICEBOOK.xlsx`: start a price book
from a month's reports.  `xlbilling pricebook check PRICEBOOK.xlsx`: read and
validate one, listing every problem at once."""
from __future__ import annotations

import argparse
import sys

from xlbilling.core.rules.x360recover import parse_month


INIT_EPILOG = """examples:
  xlbilling pricebook init reports/* --out pricebook.xlsx
      list every account and item of the month's reports in a new price book
  xlbilling pricebook init reports/* --out pricebook.xlsx --month 2026-10 --currency EUR
      give the month when no report names it (x360Recover license tables), invoice in EUR"""

CHECK_EPILOG = """examples:
  xlbilling pricebook check pricebook.xlsx
      every problem of the price book at once, or what is still to fill in
  xlbilling pricebook check --strict pricebook.xlsx
      exit 1 while rates, customers or reviews are missing (for scripts)

exit codes: 0 valid (INCOMPLETE and warnings are said on screen), 1 --strict and incomplete, 2 not a valid
price book"""


def register(subparsers) -> None:
    p = subparsers.add_parser("pricebook", help="start (init) or validate (check) a price book",
                              description="Price book helpers: `init` starts one from a month's reports, `check`"
                                          " validates one (`xlbilling help pricebook` describes the sheets).",
                              epilog=INIT_EPILOG + "\n\n" + CHECK_EPILOG.split("\n\n")[0],
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="pricebook_command", metavar="ACTION")
    init = sub.add_parser("init", help="start a price book from a month's reports, every vendor account listed",
                          description="Read the month's vendor reports and write a new price book: every vendor"
                                      " account in Accounts (customer proposed from the vendor's label, Reviewed ="
                                      " no), every item in Rates with its price left blank to fill, the proposed"
                                      " customers in Customers. Labels that are only a reference number, and the"
                                      " partner's own tenant, are marked for review.",
                          epilog=INIT_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    init.add_argument("reports", nargs="+", metavar="REPORT", help="the month's vendor reports, as downloaded")
    init.add_argument("--out", required=True, metavar="PRICEBOOK.xlsx",
                      help="the price book to write (refused if it exists, unless --force)")
    init.add_argument("--month", metavar="YYYY-MM",
                      help="the billing month; only needed for an x360Recover license table when no other report"
                           " names the month")
    init.add_argument("--currency", default="USD", help="home currency, an ISO code (default USD)")
    init.add_argument("--force", action="store_true", help="replace --out if it exists (never an input)")
    init.add_argument("--quiet", action="store_true", help="no next-step hint")
    init.set_defaults(func=run_init)
    check = sub.add_parser("check", help="validate a price book and say what is still to fill in",
                           description="Read and validate a price book, listing every problem at once (sheet, row,"
                                       " column, value found, what was expected), then summarise it and say whether"
                                       " it is ready to invoice: rates without a price, accounts without a customer"
                                       " and mappings not reviewed make it INCOMPLETE.",
                           epilog=CHECK_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    check.add_argument("pricebook", metavar="PRICEBOOK.xlsx", help="the price book workbook to check")
    check.add_argument("--strict", action="store_true", help="exit 1 when the price book is incomplete")
    check.set_defaults(func=run_check)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def run_init(args) -> int:
    from xlbilling.core.money import normalise_currency
    from xlbilling.writers.pricebook_init import init_pricebook

    path, rows = init_pricebook(args.reports, args.out, month=parse_month(args.month) if args.month else None,
                                home_currency=normalise_currency(args.currency), force=args.force)
    used = rows.get("month")
    month_note = ""
    if used and not args.month:
        month_note = f"; x360Recover licenses read for {used:%Y-%m}, the month the other reports name"
    print(f"wrote {path}: {len(rows['customers'])} customer(s), {len(rows['accounts'])} account(s),"
          f" {len(rows['rates'])} rate row(s) to price{month_note}")
    if not args.quiet:
        print("next: this price book is not filled in yet, so nothing can be invoiced from it. Check each"
              " Accounts row (the customer, then set Reviewed to yes), fill the Rates unit prices and the"
              f" customers' invoice currencies, then run `xlbilling pricebook check {path}`"
              " (`xlbilling help pricebook` explains each sheet)", file=sys.stderr)
    return 0


def run_check(args) -> int:
    from xlbilling.pricing.pricebook import load_pricebook
    from xlbilling.pricing.vendors import former_key_warnings

    pb = load_pricebook(args.pricebook)
    # rows that still work but should be retyped: said, never a failure (exit code unchanged)
    for warning in former_key_warnings(pb):
        print(f"warning: {args.pricebook}, {warning}", file=sys.stderr)
    blank = sum(1 for r in pb.rates if r.unit_price is None and not r.rule and r.distributor_discount is None)
    unmapped = sum(1 for a in pb.accounts if not a.customer)
    unreviewed = sum(1 for a in pb.accounts if not a.reviewed)
    todo = [f"{n} {what}" for n, what in ((blank, "rate(s) without a unit price or pricing rule"),
                                          (unmapped, "account(s) without a customer"),
                                          (unreviewed, "account mapping(s) not reviewed")) if n]
    state = "INCOMPLETE, not ready to invoice" if todo else "OK, ready to invoice"
    print(f"{args.pricebook}: {state} - {len(pb.customers)} customer(s), {len(pb.accounts)} account(s)"
          f" ({unmapped} without a customer, {unreviewed} not reviewed), {len(pb.rates)} rate(s) ({blank} blank),"
          f" {len(pb.exchange_rates)} exchange rate(s), {len(pb.commitments)} commitment(s),"
          f" {len(pb.licenses)} license(s); home currency {pb.settings.home_currency}")
    if todo:
        print("to do before invoicing: " + "; ".join(todo) + " (`xlbilling help pricebook`)", file=sys.stderr)
        return 1 if args.strict else 0
    return 0
