"""Issue 11: hostile report files end as a clear error naming the file (row,
column, value where there is one) or a correct result - never a hang, a
crash, or fewer rows read in silence.  Every file is built here, small."""
from __future__ import annotations

import gzip
import io
import json
import os
import threading
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from xlbilling.commands.cli import main
from xlbilling.commands.sample_data import sample_path
from xlbilling.errors import LimitError, ReportError, UnrecognisedReportError
from xlbilling.readers import integrity, read_report

ALTARO_HEADER = "Customer,Product,Object Type Backed Up,Object Name,Object Id,Month,Backed Up Size (MB)"


def altaro_rows(n: int, customer: str = "Contoso") -> list[str]:
    return [f"{customer},365 Total Backup,Mailbox,User {i:02d},obj-{i},2026-10,1.5" for i in range(n)]


def users(result) -> dict[str, str]:
    return {r.customer: str(r.quantity) for r in result.records if r.item == "m365_users"}


def _cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


# -- only regular files ---------------------------------------------------------

def test_fifo_is_refused_without_blocking(tmp_path, capsys):
    fifo = tmp_path / "report.csv"
    os.mkfifo(fifo)
    done = threading.Event()
    result = {}

    def run():
        result["out"] = _cli(capsys, "read", str(fifo))
        done.set()
    t = threading.Thread(target=run, daemon=True)
    t.start()
    if not done.wait(10):  # a blocking open would wait for a writer forever
        with open(fifo, "wb"):
            pass
        pytest.fail("reading a FIFO blocked")
    code, out, err = result["out"]
    assert code == 2 and "named pipe (FIFO)" in err and "report.csv" in err


def test_dev_zero_is_refused():
    with pytest.raises(ReportError, match=r"/dev/zero: is a device; only regular files"):
        read_report("/dev/zero")


def test_file_changing_while_read_is_an_error(tmp_path, monkeypatch):
    path = tmp_path / "altaro.csv"
    path.write_text("\n".join([ALTARO_HEADER, *altaro_rows(40)]) + "\n", encoding="utf-8")
    real_read = os.read
    calls = {"n": 0}

    def read_then_append(fd, n):  # modelled: another program appends while we read
        calls["n"] += 1
        data = real_read(fd, n)
        if calls["n"] == 1:
            with open(path, "a", encoding="utf-8") as fh:
                fh.write("\n".join(altaro_rows(5, "Other")) + "\n")
        return data
    monkeypatch.setattr(integrity.os, "read", read_then_append)
    with pytest.raises(ReportError, match="changed while it was being read"):
        read_report(path)


def test_too_large_a_file_is_refused_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "big.csv"
    path.write_text("\n".join([ALTARO_HEADER, *altaro_rows(100)]) + "\n", encoding="utf-8")
    monkeypatch.setattr(integrity, "MAX_REPORT_BYTES", 1000)
    with pytest.raises(LimitError, match=r"big.csv: \d[\d,]* bytes; reports above 1,000 bytes"):
        read_report(path)


# -- bombs, refused while streaming -------------------------------------------------

def test_gzip_bomb_is_refused_after_little_inflation(tmp_path, monkeypatch):
    monkeypatch.setattr(integrity, "RATIO_GRACE_BYTES", 2 << 20)
    body = (ALTARO_HEADER + "\n").encode() + b"\n" * (64 << 20)   # 64 MiB of line breaks, ~65 KB gzipped
    path = tmp_path / "bomb.csv.gz"
    path.write_bytes(gzip.compress(body, 9))
    tracemalloc.start()
    try:
        with pytest.raises(LimitError, match=r"bomb.csv.gz: the gzip content inflates more than 200x"):
            read_report(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20  # stopped a few MiB in, far from the 64 MiB it holds


def test_gzip_total_cap_and_good_gzip(tmp_path, monkeypatch):
    path = tmp_path / "a.csv.gz"
    path.write_bytes(gzip.compress(("\n".join([ALTARO_HEADER, *altaro_rows(3)]) + "\n").encode()))
    assert users(read_report(path)) == {"Contoso": "3"}
    monkeypatch.setattr(integrity, "MAX_INFLATED_BYTES", 100)
    with pytest.raises(LimitError, match="inflates to more than 100 bytes"):
        read_report(path)


def _xlsx_with_sheet_xml(tmp_path: Path, extra_cells: str) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(ALTARO_HEADER.split(","))
    ws.append(altaro_rows(1)[0].split(","))
    src = tmp_path / "src.xlsx"
    wb.save(src)
    out = tmp_path / "report.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", extra_cells.encode() + b"</sheetData>")
            zout.writestr(item, data)
    return out


