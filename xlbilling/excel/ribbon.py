"""Billing > Import report: the ribbon action (`xlbilling.main()` -> `main()`).

Asks for a vendor report with Excel's own file picker, recognises it, prices
the month again with every report already imported into the active workbook
(the new one replacing an earlier report of the same vendor and report type),
and writes the generated sheets with the live writer - the same cells
`xlbilling build` saves.  Everything is read, checked, priced and rendered
before Excel is touched: a bad file ends in one message box and an unchanged
workbook.  docs/ribbon.md is the user's guide.

Excel access is confined to `read_state`, `write_images` (writers/live.py),
the picker and the message box; `plan_import` holds the logic and takes plain
values, so tests run it against tests/xlwings_double.py.

Where the workbook keeps what a re-import needs (no extra cells on the
generated sheets, so they stay identical to the headless build):
  - the billing month: Summary!B2 (the layout's month cell);
  - the imported reports: the Imports sheet (file name, SHA-256, vendor, type);
  - their full paths and the price book path: the sheet `xlbilling settings`
    (B2 = price book; from row 5: report path, SHA-256, import sheet).
"""
from __future__ import annotations

import datetime as dt
import ntpath
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from xlbilling.core.money import to_date
from xlbilling.core.words import count
from xlbilling.errors import PriceBookError, ReportError, XlbillingError
from xlbilling.writers import layout as L
from xlbilling.writers import live
from xlbilling.writers.live import SheetImage, text_value

TITLE = "xlbilling"
REPORT_FILTER = "Vendor reports (*.xls;*.xlsx;*.csv;*.gz;*.json),*.xls;*.xlsx;*.csv;*.gz;*.json"
PRICEBOOK_FILTER = "Price book (*.xlsx),*.xlsx"
PICKERS = {
    "report": (REPORT_FILTER, "xlbilling: choose the vendor report to import"),
    "pricebook": (PRICEBOOK_FILTER, "xlbilling: choose the price book (first import in this workbook)"),
}

SETTINGS_SHEET = "xlbilling settings"
SETTINGS_TITLE = "xlbilling settings (used by Billing > Import report; run `xlbilling help ribbon` for the guide)"
PRICEBOOK_LABEL = "Price book"
PRICEBOOK_ROW, PRICEBOOK_COL = 2, 2                 # B2
SETTINGS_HEADER_ROW = 4
SETTINGS_HEADERS = ("Report file (full path)", "SHA-256", "Import sheet")
IMPORT_SHEET_TITLE_PREFIX = "Imported from "        # writers/xlsx.py's import sheet title
MAX_MESSAGE_LINES = 30

Picker = Callable[[str], "str | None"]


# --- what the workbook holds --------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Recorded:
    """One report listed in the Imports sheet (+ its path from the settings sheet)."""

    file: str
    sha256: str
    vendor: str
    report_type: str
    sheet: str
    path: str = ""


@dataclass(frozen=True, slots=True)
class WorkbookState:
    heads: dict[str, tuple]                 # sheet name -> (A1, A4), for sheets with a generated name
    month_value: object = None              # Summary!B2 as Excel gave it
    recorded: tuple[Recorded, ...] = ()
    pricebook_path: str = ""
    book_folder: str = ""


@dataclass(frozen=True)
class Plan:
    month: dt.date
    month_from_cell: bool
    pricebook_path: str
    reads: list
    result: object
    new_index: int
    replaced: tuple[Recorded, ...]
    images: list[SheetImage] = field(default_factory=list)


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def read_state(book) -> WorkbookState:
    """Read what the import needs from the open workbook (reads only; sheets
    whose names xlbilling never generates are not even read)."""
    from xlbilling.pricing.vendors import vendor_key     # the Imports sheet shows the vendor's label

    generated = {s.name.casefold() for s in L.SHEETS} | {SETTINGS_SHEET.casefold()}
    ours = {}        # casefolded name -> sheet, for xlbilling's own sheets
    heads = {}
    for sheet in book.sheets:
        name = sheet.name
        if name.casefold() in generated or name.startswith(L.IMPORT_SHEET_PREFIX):
            a1_to_a4 = sheet.range((1, 1), (4, 1)).options(ndim=2).value
            heads[name] = (a1_to_a4[0][0], a1_to_a4[3][0])
            if _is_ours(name, heads[name]):
                ours[name.casefold()] = sheet
    month_value = None
    summary = ours.get(L.SUMMARY.name.casefold())
    if summary is not None:
        month_value = summary.range((L.MONTH_ROW, 2)).value
    paths: dict[str, str] = {}
    pricebook = ""
    settings = ours.get(SETTINGS_SHEET.casefold())
    if settings is not None:
        pricebook = _text(settings.range((PRICEBOOK_ROW, PRICEBOOK_COL)).value)
        for row in live.read_rows(settings, SETTINGS_HEADER_ROW + 1, len(SETTINGS_HEADERS)):
            path, sha = _text(row[0]), _text(row[1]).lower()
            if path and sha:
                paths[sha] = path
    recorded = []
    imports = ours.get(L.IMPORTS.name.casefold())
    if imports is not None:
        S = L.IMPORTS
        for row in live.read_rows(imports, L.FIRST_DATA_ROW, len(S.columns)):
            get = lambda key: _text(row[S.index(key) - 1])  # noqa: E731
            sha = get("sha256").lower()
            if sha:
                recorded.append(Recorded(get("file"), sha, vendor_key(get("vendor")), get("report_type"), get("sheet"),
                                         paths.get(sha, "")))
    return WorkbookState(heads, month_value, tuple(recorded), pricebook, book_folder(book))


