"""Bad reports: each error names file, row, column, value and what was expected;
all bad cells of a file in one list; nothing half-imported."""
from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from xlbilling.errors import BadCellsError, MissingColumnsError, ReportError, UnrecognisedReportError
from xlbilling.readers import read_report

ROOT = Path(__file__).resolve().parents[1]
from xlbilling.commands.sample_data import SAMPLES_DIR as SAMPLES, sample_path  # noqa: E402,F401
ADV = ROOT / "tests" / "data" / "adversarial"


def test_all_bad_cells_of_a_file_in_one_error():
    with pytest.raises(BadCellsError) as info:
        read_report(ADV / "acronis_bad_cells.csv")
    problems = info.value.problems
    assert [(p.row, p.column, p.value) for p in problems] == [
        (4, "usage.absolute.total", "twelve"),
        (5, "usage.absolute.total", "-3"),
        (9, "usage.absolute.total", "55 seats"),
    ]
    assert all(p.file == "acronis_bad_cells.csv" and p.sheet is None for p in problems)
    text = str(info.value)
    assert "3 bad cell(s) in acronis_bad_cells.csv; nothing was imported" in text
    assert "row 9, column 'usage.absolute.total': found '55 seats', expected a number >= 0" in text


def test_bad_cells_in_a_workbook_name_the_sheet_and_the_header_as_spelled(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Usage Records"
    ws.append(["meter name", "QUANTITY", "Unit", "Estimated Cost", "Customer"])
    ws.append(["Backup storage, SKU-1", "n/a", "GB", 1, "Tailspin Toys"])
    ws.append(["Server, SKU-2", 2, "", "abc", "Tailspin Toys"])
    ws.append(["Server, SKU-2", None, "", 3, "Tailspin Toys"])
    p = tmp_path / "records.xlsx"
    wb.save(p)
    with pytest.raises(BadCellsError) as info:
        read_report(p)
    got = [(x.sheet, x.row, x.column, x.value) for x in info.value.problems]
    assert got == [("Usage Records", 2, "QUANTITY", "n/a"), ("Usage Records", 3, "Estimated Cost", "abc"),
                   ("Usage Records", 4, "QUANTITY", "")]
    assert "blank" in info.value.problems[2].expected


def test_missing_column_with_close_match_suggested():
    with pytest.raises(MissingColumnsError) as info:
        read_report(ADV / "altaro_misspelled.csv")
    msg = str(info.value)
    assert "'Object Name'" in msg and "found 'Object Nme'" in msg and "header row 1" in msg
    assert "required column is missing: 'Object Name'" in msg          # one column: singular


def test_missing_required_columns_listed_by_name(tmp_path):
    p = tmp_path / "acronis.csv"
    p.write_text("name,tenant.id,tenant.kind,usage.absolute.total,usage.delta.total\r\n"
                 "pw_base_servers,t1,customer,1,0\r\n", encoding="utf-8")
    with pytest.raises(MissingColumnsError) as info:
        read_report(p)
    msg = str(info.value)
    assert "Acronis usage report csv_v2_0" in msg
    assert "'usage.absolute.production'" in msg and "'usage.delta.production'" in msg
    assert "required columns are missing: " in msg


def test_another_vendors_file_is_unrecognised_with_its_header_shown():
    with pytest.raises(UnrecognisedReportError) as info:
        read_report(ADV / "veeam_vcsp_usage.csv")
    msg = str(info.value)
    assert "'Rental License Type'" in msg          # what the header looked like
    assert "Axcient Backup for Files Raw Customer Data" in msg and "Hornetsecurity" in msg  # what was tried


@pytest.mark.parametrize("name, words", [
    ("empty.csv", "empty"),
    ("truncated.xlsx", "truncated"),
    ("acronis_truncated.csv.gz", "truncated"),
])
def test_damaged_files(name, words):
    with pytest.raises(UnrecognisedReportError) as info:
        read_report(ADV / name)
    assert name in str(info.value) and words in str(info.value)


def test_gzipped_file_of_another_type_is_sniffed_again(tmp_path):
    data = (sample_path("altaro_itemised_2026-10.json")).read_bytes()
    p = tmp_path / "report.bin"
    p.write_bytes(gzip.compress(data))
    r = read_report(p)
    assert r.file_type == "json.gz" and len(r.records) == 3


def test_license_table_needs_the_month():
    with pytest.raises(ReportError) as info:
        read_report(sample_path("x360recover_licenses.xlsx"))
    assert "--month" in str(info.value)


def test_license_rows_with_bad_dates_and_types(tmp_path):
    p = tmp_path / "lic.csv"
    p.write_text("location,license_type,first_day,last_day\r\n"
                 "Tailspin Toys,endpoint-server,2026-10-05,2026-10-01\r\n"
                 "Tailspin Toys,endpoint-desktop,2026-10-01,\r\n"
                 "Tailspin Toys,storage,31/31/2026,\r\n", encoding="utf-8")
    with pytest.raises(BadCellsError) as info:
        read_report(p, month=__import__("datetime").date(2026, 10, 1))
    got = [(x.row, x.column, x.value) for x in info.value.problems]
    assert got == [(2, "last_day", "2026-10-01"), (3, "license_type", "endpoint-desktop"),
                   (4, "first_day", "31/31/2026")]


def test_formula_like_customer_kept_as_text_with_a_warning():
    r = read_report(ADV / "altaro_hyperlink.csv")
    assert r.records[0].customer == '=HYPERLINK("http://x","y")'
    assert r.records[0].quantity == 2   # Ann Lee (x3 spellings) + Bob Stone
    assert any("formula" in w for w in r.warnings)
    assert [p.kind for p in r.problems if "formula" in p.message] == ["reader_warning"]


def test_raw_account_data_without_parent_column_is_refused(tmp_path):
    src = (sample_path("axcient_bff_raw_account_data_2026-10.xlsx"))
    import openpyxl

    wb = openpyxl.load_workbook(src)
    ws = wb.active
    ws.delete_cols(2)  # ParentAccountNo
    p = tmp_path / "acc.xlsx"
    wb.save(p)
    with pytest.raises(MissingColumnsError) as info:
        read_report(p)
    assert "WithSub" in str(info.value) and "ParentAccountNo" in str(info.value)


def test_sub_account_with_unknown_parent_is_a_bad_cell(tmp_path):
    import openpyxl

    wb = openpyxl.load_workbook(sample_path("axcient_bff_raw_account_data_2026-10.xlsx"))
    ws = wb.active
    ws.cell(row=3, column=2, value=99999)
    p = tmp_path / "acc.xlsx"
    wb.save(p)
    with pytest.raises(BadCellsError) as info:
        read_report(p)
    (problem,) = info.value.problems
    assert (problem.row, problem.column, problem.value) == (3, "ParentAccountNo", "99999")


def test_bad_flags_and_numbers_in_axcient_are_all_reported(tmp_path):
    text = (ADV / "bff_customer_bom.csv").read_text(encoding="utf-8-sig").splitlines()
    header = text[0].split(",")
    row2 = text[1].split(",")
    row3 = text[2].split(",")
    row2[header.index("IsDel")] = "maybe"
    row3[header.index("UncompressedDiskGB")] = "12.5.1"
    row3[header.index("BillableMailboxes")] = "2.5"
    p = tmp_path / "bff.csv"
    p.write_text("\r\n".join([text[0], ",".join(row2), ",".join(row3)] + text[3:]) + "\r\n", encoding="utf-8")
    with pytest.raises(BadCellsError) as info:
        read_report(p)
    got = [(x.row, x.column, x.value) for x in info.value.problems]
    assert got == [(2, "IsDel", "maybe"), (3, "UncompressedDiskGB", "12.5.1"), (3, "BillableMailboxes", "2.5")]


def test_a_report_changed_before_its_import_sheet_is_built_is_refused(tmp_path):
    """The Acronis reader loads only the columns it bills from; the import sheet's
    other columns come from reading the file again, which must be the same bytes."""
    from xlbilling.errors import ReportError
    from xlbilling.readers import read_report

    header = ("application.id,edition,name,tenant.id,tenant.kind,tenant.name,usage.absolute.production,"
              "usage.absolute.total,usage.delta.production,usage.delta.total\n")
    path = tmp_path / "usage.csv"
    path.write_text(header + "app,standard,pw_base_workstations,t1,customer,Cust,3,3,3,3\n")
    result = read_report(path)
    assert [(r.account, r.quantity) for r in result.records] == [("t1", 3)]
    # every matched column of the import sheet, application.id included (read again)
    assert result.rows[0][:3] == ("app", "standard", "pw_base_workstations")
    changed = read_report(path)
    path.write_text(header + "app,standard,pw_base_workstations,t1,customer,Cust,4,4,4,4\n")
    with pytest.raises(ReportError, match="changed after it was read"):
        changed.rows[0]


def test_withsub_column_without_its_plain_column_reads_like_the_plain_one_missing(tmp_path):
    """ProvisionedMailboxes is optional (not billed); a Raw Account Data file
    carrying only its WithSub roll-up used to end in an internal KeyError.
    The roll-up of a column the file does not have is not checked, and the
    records are those of the same file without either column."""
    import openpyxl

    def without(*names):
        wb = openpyxl.load_workbook(sample_path("axcient_bff_raw_account_data_2026-10.xlsx"))
        ws = wb.active
        for name in names:
            header = [c.value for c in ws[1]]
            ws.delete_cols(header.index(name) + 1)
        (tmp_path / str(len(names))).mkdir()
        p = tmp_path / str(len(names)) / "acc.xlsx"   # one name: records carry it
        wb.save(p)
        return read_report(p)

    only_rollup = without("ProvisionedMailboxes")
    neither = without("ProvisionedMailboxes", "ProvisionedMailboxesWithSub")
    assert only_rollup.records and only_rollup.records == neither.records
    assert only_rollup.skipped == neither.skipped
