"""Month control, between pricing and the outputs: invoice numbers from the
ledger (never moving), a closed month's figures enforced, and the comparison
with the last closed month (or last month's workbook) for the Changes sheet.

`control_month` is what build, lines, export and close call after
pricing.run.run_month; the ledger itself is xlbilling/ledger, the numbering
rules xlbilling/core/numbering.py, the comparison xlbilling/core/review.py."""
from __future__ import annotations

import datetime as dt
import getpass
import os
import socket
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Sequence

from xlbilling.core.numbering import Wanted, customer_accounts, customer_key
from xlbilling.core.review import Change, MonthFigures, compare, differences, figures_from_result
from xlbilling.errors import LedgerError, MonthClosedError
from xlbilling.gc_pause import gc_paused

CHANGE_KINDS_ON_PROBLEMS = {"vanished account": "vanished_account", "new unmapped account": "new_unmapped_account",
                            "vanished customer": "vanished_customer"}


@dataclass
class MonthStatus:
    """What the Summary and Changes sheets say about the month's control."""

    month: dt.date
    ledger: str = ""                      # where the ledger is ('' = none yet)
    closed: object = None                 # CloseInfo when the month is closed (figures matched)
    reopened: object = None               # CloseInfo reopened by this run
    reopen_reason: str = ""
    numbers: str = ""                     # how the invoice numbers were given
    previous: MonthFigures | None = None  # what the month was compared with
    previous_note: str = ""
    changes: list[Change] = field(default_factory=list)
    renames: dict = field(default_factory=dict)
    figures: MonthFigures | None = None   # this run's, with the final numbers (the Accounts sheet, close)
    pending: object = None                # PendingRecord: kept in the ledger when the output is published

    @property
    def guard(self):
        """files/publish.atomic_write's guard for this run's output: the ledger
        keeps the reopen and the invoice numbers with the published file
        (None: nothing to keep, no ledger)."""
        return self.pending.commit if self.pending is not None else None

    def record(self) -> None:
        """Keep the pending reopen and numbers now, before an output that cannot
        be taken back is written (stdout): every number shown is then kept."""
        if self.pending is not None:
            self.pending.commit(lambda: None)

    @property
    def state(self) -> str:
        if self.closed is not None:
            return f"CLOSED on {self.closed.closed_at} by {self.closed.closed_by}; these figures match the ledger"
        if self.reopened is not None:
            return f"REOPENED by this run (reason: {self.reopen_reason}); close it again when checked"
        return "OPEN (not closed yet): xlbilling close --month " + f"{self.month:%Y-%m}"


