"""writers/stream.RowWriter: the import sheets' bulk path (`values`, one call
per row) writes exactly the cells `value` writes one call per cell, for the
strings that take the slow paths (control characters, tabs, new lines,
leading/trailing spaces, a no-break space, markup, Excel's length limit) and
for numbers, dates, non-finite Decimals and cells already in the row."""
import datetime as dt
import io
from decimal import Decimal

from xlbilling.writers.cells import MAX_CELL_CHARS
from xlbilling.writers.stream import RowWriter, style_keys

STYLES = {key: str(i) for i, key in enumerate(style_keys())}

ROWS = [
    ("plain", " lead", "trail ", "\ttab", "new\nline", "bell\x07", "nbsp\u00a0", "a<b>&c", "", None, "emoji \U0001F600"),
    (Decimal("1.25"), Decimal("-0"), Decimal("1E+3"), Decimal("NaN"), Decimal("Infinity"), 7, 2.5, True,
     dt.date(2026, 10, 31), dt.datetime(2026, 10, 31, 12, 30)),
    ("x" * (MAX_CELL_CHARS + 5), "=SUM(A1)", "'quoted", "\r", " ", "é"),
]


def _xml(fill) -> str:
    sink = io.BytesIO()
    w = RowWriter(sink, STYLES)
    fill(w)
    w.close()
    return sink.getvalue().decode("utf-8")


def test_values_writes_what_value_writes_cell_by_cell():
    def bulk(w):
        for r, row in enumerate(ROWS, start=5):
            w.values(r, row)

    def one_by_one(w):
        for r, row in enumerate(ROWS, start=5):
            for c, v in enumerate(row, start=1):
                w.value(r, c, v)

    got, want = _xml(bulk), _xml(one_by_one)
    assert got == want
    assert 'xml:space="preserve">trail </t>' in got and "bell\ufffd" in got and "a&lt;b&gt;&amp;c" in got


def test_values_after_cells_already_in_the_row_keeps_column_order():
    def mixed(w):
        w.text(5, 3, "first")
        w.values(5, ("a", "b", "c", "d"))

    xml = _xml(mixed)
    refs = [part.split('"')[0] for part in xml.split('<c r="')[1:]]
    assert refs == ["A5", "B5", "C5", "D5"] and "<t>c</t>" in xml and "first" not in xml
