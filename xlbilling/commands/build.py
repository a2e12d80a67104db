"""`xlbilling build --month YYYY-MM --pricebook PRICEBOOK.xlsx REPORT... --out BILLING.xlsx`:
read the reports, price the month with the price book and write the billing
workbook from the template (openpyxl).  Progress and problems go to stderr,
the summary to stdout.  The output is refused when it is an input or the
template, or exists without --force; nothing is left behind on failure, in
the folder or in the ledger (the reopen and the invoice numbers are committed
with the published workbook: docs/month.md)."""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

from xlbilling.commands.lines import add_month_arguments, print_not_ready
from xlbilling.core.rules.x360recover import parse_month


EPILOG = """examples:
  xlbilling build --month 2026-10 --pricebook pricebook.xlsx reports/* --out billing-2026-10.xlsx
      the month's billing workbook from every report in reports/
  xlbilling build --strict --quiet --month 2026-10 --pricebook pricebook.xlsx reports/* --out billing.xlsx
      for scheduled jobs: no progress, exit 1 while any usage is un-invoiced

exit codes: 0 written (a NOT READY banner says when usage was left out), 1 --strict and usage un-invoiced
(the workbook is still written for review), 2 an error (nothing written)"""


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "build", help="write the month's billing workbook from vendor reports and a price book",
        description="Read the vendor reports, price them with the price book and write the billing workbook"
                    " (import sheets, invoice lines with the working, customer summary, reconciliation,"
                    " problems). `xlbilling help workbook` describes the sheets.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_month_arguments(p)  # REPORT..., --month, --pricebook, --basis, --strict (shared with lines/export)
    p.add_argument("--out", required=True, metavar="BILLING.xlsx", help="the billing workbook to write")
    p.add_argument("--force", action="store_true", help="replace --out if it exists (never an input)")
    add_udf_formulas_argument(p)
    p.add_argument("--compare-with", metavar="LAST-MONTH-BILLING.xlsx",
                   help="compare with this billing workbook instead of the last month closed in the ledger")
    p.add_argument("--quiet", action="store_true", help="no progress messages")
    p.set_defaults(func=run)


def add_udf_formulas_argument(p) -> None:
    p.add_argument("--udf-formulas", action="store_true",
                   help="write Amount cells a user would compute with an xlbilling function as"
                        " =IFERROR(FUNCTION(...), amount): live in Excel with the add-in, the amount elsewhere"
                        " (default: the amounts as values, so the workbook opens without calling any function)")


def progress_printer(quiet: bool = False):
    """A progress callback for run_month and the writer: one stderr line per step,
    with the elapsed time."""
    started = time.perf_counter()

    def progress(message, done=None, total=None) -> None:
        """(message) from the writer, (message, n, total) from run_month."""
        if quiet:
            return
        text = str(message) + (f" ({done}/{total})" if done is not None and total else "")
        print(f"[{time.perf_counter() - started:6.1f}s] {text}", file=sys.stderr, flush=True)

    return progress


def build(reports, pricebook, month, out, *, force=False, basis=None, progress=None, template=None,
          allow_period_mismatch=False, udf_formulas=False, control=None):
    """Read, price, put through month control and write; returns (reads, result,
    writer facts).  Shared by build and demo.  `control`: the month control
    options (ledger_option, reopen, reason, compare_with) as a dict."""
    from xlbilling.pricing.run import run_month
    from xlbilling.writers.xlsx import check_output, write_billing_workbook
    from xlbilling.writers.billing_template import template_path

    inputs = [Path(p) for p in (*reports, pricebook)]
    # Refuse a bad --out before the (possibly long) read and pricing.
    check_output(out, [template or template_path(), *inputs], force=force)
    from xlbilling.ledger.month_control import control_month
    from xlbilling.pricing.pricebook import load_pricebook

    book = load_pricebook(pricebook)
    reads, result = run_month([str(p) for p in reports], str(pricebook), month, basis=basis, progress=progress,
                              allow_period_mismatch=allow_period_mismatch, pricebook=book)
    control = dict(control or {})
    compare_with = control.pop("compare_with", None)
    if compare_with:
        inputs.append(Path(compare_with))
        check_output(out, [template or template_path(), *inputs], force=force)
    # the ledger keeps this run's reopen and invoice numbers only once the workbook is published
    result, status, _ = control_month(reads, result, book, month, compare_with=compare_with, **control)
    facts = write_billing_workbook(out, reads, result, inputs=inputs, template=template, force=force,
                                   progress=progress, udf_formulas=udf_formulas, month_status=status,
                                   publish_guard=status.guard)
    facts["status"] = status
    return reads, result, facts


def print_summary(reads, result, facts, out=None, err=None) -> None:
    out, err = out or sys.stdout, err or sys.stderr
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for inv in result.invoices:
        totals[inv.currency] += inv.total
    money = ", ".join(f"{cur} {amount:,}" for cur, amount in sorted(totals.items())) or "nothing"
    cells = facts.get("amount_cells", {})
    live = sum(n for k, n in cells.items() if k != "value")
    blocking = len(result.blocking_problems)
    incomplete = f" - NOT READY: {blocking} usage item(s) not invoiced" if blocking else ""
    print(f"wrote {facts['path']}: {len(reads)} report(s), {len(result.invoices)} invoice(s),"
          f" {len(result.lines)} line(s) ({live} with live UDF formulas), total {money}"
          f" in {facts['seconds']:.1f}s{incomplete}", file=out)
    if result.problems:
        kinds = Counter(p.title for p in result.problems)
        print(f"{len(result.problems)} problem(s) to review (sheet Problems): "
              + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())), file=err)
        from xlbilling.commands.boundary import escape_control

        for p in result.problems[:20]:
            print(escape_control(f"  {p}"), file=err)
        if len(result.problems) > 20:
            print(f"  ... and {len(result.problems) - 20} more in the workbook", file=err)
    print_not_ready(result, err)


def run(args: argparse.Namespace) -> int:
    month = parse_month(args.month)
    progress = progress_printer(args.quiet)
    reads, result, facts = build(args.reports, args.pricebook, month, args.out, force=args.force,
                                 basis=args.basis, progress=progress,
                                 allow_period_mismatch=args.allow_period_mismatch,
                                 udf_formulas=args.udf_formulas,
                                 control=dict(ledger_option=args.ledger, reopen=args.reopen, reason=args.reason,
                                              compare_with=args.compare_with))
    print_summary(reads, result, facts)
    status = facts["status"]
    print(f"month: {status.state}", file=sys.stderr)
    over = sum(1 for c in status.changes if c.over_threshold)
    print(f"changes: {len(status.changes)} ({over} over the threshold) - {status.previous_note}", file=sys.stderr)
    blocking = [p for p in result.problems if getattr(p, "blocking", False)]
    return 1 if args.strict and blocking else 0
