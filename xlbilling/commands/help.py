"""`xlbilling help [TOPIC]`: print a guide that ships with the package
(docs/*.md, installed as xlbilling.docs).  Messages, problems and the price
book's Instructions sheet point here, never to files a user does not have."""
from __future__ import annotations

import argparse
import sys

from xlbilling.errors import XlbillingError

# topic -> one line, in the order `xlbilling help` lists them.  Every topic is a docs/<topic>.md.
TOPICS = {
    "start": "your first month: the steps, NOT READY, exit codes, stdin/stdout",
    "pricebook": "the price book: every sheet and column, what to fill in",
    "workbook": "the billing workbook: sheets, formulas, printing",
    "problems": "each problem the Problems sheet can list, what it means and what to do",
    "month": "month control: report periods, closing a month, the ledger, invoice numbers, the Changes sheet",
    "exports": "invoice lines CSV, Xero and QuickBooks Online import files",
    "readers": "the vendor reports xlbilling reads, and their columns",
    "fetch": "pulling reports over the vendor APIs, API keys",
    "addin": "the Excel add-in: build, install, first import",
    "ribbon": "the Billing ribbon in Excel",
    "udfs": "the Excel functions (also: xlbilling catalogue)",
    "install": "installing: the full install, a headless server install, extras",
    "architecture": "for developers: modules and contracts",
}

EPILOG = """examples:
  xlbilling help              the list of guides
  xlbilling help start        your first month, step by step
  xlbilling help pricebook    what to fill in the price book
  xlbilling help problems     what each problem means"""


def register(subparsers) -> None:
    p = subparsers.add_parser("help", help="print a guide that ships with xlbilling (start, pricebook, ...)",
                              description="Print one of the guides that ship with xlbilling, or list them.",
                              epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("topic", nargs="?", metavar="TOPIC", help="a guide: " + ", ".join(TOPICS))
    p.set_defaults(func=run)


def guide_text(topic: str) -> str:
    """The text of docs/<topic>.md as installed (raises XlbillingError for an unknown topic)."""
    import importlib.resources as resources

    name = topic.strip().lower().removesuffix(".md")
    if name not in TOPICS:
        raise XlbillingError(f"no guide called {topic!r}; the guides are: {', '.join(TOPICS)}"
                             " (`xlbilling help` lists them)")
    return resources.files("xlbilling.docs").joinpath(f"{name}.md").read_text(encoding="utf-8")


def run(args: argparse.Namespace) -> int:
    if not args.topic:
        width = max(len(t) for t in TOPICS)
        print("Guides that ship with xlbilling (xlbilling help TOPIC):\n")
        for topic, line in TOPICS.items():
            print(f"  {topic.ljust(width)}  {line}")
        print("\nEach command also has --help with examples, e.g. xlbilling build --help.")
        return 0
    sys.stdout.write(guide_text(args.topic))
    return 0
