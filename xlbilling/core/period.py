"""Which month a vendor report describes, and whether that is the billing month.

A report from the wrong month is the costliest silent error (FORMATS.md
"Report periods"), so every reader states the period its file gives, where it
gives one: a column (Altaro `Month`, Hornetsecurity `Date From`/`Date To`,
x360Recover license first/last days), a title row above the header, or the
file name.  Pure: text and dates in, `Period` out; no file is opened here.

Three kinds of period, because files state three different things:

* ``range``  - the file's own rows cover first..last (a Month column, Date
  From/To, a month or a date range in the name).  Matches the billing month
  when every day stated lies inside it.
* ``as_of``  - one date the file was made or last invoiced (Axcient "end of
  last month" downloads, the Acronis distributor export's
  `_UsageRecords_MM_DD_YYYY_...` name).  Matches when the date is in the month
  or in the first `AS_OF_GRACE_DAYS` days after it (a report pulled just after
  month end; Acronis builds its invoice data up to the 2nd: seeds/004).
* ``span``   - assignment intervals that may run over many months (the
  x360Recover license table).  Matches when it overlaps the month at all.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Iterable

AS_OF_GRACE_DAYS = 7
KINDS = ("range", "as_of", "span")

MONTH_NAMES = {name.casefold(): i for i, name in enumerate(calendar.month_name) if name}
MONTH_NAMES.update({name.casefold(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTH_NAMES["sept"] = 9


def month_first(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_last(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


@dataclass(frozen=True, slots=True)
class Period:
    """The period a report states: first..last day, what kind, and where it was
    found (shown to the user: "column 'Month'", "file name", "title row 1")."""

    first: dt.date
    last: dt.date
    kind: str = "range"
    where: str = ""

    def text(self) -> str:
        """'2026-09', '2026-09-01 to 2026-09-15', 'as of 2026-11-02' (+ where)."""
        if self.kind == "as_of":
            core = f"as of {self.first.isoformat()}"
        elif self.first == month_first(self.first) and self.last == month_last(self.first):
            core = f"{self.first:%Y-%m}"
        elif self.first == month_first(self.first) and self.last == month_last(self.last):
            core = f"{self.first:%Y-%m} to {self.last:%Y-%m}"
        else:
            core = f"{self.first.isoformat()} to {self.last.isoformat()}"
        if self.kind == "span":
            core = f"assignments {core}"
        return f"{core} ({self.where})" if self.where else core

    def matches(self, month: dt.date) -> bool:
        """Is this period consistent with billing `month` (any day of it)?"""
        start, end = month_first(month), month_last(month)
        if self.kind == "as_of":
            return start <= self.first <= end + dt.timedelta(days=AS_OF_GRACE_DAYS)
        if self.kind == "span":
            return self.first <= end and self.last >= start
        return start <= self.first and self.last <= end


def period_of_dates(dates: Iterable[dt.date | None], where: str, kind: str = "range") -> Period | None:
    """The range first..last of the dates given (None ignored); None when none."""
    days = [d for d in dates if d is not None]
    if not days:
        return None
    return Period(min(days), max(days), kind, where)


def month_period(months: Iterable[dt.date], where: str) -> Period | None:
    """The months stated (first days) as one range: first month's 1st to last month's last day."""
    ms = sorted(set(months))
    if not ms:
        return None
    return Period(ms[0], month_last(ms[-1]), "range", where)


# --- text ----------------------------------------------------------------------
_SEP = r"[-_. /]"
_NAME = "|".join(sorted(MONTH_NAMES, key=len, reverse=True))
_PATTERNS = (
    # full dates first: they would otherwise read as a month
    ("ymd", re.compile(rf"(?<!\d)(20\d\d)({_SEP}?)(0[1-9]|1[0-2])\2(0[1-9]|[12]\d|3[01])(?!\d)")),
    ("mdy_", re.compile(r"(?<!\d)(0[1-9]|1[0-2])_(0[1-9]|[12]\d|3[01])_(20\d\d)(?!\d)")),   # Acronis export name
    ("dmy", re.compile(r"(?<!\d)(0?[1-9]|[12]\d|3[01])\.(0?[1-9]|1[0-2])\.(20\d\d)(?!\d)")),
    ("ym", re.compile(rf"(?<!\d)(20\d\d)(?:{_SEP}?)(0[1-9]|1[0-2])(?!\d)")),
    ("my", re.compile(rf"(?<!\d)(0[1-9]|1[0-2]){_SEP}(20\d\d)(?!\d)")),
    ("name_y", re.compile(rf"(?<![a-z])({_NAME})(?![a-z])[-_. ,/]*(20\d\d)(?!\d)", re.I)),
    ("y_name", re.compile(rf"(?<!\d)(20\d\d)[-_. ,/]*({_NAME})(?![a-z])", re.I)),
)


def _date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def find_periods(text: str) -> tuple[list[dt.date], list[dt.date]]:
    """(full dates, months) written in `text` (a file name or a title row).

    Each character is used once: `2026-10-31` is a date, not also the month
    `2026-10`."""
    taken = [False] * len(text)
    dates: list[dt.date] = []
    months: list[dt.date] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(taken[m.start():m.end()]):
                continue
            g = m.groups()
            if kind == "ymd":
                found = _date(int(g[0]), int(g[2]), int(g[3]))
            elif kind == "mdy_":
                found = _date(int(g[2]), int(g[0]), int(g[1]))
            elif kind == "dmy":
                found = _date(int(g[2]), int(g[1]), int(g[0]))
            elif kind == "ym":
                found = _date(int(g[0]), int(g[1]), 1)
            elif kind == "my":
                found = _date(int(g[1]), int(g[0]), 1)
            elif kind == "name_y":
                found = _date(int(g[1]), MONTH_NAMES[g[0].casefold()], 1)
            else:
                found = _date(int(g[0]), MONTH_NAMES[g[1].casefold()], 1)
            if found is None:
                continue
            taken[m.start():m.end()] = [True] * (m.end() - m.start())
            (dates if kind in ("ymd", "mdy_", "dmy") else months).append(found)
    return dates, months


def period_in_text(text: str, where: str) -> Period | None:
    """The period a file name or title row states.

    Two or more full dates: the range between them ("2026-10-01_2026-10-31").
    One full date: an as-of date (a download or last-invoice date).  Otherwise
    the month(s) named ("2026-10", "October 2026", "oct_2026")."""
    dates, months = find_periods(text)
    if len(dates) >= 2:
        return Period(min(dates), max(dates), "range", where)
    if len(dates) == 1 and not months:
        return Period(dates[0], dates[0], "as_of", where)
    if months:
        return month_period(months + [month_first(d) for d in dates], where)
    return None


def parse_month_cell(value: object) -> dt.date | None:
    """A 'Month' cell: 2026-09, 09/2026, 2026-09-01, September 2026, Sep-26 is
    not accepted (two-digit years are ambiguous); a date counts as its month."""
    if isinstance(value, dt.datetime):
        return month_first(value.date())
    if isinstance(value, dt.date):
        return month_first(value)
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    dates, months = find_periods(text)
    found = [month_first(d) for d in dates] + months
    return found[0] if len(set(found)) == 1 else None


@dataclass(frozen=True, slots=True)
class PeriodCheck:
    """One report's period against the billing month, for the Imports sheet."""

    file: str
    period: Period | None
    month: dt.date
    allowed: bool = False     # a mismatch the user let through (--allow-period-mismatch)

    @property
    def ok(self) -> bool:
        return self.period is None or self.period.matches(self.month)

    def stated(self) -> str:
        return self.period.text() if self.period else "not stated"

    def verdict(self) -> str:
        if self.period is None:
            return "not stated: check the report is for this month"
        if self.ok:
            return "matches the billing month"
        note = f"does NOT match {self.month:%Y-%m}"
        return note + (": allowed with --allow-period-mismatch" if self.allowed else "")

    def message(self) -> str:
        return (f"{self.file}: the report states the period {self.stated()}, but the billing month asked is"
                f" {self.month:%Y-%m}")


__all__ = ["Period", "PeriodCheck", "period_in_text", "period_of_dates", "month_period", "parse_month_cell",
           "find_periods", "month_first", "month_last", "AS_OF_GRACE_DAYS"]