def book_folder(book) -> str:
    """The workbook's local folder, or "" when it has none: never saved ("Book1"),
    or opened from OneDrive/SharePoint with AutoSave on, where Excel gives a web
    address and xlwings' Book.fullname raises XlwingsError unless the mapping is in
    xlwings.conf (which the add-in's settings never reach; xlwings #2017, #2386).
    The folder only helps to find earlier reports by name; the full paths the
    settings sheet records are used first, so the import goes on without it."""
    try:
        fullname = _text(book.fullname)
    except Exception:  # noqa: BLE001 - XlwingsError (OneDrive URL) or a COM error: no local folder
        return ""
    if "://" in fullname:
        return ""
    if re.match(r"^([A-Za-z]:[\\/]|\\\\)", fullname):      # C:\\... or \\\\server\\share, on any system
        return ntpath.dirname(fullname)
    return os.path.dirname(fullname) if os.path.isabs(fullname) else ""


def _is_ours(name: str, head: tuple) -> bool:
    """Whether an existing sheet with a generated sheet's name is xlbilling's
    (its title in A1 or its first header in A4), or empty.  A user's own
    'Summary' sheet is never overwritten."""
    a1, a4 = (_text(v) for v in head)
    if not a1 and not a4:
        return True
    for sheet in L.SHEETS:
        if sheet.name.casefold() == name.casefold():
            return a1 == sheet.title or a4 == sheet.columns[0].header
    if name.casefold() == SETTINGS_SHEET.casefold():
        return a1 == SETTINGS_TITLE
    return a1.startswith(IMPORT_SHEET_TITLE_PREFIX)


# --- the logic, with plain values -----------------------------------------------------------

def billing_month(value, today: dt.date) -> tuple[dt.date, bool]:
    """The month to bill: Summary!B2 when it holds one, else the month before
    `today` (bills are made after the month ends).  (first day, from the cell?)"""
    if value is None or value == "":
        first = today.replace(day=1)
        return (first - dt.timedelta(days=1)).replace(day=1), False
    try:
        return to_date(value, what="Summary!B2 (the billing month)").replace(day=1), True
    except XlbillingError as exc:
        raise XlbillingError(f"{exc}. Type the first day of the month to bill in Summary!B2 (e.g. 1/10/2026),"
                             " or clear it to bill the month before today; nothing was imported.") from None


def locate_report(rec: Recorded, folders: Sequence[str]) -> str:
    """The file of an earlier import, proven by its SHA-256: the path recorded in
    the settings sheet, else the same name beside the new report or the workbook."""
    from xlbilling.files.publish import sha256_file

    candidates = [rec.path] if rec.path else []
    candidates += [os.path.join(f, rec.file) for f in folders if f]
    changed = []
    for path in dict.fromkeys(candidates):
        if os.path.isfile(path):
            if sha256_file(Path(path)) == rec.sha256:
                return path
            changed.append(path)
    where = f"imported earlier into sheet {rec.sheet!r}" if rec.sheet else "imported earlier"
    if changed:
        raise ReportError(
            f"{changed[0]} ({where}) has changed since it was imported: its SHA-256 is no longer"
            f" {rec.sha256[:12]}..., so the month cannot be priced again with it. Import that file again first"
            " (Billing > Import report) to use its new content, or put the imported version back. Nothing was"
            " imported.")
    looked = ", ".join(dict.fromkeys(candidates)) or rec.file
    raise ReportError(
        f"{rec.file} ({where}) was not found (looked for {looked}). Every report of the month is priced again"
        " on each import: put the file back, or delete its row from the Imports sheet (and its import sheet) if"
        " it should no longer be billed. Nothing was imported.")


