"""The one orchestration `build`, `lines` and `export` share: load the price
book, read the reports (refusing a report given twice), price the month."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Callable, Sequence

from xlbilling.errors import ReportError
from xlbilling.files.publish import sha256_file
from xlbilling.gc_pause import gc_paused
from xlbilling.pricing.engine import find_duplicate_reports, price_month
from xlbilling.pricing.model import PriceBook, PricingResult
from xlbilling.pricing.pricebook import load_pricebook


def check_distinct_files(report_paths: Sequence[str | os.PathLike]) -> None:
    """The same report given twice (same bytes, whatever its name) would bill twice: refuse."""
    seen: dict[str, str] = {}
    for path in report_paths:
        name = os.fspath(path)
        try:
            digest = sha256_file(name)
        except OSError as exc:
            raise ReportError(f"{name}: cannot be read ({exc.strerror or exc})") from None
        if digest in seen:
            raise ReportError(f"{name} and {seen[digest]} are the same report (SHA-256 {digest[:12]}...): give each"
                              " report once; nothing was priced")
        seen[digest] = name


@gc_paused
def read_reports(report_paths: Sequence[str | os.PathLike], pricebook: PriceBook, month: dt.date, *,
                 basis: str | None = None, progress: Callable[[str, int, int], None] | None = None) -> list:
    """Read every report with the price book's Axcient BFF basis (default and per
    customer, mapped to accounts) and the billing month (x360Recover licenses)."""
    from xlbilling.readers import read_report

    from xlbilling.pricing.vendors import reader_options

    default_basis = basis or pricebook.settings.default_basis
    options = reader_options(pricebook)   # what each vendor unit's readers need from the price book
    reads = []
    for n, path in enumerate(report_paths, 1):
        if progress:
            progress(f"reading {os.fspath(path)}", n, len(report_paths))
        reads.append(read_report(path, basis=default_basis, month=month, **options))
    return reads


def check_periods(reads: Sequence, month: dt.date, *, allow: bool = False) -> None:
    """Every report's stated period must be the billing month (FORMATS.md "Report
    periods"): a wrong-month report is refused, naming the file, the period it
    states and the month asked, unless the user allows it (recorded on the
    Imports sheet)."""
    from xlbilling.core.period import PeriodCheck
    from xlbilling.errors import PeriodMismatchError

    wrong = [c for c in (PeriodCheck(r.file, r.period, month) for r in reads) if not c.ok]
    if wrong and not allow:
        raise PeriodMismatchError(
            "report(s) from another period, nothing was priced or written:\n  "
            + "\n  ".join(c.message() for c in wrong)
            + "\nGive the reports for " + f"{month:%Y-%m}" + ", or --month the period they state, or"
              " --allow-period-mismatch if you really mean it (recorded on the Imports sheet)")


def run_month(report_paths: Sequence[str | os.PathLike], pricebook_path: str | os.PathLike, month: dt.date, *,
              basis: str | None = None, progress: Callable[[str, int, int], None] | None = None,
              pricebook: PriceBook | None = None,
              allow_period_mismatch: bool = False) -> tuple[list, PricingResult]:
    """Load the price book, read the reports, price the month: (reads, PricingResult).

    Raises ReportError when a report is given twice (same SHA-256) or two reports
    of one vendor and type cover the same accounts: nothing would be safe to bill.
    `basis` (the CLI's --basis) replaces the Settings default; customers' own
    basis overrides stand.  A report stating another period than `month`
    raises PeriodMismatchError unless `allow_period_mismatch`."""
    if not report_paths:
        raise ReportError("no report given: name at least one vendor report")
    pb_path = Path(pricebook_path).resolve()
    for path in report_paths:
        if Path(path).resolve() == pb_path:
            # Which mistake?  A report named as --pricebook (then the loader says what the file
            # is), or the price book caught by a reports/* glob.
            pricebook = pricebook or load_pricebook(pricebook_path)
            raise ReportError(f"{os.fspath(path)} is given both as --pricebook and as a REPORT: leave the price"
                              " book out of the reports (keep it outside the reports folder)")
    check_distinct_files(report_paths)
    pb = pricebook or load_pricebook(pricebook_path)
    pb = pb.with_default_basis(basis)
    reads = read_reports(report_paths, pb, month, basis=basis, progress=progress)
    check_periods(reads, month, allow=allow_period_mismatch)
    duplicates = find_duplicate_reports(reads)
    if duplicates:
        raise ReportError("duplicate report(s), nothing was priced:\n  " + "\n  ".join(p.message for p in duplicates))
    return reads, price_month(reads, pb, month, progress=progress)


__all__ = ["run_month", "read_reports", "check_distinct_files", "check_periods"]
