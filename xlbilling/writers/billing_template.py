"""Generate the billing workbook template `workbooks/billing.xlsx` from the
layout description, so the template is reproducible and reviewable:

    python -m xlbilling.writers.billing_template [OUT.xlsx]

The template holds the fixed sheets with titles, headers, named styles,
column widths, frozen header rows, print setup and empty Excel tables; the
writers fill it.  `setup_sheet` is also used by the writer for the per-report
import sheets, so every sheet looks the same.
"""
from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from xlbilling.files.publish import atomic_write
from xlbilling.writers import layout as L

TEMPLATE_PATH = Path(__file__).resolve().parents[2] / "workbooks" / "billing.xlsx"


def template_path() -> Path:
    """The template in a checkout, else the installed copy (xlbilling.workbooks)."""
    if TEMPLATE_PATH.exists():
        return TEMPLATE_PATH
    from importlib.resources import files

    return Path(str(files("xlbilling.workbooks") / "billing.xlsx"))


def named_styles() -> list[NamedStyle]:
    thin = Side(style="thin", color="1F4E78")
    title = NamedStyle(name=L.STYLE_TITLE, font=Font(name=L.FONT, bold=True, size=14, color="1F4E78"))
    header = NamedStyle(
        name=L.STYLE_HEADER, font=Font(name=L.FONT, bold=True, color="FFFFFF"),
        fill=PatternFill("solid", fgColor="1F4E78"),
        alignment=Alignment(wrap_text=True, vertical="center"),
        border=Border(bottom=thin))
    label = NamedStyle(name=L.STYLE_LABEL, font=Font(name=L.FONT, bold=True))
    return [title, header, label]


def ensure_styles(wb) -> None:
    have = set(wb.style_names)
    for style in named_styles():
        if style.name not in have:
            wb.add_named_style(style)


def setup_sheet(ws, title: str, headers, widths, *, month_label: bool = True, landscape: bool = True,
                tab_color: str = "", numeric=()) -> None:
    """Title, month label, header row (row 4), widths, frozen panes, print setup.
    Headers of the `numeric` column numbers are right-aligned over their figures."""
    from xlbilling.writers.cells import set_text

    set_text(ws.cell(row=L.TITLE_ROW, column=1), title).style = L.STYLE_TITLE
    if month_label:
        set_text(ws.cell(row=L.MONTH_ROW, column=1), "Month").style = L.STYLE_LABEL
        ws.cell(row=L.MONTH_ROW, column=2).number_format = L.NUMBER_FORMATS["month"]
    for i, (header, width) in enumerate(zip(headers, widths), start=1):
        cell = set_text(ws.cell(row=L.HEADER_ROW, column=i), header)
        cell.style = L.STYLE_HEADER
        if i in numeric:
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="right")
        ws.column_dimensions[L.column_letter(i)].width = width
    ws.row_dimensions[L.HEADER_ROW].height = 30
    ws.freeze_panes = f"A{L.FIRST_DATA_ROW}"
    if tab_color:
        ws.sheet_properties.tabColor = tab_color
    apply_print_setup(ws, L.PRINT if landscape else replace(L.PRINT, orientation="portrait"))


def set_note(ws, text: str) -> None:
    """A one-line note for the reader in row 3, between the month and the headers."""
    from openpyxl.styles import Font as _Font

    from xlbilling.writers.cells import set_text

    set_text(ws.cell(row=L.NOTE_ROW, column=1), text).font = _Font(name=L.FONT, italic=True, color="595959")


def apply_print_setup(ws, setup: L.PrintSetup) -> None:
    """layout.PrintSetup on one sheet: orientation, paper, fit to width, the header
    row repeated on every page, margins and footer."""
    ws.page_setup.orientation = setup.orientation
    ws.page_setup.paperSize = setup.paper_size
    ws.page_setup.fitToWidth = setup.fit_to_width
    ws.page_setup.fitToHeight = setup.fit_to_height
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = setup.title_rows
    ws.page_margins.left = ws.page_margins.right = setup.margin_side_in
    ws.page_margins.top = ws.page_margins.bottom = setup.margin_top_in
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.oddFooter.left.text = setup.footer_left
    ws.oddFooter.right.text = setup.footer_right


def apply_print_area(ws, layout: L.SheetLayout, data_rows: int) -> None:
    """Print the sheet's table only: columns A to the last printed one (those with
    printed=False stay on screen), from the title down to the rows written plus a
    few for totals below; blocks placed beside the table are left out."""
    n = layout.printed_columns
    if n:
        last_row = L.HEADER_ROW + max(data_rows, 1) + L.PRINT_AREA_SPARE_ROWS
        ws.print_area = f"A1:{L.column_letter(n)}{last_row}"


def add_table(ws, name: str, n_columns: int, last_row: int) -> Table:
    """An Excel table over the header row (already written) and the data rows.
    Its columns are named here from the header cells: left to openpyxl, saving
    would read every cell of the table's range (creating 100,000s of cells on
    an import sheet whose rows are streamed, not held)."""
    ref = f"A{L.HEADER_ROW}:{L.column_letter(n_columns)}{max(last_row, L.FIRST_DATA_ROW)}"
    table = Table(displayName=name, ref=ref, autoFilter=AutoFilter(ref=ref))
    table.tableStyleInfo = TableStyleInfo(name=L.TABLE_STYLE, showRowStripes=True)
    for i in range(1, n_columns + 1):
        header = ws.cell(row=L.HEADER_ROW, column=i).value
        table.tableColumns.append(TableColumn(id=i, name=str(header) if header is not None else f"Column{i}"))
    ws.add_table(table)
    return table


def build_template() -> Workbook:
    wb = Workbook()
    ensure_styles(wb)
    wb.remove(wb.active)
    for sheet in L.SHEETS:
        ws = wb.create_sheet(sheet.name)
        setup_sheet(ws, sheet.title, sheet.headers, [c.width for c in sheet.columns],
                    landscape=sheet.landscape, tab_color=sheet.tab_color,
                    numeric={i for i, c in enumerate(sheet.columns, start=1) if c.kind not in ("text", "date")})
        for i, col in enumerate(sheet.columns, start=1):
            if col.kind not in ("money", "text"):
                ws.cell(row=L.FIRST_DATA_ROW, column=i).number_format = L.NUMBER_FORMATS[col.kind]
        add_table(ws, sheet.table, len(sheet.columns), L.FIRST_DATA_ROW)
        apply_print_area(ws, sheet, 1)
        if sheet is L.IMPORTS and L.IMPORT_SHEETS_HIDDEN:
            set_note(ws, L.IMPORT_SHEETS_NOTE)
    wb.active = 0
    wb.properties.title = "xlbilling monthly billing workbook"
    wb.properties.creator = "xlbilling"
    return wb


def write_template(out: Path = TEMPLATE_PATH) -> Path:
    out = Path(out)
    atomic_write(out, build_template().save)
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = write_template(Path(args[0]) if args else TEMPLATE_PATH)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