def plan_import(state: WorkbookState, report_path: str, pricebook_path: str, *, now: dt.datetime,
                info=None) -> Plan:
    """Everything before writing: which reports (the new one replacing an
    earlier one of the same vendor and report type), the month, the price
    book, the reads and pricing (pricing.run.run_month, as `xlbilling build`),
    and the rendered sheets.  Raises XlbillingError; touches no workbook.
    `info`: the new report's `readers.identify` result when already known."""
    from xlbilling.pricing.run import run_month
    from xlbilling.readers import identify

    month, from_cell = billing_month(state.month_value, now.astimezone().date())
    report_path = os.path.abspath(report_path)
    info = info or identify(report_path)
    if not os.path.isfile(pricebook_path):
        raise PriceBookError(
            f"the price book {pricebook_path} was not found. Put it back, or clear cell B2 of the sheet"
            f" {SETTINGS_SHEET!r} to choose another price book at the next import. Nothing was imported.")
    folders = [os.path.dirname(report_path), state.book_folder]
    paths: list[str] = []
    kept: list[Recorded] = []
    replaced: list[Recorded] = []
    new_index = -1
    for rec in state.recorded:
        if (rec.vendor, rec.report_type) == (info.vendor, info.report_type):
            replaced.append(rec)
            if new_index < 0:          # the new report takes the place of the one it replaces
                new_index = len(paths)
                paths.append(report_path)
            continue
        kept.append(rec)
        paths.append(locate_report(rec, folders))
    if new_index < 0:
        new_index = len(paths)
        paths.append(report_path)
    # In Excel the month is the workbook's (Summary!B2): a report stating another
    # period is imported with a warning (and on the Imports sheet), not refused.
    reads, result = run_month(paths, pricebook_path, month, allow_period_mismatch=True)
    for rec, read in zip(kept, (r for i, r in enumerate(reads) if i != new_index)):
        if read.sha256 != rec.sha256:     # changed between the check and the read
            raise ReportError(f"{read.file} changed while it was being read; import again. Nothing was imported.")
    images = live.render_images(reads, result, imported_at=now.astimezone(dt.timezone.utc))
    fixed = {s.name for s in L.SHEETS}
    import_sheets = [img.name for img in images if img.name not in fixed]
    images.append(settings_image(pricebook_path, list(zip(paths, (r.sha256 for r in reads), import_sheets))))
    heads = {n.casefold(): h for n, h in state.heads.items()}
    foreign = [img.name for img in images
               if img.name.casefold() in heads and not _is_ours(img.name, heads[img.name.casefold()])]
    if foreign:
        raise XlbillingError(
            f"this workbook has its own sheet(s) named {', '.join(repr(n) for n in foreign)}, which xlbilling would"
            " overwrite: rename them (or open the billing workbook) and import again. Nothing was imported.")
    return Plan(month, from_cell, os.path.abspath(pricebook_path), reads, result, new_index, tuple(replaced), images)


def settings_image(pricebook_path: str, reports: Sequence[tuple[str, str, str]]) -> SheetImage:
    """The `xlbilling settings` sheet: price book path, then each imported
    report's full path, SHA-256 and import sheet, so the next import can price
    the month again.  Written by the live writer like any generated sheet."""
    width = len(SETTINGS_HEADERS)

    def row(*cells):
        return tuple(text_value(c) if isinstance(c, str) else c for c in cells) + (None,) * (width - len(cells))

    grid = [row(SETTINGS_TITLE), row(PRICEBOOK_LABEL, os.path.abspath(pricebook_path)), row(),
            row(*SETTINGS_HEADERS)]
    grid += [row(path, sha, sheet) for path, sha, sheet in reports]
    return SheetImage(SETTINGS_SHEET, tuple(grid))


def summary_text(plan: Plan) -> str:
    """The message box after a good import: what was imported, skipped and why,
    the problems to review, and which month and price book were used."""
    new = plan.reads[plan.new_index]
    lines = [f"Imported {new.file}: {new.vendor} {new.report_type}, {count(new.rows_read, 'row')} read,"
             f" {count(len(new.records), 'record')}."]
    for rec in plan.replaced:
        lines.append(f"It replaces the earlier import of {rec.file} ({rec.vendor} {rec.report_type}).")
    reasons = Counter(s.reason for s in new.skipped)
    if reasons:
        lines.append(f"Skipped {count(len(new.skipped), 'row')}:")
        lines.extend(f"  {n:,} x {reason}" for reason, n in reasons.most_common())
    lines.extend(f"Warning: {w}" for w in new.warnings)
    if new.unknown_columns:
        lines.append("Columns not used: " + ", ".join(new.unknown_columns))
    lines.append("")
    how = "from Summary!B2" if plan.month_from_cell else \
        "the month before today; to bill another month type it in Summary!B2 and import again"
    lines.append(f"Month: {plan.month:%B %Y} ({how}).")
    from xlbilling.core.period import PeriodCheck

    for read in plan.reads:
        check = PeriodCheck(read.file, read.period, plan.month)
        if not check.ok:
            lines.append(f"Warning: {check.message()}: check the month before invoicing.")
    lines.append(f"Price book: {plan.pricebook_path}")
    result = plan.result
    totals = Counter()
    for inv in result.invoices:
        totals[inv.currency] += inv.total
    money = "; ".join(f"{cur} {amount:,}" for cur, amount in sorted(totals.items()))
    lines.append(f"Invoices: {count(len(result.invoices), 'customer')}, {count(len(result.lines), 'line')}, from"
                 f" {count(len(plan.reads), 'report')}" + (f" ({money})." if money else "."))
    if result.problems:
        kinds = Counter(p.title for p in result.problems)
        lines.append(f"Problems to review on the Problems sheet: {len(result.problems)} ("
                     + ", ".join(f"{n} {k}" for k, n in kinds.most_common()) + ").")
    else:
        lines.append("No problems found.")
    return clip(lines)