def who() -> str:
    """Who closes or reopens: the login name @ the machine."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


def open_ledger(pricebook, option: str | None, *, create: bool, reopen: bool = False):
    """The ledger to use, or None: --ledger / Settings 'Ledger' always (created
    when missing); the default file beside the price book when it exists
    (close creates it).  `reopen`: a ledger file that does not exist yet is
    refused (no month was ever closed in it), never created."""
    from xlbilling.ledger import Ledger, ledger_location

    where, explicit = ledger_location(pricebook.path, pricebook.settings.ledger, option)
    file = _ledger_file(where)
    missing = file is not None and not file.exists()
    if missing and reopen:
        raise LedgerError(f"--reopen: there is no ledger {file} yet, so no month was ever closed in it: nothing to"
                          " reopen (drop --reopen); nothing was written or recorded")
    if missing and not (explicit or create):
        return None
    return Ledger.open(where)


def _ledger_file(where: str) -> Path | None:
    """The SQLite file a ledger location names (None: a database server)."""
    if "://" not in where:
        return Path(where).expanduser().resolve()
    if where.startswith("sqlite"):
        from sqlalchemy.engine import make_url

        database = make_url(where).database
        return Path(database).expanduser().resolve() if database and database != ":memory:" else None
    return None


def wanted_numbers(result, pricebook, reads) -> list[Wanted]:
    accounts = customer_accounts(pricebook, reads)
    out = []
    for inv in result.invoices:
        c = pricebook.customer(inv.customer)
        out.append(Wanted(customer_key(inv.customer, c.customer_id if c else ""), inv.customer,
                          accounts.get(inv.customer.casefold(), frozenset())))
    return out


def renumber(result, numbers: dict, wanted: Sequence[Wanted]):
    invoices = tuple(replace(inv, invoice_number=numbers[w.key].number)
                     for inv, w in zip(result.invoices, wanted))
    return replace(result, invoices=invoices)


@dataclass
class PendingRecord:
    """What a run keeps in the ledger, kept back until its output is
    published: the reopen (if asked) and the invoice numbers the output shows.
    `commit` is the publish guard (files/publish.atomic_write): both are
    committed together, just after the publish, or neither."""

    ledger: object
    month: dt.date
    wanted: Sequence[Wanted]
    opts: dict
    numbers: dict
    reopen: tuple[int, str, str] | None = None   # (close id, reason, by)

    def commit(self, publish, close: dict | None = None):
        """Keep it all, `publish` (the output's) run inside the transaction just
        before the commit; `close` (xlbilling close): the month closed in the
        same transaction (Ledger.close's arguments; returns its CloseInfo)."""
        return self.ledger.record_run(self.month, self.wanted, expected=self.numbers, publish=publish,
                                      reopen=self.reopen, close=close, **self.opts)


@gc_paused   # (it makes a figure per invoice line and account: 20,000 customers, 1-3 s of collections)
def control_month(reads, result, pricebook, month: dt.date, *, ledger_option: str | None = None,
                  reopen: bool = False, reason: str = "", by: str | None = None,
                  compare_with: str | None = None, for_close: bool = False):
    """(result with its final invoice numbers and review problems, MonthStatus, ledger or None).

    Raises MonthClosedError when the month is closed and these figures differ
    (nothing written, no number given) unless `reopen` with a `reason`.
    Nothing is written to the ledger here: status.pending holds the reopen and
    the numbers, committed with the run's output (status.guard, status.record)
    or its close (status.pending.commit(..., close=...))."""
    s = pricebook.settings
    status = MonthStatus(month)
    if reopen and not (reason or "").strip():
        raise LedgerError("--reopen needs --reason \"...\": why the closed month is changed (kept in the ledger)")
    ledger = open_ledger(pricebook, ledger_option, create=for_close, reopen=reopen)
    wanted = wanted_numbers(result, pricebook, reads)
    if ledger is None:
        status.numbers = ("provisional: no ledger yet, so numbers are the sequence from 'Invoice number start' in"
                          " customer order; the first close keeps them")
    else:
        result = _numbered(ledger, result, pricebook, reads, wanted, status,
                           reopen=reason.strip() if reopen else "", by=by or who())
    now = figures_from_result(result, pricebook, reads)
    status.figures = now
    status.previous, status.previous_note = _previous(ledger, month, compare_with, pricebook)
    if status.previous is not None:
        status.changes = compare(status.previous, now, pct=s.change_threshold_pct, minimum=s.change_threshold_amount)
        result = replace(result, problems=tuple(result.problems) + tuple(review_problems(status)))
    return result, status, ledger


def _numbered(ledger, result, pricebook, reads, wanted, status: MonthStatus, *, reopen: str, by: str):
    """`result` with the invoice numbers the ledger will give; the closed month
    enforced, or to be reopened (`reopen`: the reason, '' = no reopen).  Fills
    in `status`, its `pending` with what to keep."""
    s, month = pricebook.settings, status.month
    status.ledger = ledger.where
    opts = dict(fmt=s.invoice_number_format, start=s.invoice_number_start, prefix=s.invoice_prefix)
    preview = None
    closed = ledger.closed_figures(month)
    if closed is not None:
        info, figs = closed
        preview, status.renames = ledger.preview_numbers(month, wanted, **opts)
        diffs = differences(figs, figures_from_result(renumber(result, preview, wanted), pricebook, reads))
        if diffs and not reopen:
            raise MonthClosedError(
                f"{month:%Y-%m} is closed (on {info.closed_at} by {info.closed_by}) and these reports give"
                " different figures; nothing was written:\n  " + "\n  ".join(diffs)
                + "\nIf the closed invoices must change: --reopen --reason \"why\" (kept in the ledger)")
        if reopen:
            status.reopened = info
            status.reopen_reason = reopen
        else:
            status.closed = info
    elif reopen:
        raise LedgerError(f"{month:%Y-%m} is not closed in the ledger {ledger.where}: nothing to reopen"
                          " (drop --reopen)")
    status.numbers = f"kept in the ledger {ledger.where}: a number once given never changes"
    if preview is None:
        preview, status.renames = ledger.preview_numbers(month, wanted, **opts)
    status.pending = PendingRecord(ledger, month, wanted, opts, preview,
                                   (status.reopened.id, reopen, by) if status.reopened else None)
    return renumber(result, preview, wanted)


def _previous(ledger, month: dt.date, compare_with: str | None, pricebook) -> tuple[MonthFigures | None, str]:
    if compare_with:
        from xlbilling.writers.previous import read_previous_workbook

        figs = read_previous_workbook(compare_with, pricebook)
        return figs, f"compared with {figs.source}"
    if ledger is not None:
        last = ledger.last_closed_before(month)
        if last is not None:
            return last[1], f"compared with {last[1].source}"
        return None, "no earlier month closed in the ledger yet: nothing to compare with"
    return None, ("no ledger yet: nothing to compare with; give --compare-with LAST-MONTH-BILLING.xlsx to compare"
                  " with last month's workbook")


def review_problems(status: MonthStatus) -> list:
    """Changes over the Settings threshold, vanished accounts and customers, new
    unmapped accounts: also on the Problems sheet (never blocking)."""
    from xlbilling.pricing.model import Problem

    then = f"{status.previous.month:%Y-%m}" if status.previous else "last month"
    out = []
    for c in status.changes:
        if not c.over_threshold:
            continue
        kind = CHANGE_KINDS_ON_PROBLEMS.get(c.change, "month_change")
        what = f"{c.vendor} {c.item}".strip() if c.item else (f"{c.vendor} account {c.account}" if c.account else "")
        if c.amount_then is not None or c.amount_now is not None:
            pct = f" ({c.percent:+.1%})" if c.percent is not None else ""
            figure = (f": {c.amount_then if c.amount_then is not None else 0} -> "
                      f"{c.amount_now if c.amount_now is not None else 0} {c.currency}{pct}")
        else:
            figure = ""
        message = f"{c.change} since {then}: {c.customer}{' / ' + what if what else ''}{figure}"
        if c.note:
            message += f"; {c.note}"
        out.append(Problem(kind, vendor=c.vendor, account=c.account, customer=c.customer,
                           message=message + " (see the Changes sheet)"))
    return out


def report_rows(reads) -> list[tuple[str, str, str, str, str]]:
    from xlbilling.core.period import PeriodCheck

    return [(os.path.basename(r.file), r.sha256, r.vendor, r.report_type,
             PeriodCheck(r.file, r.period, dt.date.today()).stated()) for r in reads]


__all__ = ["control_month", "MonthStatus", "PendingRecord", "who", "open_ledger", "review_problems", "report_rows"]
