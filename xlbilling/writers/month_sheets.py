"""Month control in the billing workbook (openpyxl): the Changes sheet (against
the last closed month or last month's workbook), the Accounts sheet (vendor
accounts with usage, so next month's review can find vanished ones), and the
Summary's at-a-glance block: closed or not, problems by kind, usage not
invoiced, changes against last month.  Layout: writers/layout.py."""
from __future__ import annotations

from collections import Counter

from xlbilling.core.money import minor_units
from xlbilling.pricing.vendors import vendor_label
from xlbilling.writers import layout as L
from xlbilling.writers.billing_template import add_table, setup_sheet
from xlbilling.writers.cells import set_text


def _money_format(currency: str) -> str:
    try:
        return L.money_format(minor_units(currency))
    except Exception:   # an unknown currency code still shows 2 decimals
        return L.money_format(2)


def _new_sheet(wb, layout: L.SheetLayout, before: str | None, month):
    """The sheet's skeleton (title, month, headers, table); its rows are streamed."""
    index = wb.sheetnames.index(before) if before in wb.sheetnames else len(wb.sheetnames)
    ws = wb.create_sheet(layout.name, index)
    setup_sheet(ws, layout.title, layout.headers, [c.width for c in layout.columns], tab_color=layout.tab_color,
                numeric={i for i, c in enumerate(layout.columns, 1) if c.kind not in ("text", "date")})
    cell = ws.cell(row=L.MONTH_ROW, column=2)
    cell.value = month
    cell.number_format = L.NUMBER_FORMATS["month"]
    add_table(ws, layout.table, len(layout.columns), L.FIRST_DATA_ROW)
    return ws


def _put(out, r: int, c: int, value, fmt: str | None = None) -> None:
    """One cell through the streaming RowWriter: text stays text, Decimal a number."""
    if value is None or value == "":
        return
    if isinstance(value, str):
        out.text(r, c, value)
    else:
        out.number(r, c, value, fmt)


def fill_changes(out, status) -> None:
    S = L.CHANGES
    fmt = L.NUMBER_FORMATS
    rows = list(status.changes)
    for i, ch in enumerate(rows):
        r = L.FIRST_DATA_ROW + i
        money = _money_format(ch.currency) if ch.currency else L.money_format(2)
        values = {"change": ch.change, "customer": ch.customer, "vendor": vendor_label(ch.vendor), "item": ch.item,
                  "account": ch.account, "currency": ch.currency, "quantity_then": ch.quantity_then,
                  "quantity_now": ch.quantity_now, "price_then": ch.price_then, "price_now": ch.price_now,
                  "amount_then": ch.amount_then, "amount_now": ch.amount_now, "difference": ch.difference,
                  "percent": ch.percent, "over_threshold": "yes" if ch.over_threshold else "", "note": ch.note}
        for j, col in enumerate(S.columns, 1):
            kind = col.kind
            _put(out, r, j, values[col.key], money if kind == "money" else fmt.get(kind) if kind != "text" else None)
    if not rows:
        out.text(L.FIRST_DATA_ROW, S.index("note"),
                 "No changes." if status.previous is not None else status.previous_note)


def fill_accounts(out, figures) -> None:
    for i, a in enumerate(sorted(figures.accounts, key=lambda a: (a.vendor, a.account))):
        r = L.FIRST_DATA_ROW + i
        for j, value in enumerate((vendor_label(a.vendor), a.account, a.label, a.customer, "yes" if a.customer else "no"), 1):
            _put(out, r, j, value)


