"""`xlbilling demo`: the whole monthly build on the bundled sample reports
(xlbilling/samples/2026-10/) and sample price book, written to ./xlbilling-demo-2026-10.xlsx
(or -2, -3 ... when that exists: the demo never replaces a file).

This is the README's main-job command: no arguments, nothing to prepare."""
from __future__ import annotations

import argparse
from pathlib import Path

from xlbilling.commands.build import add_udf_formulas_argument, build, print_summary, progress_printer
from xlbilling.commands.sample_data import MONTH_DIR, SAMPLE_MONTH, SAMPLE_PRICEBOOK, SAMPLES_DIR
from xlbilling.core.rules.x360recover import parse_month

SAMPLES = SAMPLES_DIR
DEMO_MONTH = SAMPLE_MONTH
PRICEBOOK = SAMPLE_PRICEBOOK.name
# The month folder (samples/2026-10/) holds one report per vendor and report type,
# so nothing is billed twice: the demo builds from all of it.  The same customers'
# usage in the vendors' other formats lives apart in samples/alternative-formats/
# (giving both would flag overlapping kinds and bill some usage twice).
REPORTS = (
    "axcient_bff_raw_customer_data_2026-10.xls",
    "x360recover_devices_2026-10.csv",
    "x360recover_licenses.xlsx",
    "acronis_usage_2026-10.csv.gz",
    "altaro_itemised_2026-10.csv",
)  # the month folder's files (tests/test_build.py checks that they are all of it), in import order


EPILOG = """examples:
  xlbilling demo
      write ./xlbilling-demo-2026-10.xlsx (-2, -3 ... if it exists) from the bundled samples
  xlbilling demo --out demo.xlsx --force --quiet
      a chosen file, replaced if it exists, without progress messages

To try the monthly steps yourself on the same reports: xlbilling help start"""


def register(subparsers) -> None:
    p = subparsers.add_parser("demo", help="build the billing workbook from the bundled sample reports",
                              description="Run the whole monthly build on the sample reports and sample price"
                                          f" book ({DEMO_MONTH}) and write the billing workbook.",
                              epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", metavar="BILLING.xlsx",
                   help="where to write (default ./xlbilling-demo-2026-10.xlsx, numbered if it exists)")
    p.add_argument("--force", action="store_true", help="replace --out if it exists")
    add_udf_formulas_argument(p)
    p.add_argument("--quiet", action="store_true", help="no progress messages")
    p.set_defaults(func=run)


def demo_inputs() -> tuple[list[Path], Path]:
    return [MONTH_DIR / name for name in REPORTS], SAMPLE_PRICEBOOK


def default_out(folder: Path = Path(".")) -> Path:
    """./xlbilling-demo-2026-10.xlsx, or the first free -2, -3, ... name."""
    base = folder / f"xlbilling-demo-{DEMO_MONTH}.xlsx"
    n = 2
    out = base
    while out.exists():
        out = folder / f"xlbilling-demo-{DEMO_MONTH}-{n}.xlsx"
        n += 1
    return out


def run(args: argparse.Namespace) -> int:
    reports, pricebook = demo_inputs()
    out = Path(args.out) if args.out else default_out()
    progress = progress_printer(args.quiet)
    reads, result, facts = build(reports, pricebook, parse_month(DEMO_MONTH), out, force=args.force,
                                 progress=progress, udf_formulas=args.udf_formulas)
    print_summary(reads, result, facts)
    if result.blocking_problems:
        import sys

        print("(demo: the sample price book leaves the partner's own Acronis tenant without a customer on purpose,"
              " so the Problems sheet has something to show)", file=sys.stderr)
    print(f"open it in Excel or LibreOffice: {out.resolve()}")
    return 0
