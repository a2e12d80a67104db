"""`xlbilling demo`: the whole monthly build on the bundled sample reports and
sample price book (xlbilling/samples/), written to ./xlbilling-demo-2026-10.xlsx
(or -2, -3 ... when that exists: the demo never replaces a file).

This is the README's main-job command: no arguments, nothing to prepare."""
from __future__ import annotations

import argparse
from pathlib import Path

from xlbilling.commands.build import build, print_summary, progress_printer
from xlbilling.core.rules.x360recover import parse_month

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
DEMO_MONTH = "2026-10"
PRICEBOOK = "pricebook_sample.xlsx"
# One report of each vendor's main kind, so nothing is billed twice.  The samples
# also hold other kinds for the same customers (Axcient Raw Account Data, the
# Acronis distributor usage records, the Hornetsecurity priced licenses, the
# Altaro JSON): build flags overlapping kinds ("overlapping_usage") and refuses
# the same report twice.
REPORTS = (
    "axcient_bff_raw_customer_data_2026-10.xls",
    "x360recover_devices_2026-10.csv",
    "x360recover_licenses.xlsx",
    "acronis_usage_2026-10.csv.gz",
    "altaro_itemised_2026-10.csv",
)


def register(subparsers) -> None:
    p = subparsers.add_parser("demo", help="build the billing workbook from the bundled sample reports",
                              description="Run the whole monthly build on the sample reports and sample price"
                                          f" book ({DEMO_MONTH}) and write the billing workbook.")
    p.add_argument("--out", metavar="BILLING.xlsx",
                   help="where to write (default ./xlbilling-demo-2026-10.xlsx, numbered if it exists)")
    p.add_argument("--force", action="store_true", help="replace --out if it exists")
    p.add_argument("--quiet", action="store_true", help="no progress messages")
    p.set_defaults(func=run)


def demo_inputs() -> tuple[list[Path], Path]:
    return [SAMPLES / name for name in REPORTS], SAMPLES / PRICEBOOK


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
                                 progress=progress)
    print_summary(reads, result, facts)
    print(f"open it in Excel or LibreOffice: {out.resolve()}")
    return 0
