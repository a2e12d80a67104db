"""The live writer's pure parts (writers/live.py): what each rendered cell is
sent to Excel as, number-format blocks, sheet images, and the ribbon's
message and month rules (ribbon.py) - no Excel, no double needed."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from xlbilling.excel import ribbon
from xlbilling.errors import XlbillingError
from xlbilling.writers import live
from xlwings_double import Cell, excel_store

RISKY_TEXT = ['=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "-5", "+1", "-x", "+A1", "@SUM(A1)",
              "00123", "1e5", " 12 ", "TRUE", "false", "#N/A", "2026-10-01", "'quoted", "''", "plain text"]


def cell(value, number_format="General"):
    ws = Workbook().active
    c = ws["B3"]
    c.value = value
    c.number_format = number_format
    return c


@pytest.mark.parametrize("text", RISKY_TEXT)
def test_text_goes_with_the_text_prefix_and_arrives_verbatim(text):
    sent = live.excel_value(_text_cell(text))                 # how the writers put strings
    assert sent == "'" + text
    assert excel_store(sent) == Cell("s", text)


def test_without_the_prefix_excel_would_change_them():
    """The double converts unprefixed text as Excel does, so the tests above can fail."""
    changed = [t for t in RISKY_TEXT if excel_store(t) != Cell("s", t)]
    assert set(changed) == set(RISKY_TEXT) - {"plain text"}


def _text_cell(text):
    from xlbilling.writers.cells import set_text

    return set_text(Workbook().active["A1"], text)


def test_cell_values_sent_to_excel():
    assert live.excel_value(cell(None)) is None
    assert live.excel_value(_text_cell("")) is None
    assert live.excel_value(cell("=SUM(A1:A3)")) == "=SUM(A1:A3)"          # openpyxl formula cell
    assert type(live.excel_value(cell("=SUM(A1:A3)"))) is str
    assert live.excel_value(cell(Decimal("12.345"))) == 12.345 and \
        type(live.excel_value(cell(Decimal("12.345")))) is float           # via money.to_excel, never Decimal
    assert live.excel_value(cell(dt.date(2026, 10, 1))) == dt.datetime(2026, 10, 1)
    assert type(live.excel_value(cell(dt.date(2026, 10, 1)))) is dt.datetime
    assert live.excel_value(cell(dt.datetime(2026, 11, 5, 9, 30))) == dt.datetime(2026, 11, 5, 9, 30)
    assert live.excel_value(cell(True)) is True
    assert live.excel_value(cell(7)) == 7 and live.excel_value(cell(0.1)) == 0.1


def test_format_runs_are_blocks_over_non_empty_cells():
    ws = Workbook().active
    for r, (amount, fmt) in enumerate([(1, "#,##0.00"), (2, "#,##0.00"), (None, None), (4, "#,##0.00"),
                                       (5, "#,##0"), ("x", "General")], start=5):
        for col in (4, 5):                      # two columns with the same formats: one block
            c = ws.cell(row=r, column=col, value=amount)
            if fmt:
                c.number_format = fmt
    ws.cell(row=2, column=2, value=dt.date(2026, 10, 1)).number_format = "mmmm yyyy"
    runs = live.format_runs(ws)
    assert runs == (
        live.FormatRun(1, 1, 10, 5, "General"),                # the whole grid first
        live.FormatRun(2, 2, 2, 2, "mmmm yyyy"),
        live.FormatRun(5, 4, 8, 5, "#,##0.00"),                # row 7 is empty: it does not split the run
        live.FormatRun(9, 4, 9, 5, "#,##0"),
    )


def test_rendered_images_hold_only_values_xlwings_sends_safely(tmp_path):
    from xlbilling.pricing.run import run_month
    from xlbilling.writers.xlsx import write_billing_workbook

    from xlbilling.commands.sample_data import MONTH_DIR, SAMPLE_PRICEBOOK

    reports = [MONTH_DIR / "axcient_bff_raw_customer_data_2026-10.xls", MONTH_DIR / "acronis_usage_2026-10.csv.gz"]
    reads, result = run_month([str(p) for p in reports], str(SAMPLE_PRICEBOOK), dt.date(2026, 10, 1))
    now = dt.datetime(2026, 11, 5, 9, 30, tzinfo=dt.timezone.utc)
    images = live.render_images(reads, result, imported_at=now)
    out = tmp_path / "b.xlsx"
    write_billing_workbook(out, reads, result, imported_at=now)
    from openpyxl import load_workbook

    assert [i.name for i in images] == load_workbook(out).sheetnames
    formulas = 0
    for image in images:
        widths = {len(row) for row in image.grid}
        assert len(widths) == 1, "a rectangular grid: one Range.value call"
        for row in image.grid:
            for v in row:
                assert v is None or type(v) in (str, float, int, bool, dt.datetime), (image.name, v)
                if isinstance(v, str):
                    assert v[0] in "'=", (image.name, v)      # text prefixed, or one of our formulas
                    formulas += v[0] == "="
    assert formulas > 10


def test_billing_month_from_the_cell_or_the_month_before_today():
    today = dt.date(2026, 1, 15)
    assert ribbon.billing_month(None, today) == (dt.date(2025, 12, 1), False)
    assert ribbon.billing_month("", today) == (dt.date(2025, 12, 1), False)
    assert ribbon.billing_month(dt.datetime(2026, 10, 1), today) == (dt.date(2026, 10, 1), True)
    assert ribbon.billing_month(dt.datetime(2026, 10, 17), today) == (dt.date(2026, 10, 1), True)
    assert ribbon.billing_month(46296.0, today) == (dt.date(2026, 10, 1), True)   # an unformatted serial
    with pytest.raises(XlbillingError, match=r"Summary!B2.*'soon'.*nothing was imported"):
        ribbon.billing_month("soon", today)


def test_long_messages_are_clipped_to_fit_the_screen():
    text = ribbon.clip([f"line {i}" for i in range(100)])
    lines = text.splitlines()
    assert len(lines) == ribbon.MAX_MESSAGE_LINES
    assert lines[-1] == f"... and {100 - ribbon.MAX_MESSAGE_LINES + 1} more line(s)."
    assert ribbon.clip(["x" * 1000]).endswith("\u2026") and len(ribbon.clip(["x" * 1000])) == 400


def test_settings_image_keeps_paths_as_text():
    image = ribbon.settings_image("/data/pb.xlsx", [("=C:\\odd\\r.csv", "ab" * 32, "Import 1 altaro")])
    assert image.name == ribbon.SETTINGS_SHEET
    assert image.grid[1] == ("'Price book", "'/data/pb.xlsx", None)
    assert image.grid[4] == ("'=C:\\odd\\r.csv", "'" + "ab" * 32, "'Import 1 altaro")
    assert excel_store(image.grid[4][0]) == Cell("s", "=C:\\odd\\r.csv")
