"""The `xlbilling` command: a thin adapter that parses arguments, calls the
core, prints results to stdout and messages to stderr, and maps errors to
exit codes once (0 ok, 1 --strict found un-invoiced usage, 2 error; no traceback
ever reaches a user: xlbilling/commands/boundary.py)."""
from __future__ import annotations

import argparse
import importlib

from xlbilling import __version__
from xlbilling.commands.boundary import run_guarded

# Sub-command modules, in the order `xlbilling --help` lists them.
COMMANDS = (
    "xlbilling.commands.help",
    "xlbilling.commands.demo",
    "xlbilling.commands.samples",
    "xlbilling.commands.read",
    "xlbilling.commands.pricebook",
    "xlbilling.commands.build",
    "xlbilling.commands.lines",
    "xlbilling.commands.export",
    "xlbilling.commands.close",
    "xlbilling.commands.history",
    "xlbilling.commands.fetch",
    "xlbilling.commands.auth",
    "xlbilling.commands.catalogue",
    "xlbilling.commands.addin",
)


EPILOG = """a month, step by step (xlbilling help start):
  xlbilling samples --out reports                      practice only: the sample reports
  xlbilling pricebook init reports/* --out pricebook.xlsx
  xlbilling pricebook check pricebook.xlsx             after filling it in Excel
  xlbilling build --month 2026-10 --pricebook pricebook.xlsx reports/* --out billing-2026-10.xlsx

exit codes: 0 done, 1 --strict and something incomplete, 2 an error (nothing written).
Each command has --help with examples; xlbilling help lists the guides."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xlbilling",
        description="Turn backup vendors' usage reports into exact customer invoices.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"xlbilling {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from xlbilling.read_options import reading_options

    # The one error boundary (xlbilling/commands/boundary.py): every failure -> message + exit 2.
    with reading_options(accept_short_last_row=getattr(args, "accept_short_last_row", False)):
        return run_guarded(args.command, args.func, args)
