"""The cheap worksheet bound (integrity._SheetBound) against the exact scan
(integrity._SheetScan), on random and hostile sheet XML: the bound is never
below an exact figure, and check_xlsx accepts or refuses exactly as the exact
scan alone does, with the same message.  (Both are pure byte scanners; no
calamine involved: what calamine would allocate is modelled by the figures.)"""
from __future__ import annotations

import io
import random
import zipfile

import pytest

from xlbilling.errors import LimitError
from xlbilling.readers import integrity
from xlbilling.readers.integrity import _BoundNotProven, _SheetBound, _SheetScan


def _column(n: int) -> str:
    letters = ""
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def _cell(rnd: random.Random, row: int, hostile: float) -> str:
    if rnd.random() >= hostile:  # mostly ordinary cells, now and then a hostile one
        ref = f"{_column(rnd.choice([1, 2, 20, 26, 27, 52]))}{row}"
    else:
        col = rnd.choice([703, 16384, 16385, rnd.randrange(1, 20000)])
        ref = f"{_column(col)}{rnd.choice([1, 999999, 1048576, 1048577, rnd.randrange(1, 10**9)])}"
    if rnd.random() < 0.8:
        return f'<c r="{ref}"><v>1</v></c>'
    return rnd.choice([f'<c s="1" r="{ref}" t="n"><v>2</v></c>', "<c><v>3</v></c>", f'<x:c r="{ref}"/>', f'<c\tr="{ref}"/>', f'<c xr="{ref}"/>', f'<c r="{ref.lower()}"/>',
                       f'<c r="{ref}0000000000"/>', '<col min="1" max="3"/>', f"<is><t>note:c r=\"{ref}\"</t></is>"])


def _sheet(rnd: random.Random) -> bytes:
    rows = []
    hostile = rnd.choice([0.0, 0.0, 0.005, 0.03])
    for row in range(1, rnd.randrange(2, 40)):
        r = rnd.choice([f' r="{row}"'] * 8 + ["", f' spans="1:3" r="{rnd.choice([row, 1048577, 2000])}"'])
        tag = "x:row" if rnd.random() < 0.05 else "row"
        rows.append(f"<{tag}{r}>" + "".join(_cell(rnd, row, hostile) for _ in range(rnd.randrange(0, 6))) + f"</{tag}>")
    return ('<worksheet xmlns="m"><sheetData>' + "".join(rows) + "</sheetData></worksheet>").encode()


def _feed(scan, data: bytes, sizes: list[int]) -> None:
    pos = 0
    for size in sizes:
        scan.feed(data[pos:pos + size])
        pos += size
    scan.feed(data[pos:], final=True)


@pytest.mark.parametrize("seed", range(300))
def test_bound_never_below_the_exact_scan_and_same_verdict(seed, monkeypatch):
    rnd = random.Random(seed)
    data = _sheet(rnd)
    # small limits so that random sheets fall on both sides of them
    monkeypatch.setattr(integrity, "MAX_GRID_CELLS", rnd.choice([100, 500, 2000, 20_000_000]))
    sizes = [rnd.randrange(1, 200) for _ in range(rnd.randrange(0, 8))]
    exact, bound = _SheetScan("f", "m"), _SheetBound("f", "m")
    try:
        _feed(exact, data, sizes)
        exact_error = None
    except LimitError as err:
        exact_error = str(err)
    try:
        _feed(bound, data, sizes)
        proven = True
    except _BoundNotProven:
        proven = False
    if proven:
        assert exact_error is None  # a proven bound means the exact scan accepts
        b = bound
        assert b.cells + b.exact.cells >= exact.cells
        assert b.rows + b.exact.rows >= exact.rows
    # and through check_xlsx, which rescans exactly when the bound is not proven
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", data)
    monkeypatch.setattr(integrity, "CHUNK", rnd.choice([7, 64, 1 << 20]))
    ref = _SheetScan("f", "xl/worksheets/sheet1.xml")
    try:
        for i in range(0, len(data), integrity.CHUNK):
            ref.feed(data[i:i + integrity.CHUNK])
        ref.feed(b"", final=True)
        expected = None
    except LimitError as err:
        expected = str(err).replace("f: ", "report.xlsx: ", 1)
    try:
        integrity.check_xlsx(buf.getvalue(), "report.xlsx")
        got = None
    except LimitError as err:
        got = str(err)
    assert got == expected


def test_a_rows_own_r_attribute_counts():
    # <row r="1048577"> with r-less cells: the row number alone is beyond Excel's rows
    scan = _SheetScan("f", "m")
    with pytest.raises(LimitError, match=r"cells reach row 1,048,577, column 1;"):
        scan.feed(b'<sheetData><row spans="1:1" r="1048577"><c><v>1</v></c></row></sheetData>', final=True)