def status_lines(status, result) -> list[tuple[str, str]]:
    """(label, value) rows of the Summary's month control block."""
    from xlbilling.core.review import summary_of, totals_by_currency

    problems = Counter(p.title for p in result.problems)
    blocking = [p for p in result.problems if p.blocking]
    rows = [("Month", status.state), ("Invoice numbers", status.numbers)]
    if status.ledger:
        rows.append(("Ledger", status.ledger))
    rows.append(("Problems", f"{len(result.problems)}" + (": " + ", ".join(f"{k} {n}" for k, n in
                                                                          sorted(problems.items()))
                                                           if problems else "")))
    if blocking:
        kinds = Counter(p.title for p in blocking)
        rows.append(("Usage NOT invoiced", f"{len(blocking)} problem(s): "
                     + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())) + " (sheet Problems)"))
    else:
        rows.append(("Usage not invoiced", "none: every record with usage is on an invoice"))
    if status.previous is None:
        rows.append(("Changes vs last month", status.previous_note))
    else:
        counts = summary_of(status.changes)
        over = sum(1 for c in status.changes if c.over_threshold)
        then, now = totals_by_currency(status.previous), totals_by_currency(status.figures) if status.figures else {}
        money = "; ".join(f"{c} {then.get(c, 0):,} / {now.get(c, 0):,}" for c in sorted({*then, *now}))
        rows.append(("Changes vs last month", f"{len(status.changes)} change(s), {over} over the threshold"
                     + (": " + ", ".join(f"{k} {n}" for k, n in sorted(counts.items())) if counts else "")
                     + " (sheet Changes)"))
        rows.append(("Invoices then / now", f"{len(status.previous.invoices)} / {len(result.invoices)};"
                                            f" totals then / now: {money or 'none'}"))
        rows.append(("Compared with", status.previous.source))
    return rows


def status_line(status, result) -> str:
    """The month at a glance, for Summary!A3."""
    blocking = sum(1 for p in result.problems if p.blocking)
    over = sum(1 for c in status.changes if c.over_threshold)
    return (f"{status.state.split(';')[0].split(':')[0]} · {len(result.problems)} problem(s)"
            + (f", {blocking} leave usage NOT invoiced" if blocking else "")
            + (f" · {len(status.changes)} change(s) vs {status.previous.month:%Y-%m}, {over} over threshold"
               if status.previous is not None else ""))


class _WithBlock:
    """The Summary's RowWriter with the month control block (columns K-L) woven
    into the customer rows: the block's cells for a row go out just before the
    table writes that row, so rows still come in order."""

    def __init__(self, out, cells: list[tuple[int, int, str, bool]]):
        self._out = out
        self._pending = sorted(cells)

    def flush(self, upto: int | None = None) -> None:
        while self._pending and (upto is None or self._pending[0][0] <= upto):
            r, c, text, label = self._pending.pop(0)
            (self._out.label if label else self._out.text)(r, c, text)

    def __getattr__(self, name):
        method = getattr(self._out, name)
        if name not in ("text", "label", "number", "date", "formula", "value", "values"):
            return method

        def call(row, *args, **kw):
            self.flush(row)
            return method(row, *args, **kw)

        return call


def add_month_sheets(wb, contents: list, status, result) -> list:
    """Month control in the streamed workbook: the Changes and Accounts sheets
    (skeletons before the import sheets, rows streamed like the others) and
    the Summary's block.  Returns the contents with them added."""
    from xlbilling.writers.xlsx import Content

    first_import = next((n for n in wb.sheetnames if n.startswith(L.IMPORT_SHEET_PREFIX)), None)
    _new_sheet(wb, L.CHANGES, first_import, result.month)
    _new_sheet(wb, L.ACCOUNTS, first_import, result.month)
    set_text(wb[L.CHANGES.name].cell(row=3, column=1), status.previous_note)
    summary = wb[L.SUMMARY.name]
    set_text(summary[L.STATUS_CELL], status_line(status, result)).style = L.STYLE_LABEL
    col = L.STATUS_COLUMN
    set_text(summary.cell(row=L.HEADER_ROW, column=col), "Month control").style = L.STYLE_HEADER
    set_text(summary.cell(row=L.HEADER_ROW, column=col + 1), "").style = L.STYLE_HEADER
    summary.column_dimensions[L.column_letter(col)].width = 24
    summary.column_dimensions[L.column_letter(col + 1)].width = 80
    cells = []
    for i, (label, value) in enumerate(status_lines(status, result), start=L.FIRST_DATA_ROW):
        cells += [(i, col, label, True), (i, col + 1, value, False)]
    out = []
    for content in contents:
        if content.layout is L.SUMMARY:
            fill = content.fill

            def woven(writer, fill=fill):
                proxy = _WithBlock(writer, cells)
                fill(proxy)
                proxy.flush()

            content = Content(content.layout, content.rows, woven)
        out.append(content)
    figures = status.figures
    out.append(Content(L.CHANGES, len(status.changes), lambda w: fill_changes(w, status)))
    out.append(Content(L.ACCOUNTS, len(figures.accounts) if figures else 0,
                       lambda w: fill_accounts(w, figures) if figures else None))
    return out


__all__ = ["add_month_sheets", "status_lines", "status_line"]