def clip(lines: Sequence[str]) -> str:
    """A message box must fit on the screen: the first lines and a count of the rest."""
    lines = [ln for text in lines for ln in str(text).splitlines() or [""]]
    if len(lines) > MAX_MESSAGE_LINES:
        more = len(lines) - MAX_MESSAGE_LINES + 1
        lines = lines[: MAX_MESSAGE_LINES - 1] + [f"... and {more} more line(s)."]
    return "\n".join(ln if len(ln) <= 400 else ln[:399] + "\u2026" for ln in lines)


# --- the Excel boundary -----------------------------------------------------------------------

def excel_picker(app) -> Picker:
    """Excel's own Open dialog (Application.GetOpenFilename): a path, or None when cancelled."""
    def pick(kind: str) -> str | None:
        file_filter, title = PICKERS[kind]
        chosen = app.api.GetOpenFilename(file_filter, 1, title)
        return str(chosen) if chosen not in (False, None, "", "False") else None
    return pick


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def run_import(book, *, picker: Picker | None = None, now: Callable[[], dt.datetime] | None = None) -> Plan | None:
    """The ribbon action on `book`: pick, plan, write, tell.  Returns the plan
    written, or None (cancelled or refused, with a message box saying why)."""
    from xlbilling.readers import identify

    app = book.app
    pick = picker or excel_picker(app)
    report = pick("report")
    if not report:
        return None                                   # cancelled: nothing to say
    _status(app, f"xlbilling: importing {os.path.basename(report)}...")
    try:
        try:
            state = read_state(book)
            info = identify(report)                   # a wrong file is refused before asking for more
            pricebook = state.pricebook_path or pick("pricebook")
            if not pricebook:
                app.alert("No price book chosen, so nothing was imported: xlbilling needs the price book to price"
                          " the report. Click Import report again and choose it.", title=TITLE)
                return None
            plan = plan_import(state, report, pricebook, now=(now or _utc_now)(), info=info)
        except XlbillingError as exc:
            app.alert(clip([str(exc)]), title=TITLE)
            return None
        except OSError as exc:
            name = exc.filename or report
            app.alert(clip([f"{name}: cannot be read ({exc.strerror or exc}). If it is open in Excel or another"
                            " program, close it and import again. Nothing was imported."]), title=TITLE)
            return None
        notes = _write(book, plan)
    finally:
        _status(app, False)
    app.alert(clip([summary_text(plan), *notes]), title=TITLE)
    return plan


def _write(book, plan: Plan) -> list[str]:
    app = book.app
    try:
        app.screen_updating = False
    except Exception:  # noqa: BLE001  cosmetic only
        pass
    try:
        notes = live.write_images(book, plan.images)
        try:
            book.sheets[L.SUMMARY.name].activate()     # show the result, as the headless file opens
        except Exception:  # noqa: BLE001  cosmetic only
            pass
        return notes
    except Exception as exc:
        app.alert(f"Writing to Excel stopped part-way ({type(exc).__name__}: {exc}). Close this workbook WITHOUT"
                  " saving, reopen it and import again.", title=TITLE)
        raise
    finally:
        try:
            app.screen_updating = True
        except Exception:  # noqa: BLE001
            pass


def _status(app, text) -> None:
    try:
        app.status_bar = text
    except Exception:  # noqa: BLE001  the status bar is a courtesy
        pass


def main() -> None:
    """Called by the add-in's Billing > Import report button (via xlbilling.main()).
    Whatever happens, the user gets a message box, never a Python traceback."""
    import xlwings as xw

    book = xw.Book.caller()
    try:
        run_import(book)
    except Exception as exc:  # noqa: BLE001 - the ribbon's last boundary
        try:
            book.app.alert(clip([f"Import report stopped: {type(exc).__name__}: {exc}. The workbook may be"
                                 " partly written: if so, close it without saving and import again."]), title=TITLE)
        except Exception:  # noqa: BLE001 - Excel itself is gone: nothing left to tell
            pass