def test_xlsx_with_a_cell_at_xfd1048576_is_refused_before_calamine(tmp_path):
    # calamine fills the used area densely: 1,048,576 x 16,384 cells would abort the process
    path = _xlsx_with_sheet_xml(tmp_path, '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    with pytest.raises(LimitError, match=r"report.xlsx: worksheet sheet1.xml: the used area is 1,048,576 rows x"
                                         r" 16,384 columns"):
        read_report(path)


@pytest.mark.parametrize("cell", ['<row r="99999"><c r="ZZ99999"><v>1</v></c></row>',      # 99,999 x 702 cells
                                  '<row r="2"><c r="A5000000"><v>1</v></c></row>'])       # a row ref beyond Excel's
def test_xlsx_sparse_far_cells_are_refused(tmp_path, cell):
    path = _xlsx_with_sheet_xml(tmp_path, cell)
    with pytest.raises(LimitError, match=r"report.xlsx: worksheet sheet1.xml: (the used area|cells reach)"):
        read_report(path)


def test_xlsx_zip_bomb_refused_from_declared_sizes(tmp_path):
    path = _xlsx_with_sheet_xml(tmp_path, "")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/bomb.bin", b"\0" * (60 << 20))  # 60 MiB of zeros: ~60 KB packed, ratio ~1000
    with pytest.raises(LimitError, match=r"report.xlsx: the .xlsx (\(zip\)|member 'xl/media/bomb.bin') inflates more than 200x"):
        read_report(path)


def test_damaged_xlsx_member_is_named(tmp_path):
    path = _xlsx_with_sheet_xml(tmp_path, "")
    data = bytearray(path.read_bytes())
    at = data.find(b"xl/worksheets/sheet1.xml") + 60  # inside the member's compressed bytes
    data[at:at + 8] = b"\xff" * 8
    path.write_bytes(bytes(data))
    with pytest.raises(UnrecognisedReportError, match=r"report.xlsx: .*(damaged|cannot be opened)"):
        read_report(path)


# -- nesting and spans ----------------------------------------------------------------

def test_deeply_nested_json_is_a_clear_error(tmp_path, capsys):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    code, _, err = _cli(capsys, "read", str(path))
    assert code == 2 and "deep.json: JSON nested deeper than xlbilling reads" in err


def test_nested_json_cell_is_bounded(tmp_path):
    path = tmp_path / "rows.json"
    cell = "[" * 40 + "]" * 40
    path.write_text(f'[{{"Customer": "A", "Object Name": "u", "Object Type Backed Up": "Mailbox", "x": {cell}}}]',
                    encoding="utf-8")
    with pytest.raises(LimitError, match=r"rows.json: row 2 \(object 1\): a JSON value nested more than 32"):
        read_report(path)


def test_html_colspan_bomb_is_refused(tmp_path, capsys):
    path = tmp_path / "report.xls"
    path.write_text('<html><table><tr><td colspan="2000000000">x</td></tr></table></html>', encoding="utf-8")
    code, _, err = _cli(capsys, "read", str(path))
    assert code == 2 and "report.xls: HTML table row 1: colspan='2000000000'; at most 1000" in err
    path.write_text('<table><tr><td rowspan="99999999">x</td></tr></table>', encoding="utf-8")
    code, _, err = _cli(capsys, "read", str(path))
    assert code == 2 and "rowspan" in err


# -- files that lose rows ---------------------------------------------------------------

def test_unterminated_quote_is_an_error_not_two_users_of_49(tmp_path, capsys):
    rows = altaro_rows(49)
    rows[1] = rows[1].replace("User 01", '"User 01')  # one stray quote
    path = tmp_path / "altaro.csv"
    path.write_text("\n".join([ALTARO_HEADER, *rows]) + "\n", encoding="utf-8")
    code, out, err = _cli(capsys, "read", str(path), "--format", "csv")
    assert code == 2 and out == ""
    assert "altaro.csv, row 3 (line 3): a quote" in err and "never closed" in err


def test_two_stray_quotes_swallowing_rows_are_an_error(tmp_path):
    rows = altaro_rows(10)
    rows[2] = rows[2].replace("User 02", '"User 02')
    rows[6] = rows[6].replace("User 06", 'User 06"')
    path = tmp_path / "altaro.csv"
    path.write_text("\n".join([ALTARO_HEADER, *rows]) + "\n", encoding="utf-8")
    with pytest.raises(ReportError, match=r"row 4 \(line 4\): a quote"):
        read_report(path)


def test_a_quoted_cell_with_a_line_break_is_still_read(tmp_path):
    rows = altaro_rows(3)
    rows[1] = rows[1].replace("User 01", '"User\n01"')
    path = tmp_path / "altaro.csv"
    path.write_text("\n".join([ALTARO_HEADER, *rows]) + "\n", encoding="utf-8")
    assert users(read_report(path)) == {"Contoso": "3"}


