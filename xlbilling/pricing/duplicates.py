"""A report given twice would bill twice: find it before pricing.  Pure."""
from __future__ import annotations

from typing import Sequence

from xlbilling.pricing.model import Problem


def _duplicate_of(read, kept: Sequence) -> str | None:
    for other in kept:
        if read.sha256 and read.sha256 == other.sha256:
            return f"{read.file} is the same file as {other.file} (SHA-256 {read.sha256[:12]}...)"
        if (read.vendor, read.report_type) == (other.vendor, other.report_type):
            common = {r.account for r in read.records} & {r.account for r in other.records}
            if common:
                return (f"{read.file} and {other.file} are both {read.vendor} {read.report_type} reports"
                        f" covering the same account(s) {', '.join(sorted(common)[:5])}")
    return None


def drop_duplicates(reads: Sequence) -> tuple[list, list[Problem]]:
    """The same report given twice (same SHA-256), or two reports of one vendor
    and report type covering the same accounts: the later one is left out and
    reported, so nothing is billed twice."""
    kept: list = []
    problems: list[Problem] = []
    for read in reads:
        dup = _duplicate_of(read, kept)
        if dup:
            problems.append(Problem("duplicate_report", read.vendor, "", "",
                                    f"{dup}: {read.file} was left out so nothing is billed twice;"
                                    " give each report once", read.file))
        else:
            kept.append(read)
    return kept, problems


def find_duplicate_reports(reads: Sequence) -> list[Problem]:
    return drop_duplicates(reads)[1]


__all__ = ["drop_duplicates", "find_duplicate_reports"]