def test_last_row_cut_short_is_an_error_unless_accepted(tmp_path, capsys):
    src = (Path(__file__).parent / "data" / "adversarial" / "bff_customer_bom.csv").read_bytes()
    full = src.rstrip(b"\r\n")
    last = full.rfind(b"\n")
    cut = full[: last + 1 + full[last + 1:].index(b",2200.4") + 3]   # LocalUncompressedDiskGB 2200.4 cut to 22
    path = tmp_path / "bff.csv"
    path.write_bytes(cut)
    code, out, err = _cli(capsys, "read", str(path), "--format", "csv")
    assert code == 2 and out == "" and "bff.csv, row" in err and "the file looks cut short" in err
    code, out, err = _cli(capsys, "read", str(path), "--format", "csv", "--accept-short-last-row")
    assert code == 0 and "last row cut short" in err and "--accept-short-last-row" in err


def test_a_complete_file_without_final_line_break_is_fine(tmp_path):
    path = tmp_path / "altaro.csv"
    path.write_text("\n".join([ALTARO_HEADER, *altaro_rows(4)]), encoding="utf-8")
    assert users(read_report(path)) == {"Contoso": "4"}


# -- encodings, delimiters, our own workbooks ------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_read(tmp_path, encoding):
    path = tmp_path / "altaro.csv"
    path.write_bytes(("\n".join([ALTARO_HEADER, *altaro_rows(3, "Müller AG")]) + "\n").encode(encoding))
    assert users(read_report(path)) == {"Müller AG": "3"}


def test_delimiter_is_the_one_whose_header_a_reader_knows(tmp_path):
    rows = [r.replace("User", '"User;x;y;z;w') .replace(",obj", '",obj') for r in altaro_rows(3)]
    path = tmp_path / "altaro.csv"
    path.write_text("\n".join([ALTARO_HEADER, *rows]) + "\n", encoding="utf-8")
    assert users(read_report(path)) == {"Contoso": "3"}


def test_previous_billing_workbook_is_refused_as_ours(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Summary"
    for name in ("Invoice lines", "Reconciliation", "Problems", "Imports"):
        wb.create_sheet(name)
    ws = wb.create_sheet("Import 1 acronis")
    ws.append(["tenant_id", "tenant_name", "usage_name", "edition", "value"])
    path = tmp_path / "billing-2026-09.xlsx"
    wb.save(path)
    with pytest.raises(UnrecognisedReportError, match="billing-2026-09.xlsx: this is an xlbilling billing workbook"):
        read_report(path)


def test_price_book_given_as_report_is_named():
    with pytest.raises(UnrecognisedReportError, match="this is an xlbilling price book"):
        read_report(sample_path("pricebook_sample.xlsx"))


def test_formula_like_names_warning_says_how_many_more(tmp_path):
    names = [f"=cmd{i}" for i in range(8)]
    rows = [f"{n},365 Total Backup,Mailbox,u,obj,2026-10,1" for n in names]
    path = tmp_path / "altaro.csv"
    path.write_text("\n".join([ALTARO_HEADER, *rows]) + "\n", encoding="utf-8")
    warning = next(w for w in read_report(path).warnings if "formula" in w)
    assert warning.endswith("and 3 more")  # 8 names, 5 listed


def test_fifo_as_price_book_is_refused(tmp_path, capsys):
    fifo = tmp_path / "pb.xlsx"
    os.mkfifo(fifo)
    code, _, err = _cli(capsys, "pricebook", "check", str(fifo))
    assert code == 2 and "pb.xlsx" in err and "not a regular file" in err


def test_unit_price_formula_without_saved_value_names_the_cell(tmp_path):
    from xlbilling.errors import PriceBookError
    from xlbilling.pricing.pricebook import load_pricebook
    from xlbilling.writers.pricebook_template import build_workbook

    wb = build_workbook(customers=[("Acme", "USD", None, None)],
                        rates=[("altaro", "m365_users", None, None, "user", 1, None, None, None, None, None,
                                None, None)])
    wb["Rates"]["F2"] = "=3.5*1.2"   # a formula cell; openpyxl stores no result, as a non-calculating tool would
    assert wb["Rates"]["F2"].data_type == "f"
    path = tmp_path / "pb.xlsx"
    wb.save(path)
    with pytest.raises(PriceBookError, match=r"sheet 'Rates', cell F2: a formula \(=3.5\*1.2\) without a saved"
                                             r" result"):
        load_pricebook(path)


def test_price_book_xml_refusal_says_why(tmp_path):
    from xlbilling.errors import PriceBookError
    from xlbilling.pricing.pricebook import load_pricebook

    src = sample_path("pricebook_sample.xlsx")
    out = tmp_path / "lol.xlsx"
    dtd = b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "xl/workbook.xml":
                data = dtd + (data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data)
            zout.writestr(item, data)
    with pytest.raises(PriceBookError) as err:
        load_pricebook(out)
    assert "declares entities or a DTD" in str(err.value) and "see the exception" not in str(err.value)
