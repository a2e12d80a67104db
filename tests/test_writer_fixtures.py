"""A small hand-checked month for the writer tests, shaped exactly like the
readers' ReadResult and pricing's PricingResult (the real dataclasses), with
hostile vendor strings.  Expected figures are computed by hand in comments.

No tests here: imported by tests/test_writer*.py and tests/test_libreoffice*.py.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal as Dec

from xlbilling.core.records import InvoiceLine, Source
from xlbilling.core.rules import acronis, x360recover
from xlbilling.pricing.model import Invoice, PricingResult, Problem, ReconRow
from xlbilling.readers.reader import ReadResult, SkippedRow

MONTH = dt.date(2026, 10, 1)          # 31 days
HOSTILE = '=HYPERLINK("http://x","y")'  # a customer name that must stay text
DDE = "=cmd|' /C calc'!A0"

SRC_BFF = Source("000_bff.csv", None, (2,))
SRC_ACR = Source("001_acronis.csv", None, (2, 3))


def _line(customer, vendor, item, qty, price, amount, currency, *, unit="unit", cost=None, fx=None,
          working="", kind="usage", sources=(SRC_BFF,)):
    return InvoiceLine(customer=customer, vendor=vendor, item=item, description=f"{item} for {customer}",
                       quantity=Dec(qty), unit=unit, unit_price=Dec(price), amount=Dec(amount), currency=currency,
                       sources=tuple(sources), working=working or f"{qty} x {price} = {amount}", kind=kind,
                       cost_amount=None if cost is None else Dec(cost), fx_rate=None if fx is None else Dec(fx))


def expected_lines():
    """(customer, item, amount, UDF in the Amount cell or '')"""
    return [
        ("Acme Ltd", "pw_base_storage", Dec("23.45"), ""),
        ("Acme Ltd", "minimum_commitment_fee", Dec("76.55"), "COMMITMENT_FEE"),
        ("Acme Ltd", "online_gb", Dec("18.52"), ""),
        ("Acme Ltd", "endpoint_server", Dec("135.00"), "ENDPOINT_CHARGE"),
        ("Acme Ltd", "endpoint_workstation", Dec("87.50"), "ENDPOINT_CHARGE"),
        ("Acme Ltd", "storage_license", Dec("141.94"), "PRORATED_STORAGE"),
        (HOSTILE, "m365_users", Dec("16.67"), ""),
        ("Tokyo KK", "pw_base_servers", Dec("3704"), "ENDPOINT_CHARGE"),
        ("Tokyo KK", "pw_base_workstations", Dec("3204"), "ENDPOINT_CHARGE"),
    ]


# Invoice totals, by hand:
#   Acme: 23.45 + 76.55 + 18.52 + 135.00 + 87.50 + 141.94 = 482.96 USD
#   hostile: 16.67 EUR;  Tokyo: 3704 + 3204 = 6908 JPY
EXPECTED_TOTALS = {("Acme Ltd", "USD"): Dec("482.96"), (HOSTILE, "EUR"): Dec("16.67"),
                   ("Tokyo KK", "JPY"): Dec("6908")}


def sample_result() -> PricingResult:
    acme = []
    # 10 GB x 2.345 = 23.45
    storage = _line("Acme Ltd", "acronis", "pw_base_storage", "10", "2.345", "23.45", "USD", unit="GB",
                    cost="15.00", sources=(SRC_ACR,))
    # commitment 100 - usage 23.45 = 76.55 (the rule adds the fee line)
    acme += acronis.apply_commitment([storage], Dec(100), customer="Acme Ltd", currency="USD")
    # 123.456 GB x 0.15 = 18.5184 -> 18.52
    acme.append(_line("Acme Ltd", "axcient-bff", "online_gb", "123.456", "0.15", "18.52", "USD", unit="GB",
                      cost="9.26"))
    # 3 x 45 = 135.00; 7 x 12.50 = 87.50
    acme.append(_line("Acme Ltd", "x360recover", "endpoint_server", "3", "45", "135.00", "USD", unit="license",
                      cost="90"))
    acme.append(_line("Acme Ltd", "x360recover", "endpoint_workstation", "7", "12.50", "87.50", "USD",
                      unit="license", cost="56"))
    # storage license 200/month, 2026-10-10..31 = 22 days: 200 x 22 / 31 = 141.9354... -> 141.94
    pr = x360recover.prorated_storage(Dec(200), dt.date(2026, 10, 10), dt.date(2026, 10, 31), MONTH, "USD")
    assert pr.value == Dec("141.94")
    acme.append(_line("Acme Ltd", "x360recover", "storage_license", "1", str(Dec(200) * 22 / 31), "141.94", "USD",
                      unit="license", working=f"prorated: {pr.working}"))
    # 5 users x 3.333 = 16.665 -> 16.67 (half away from zero)
    hostile = [_line(HOSTILE, "altaro", "m365_users", "5", "3.333", "16.67", "EUR", unit="user", cost="10.00")]
    # 3 x 1234.5 = 3703.5 -> 3704 JPY (0 decimals)
    tokyo = [_line("Tokyo KK", "acronis", "pw_base_servers", "3", "1234.5", "3704", "JPY", unit="device",
                   cost="3000", sources=(SRC_ACR,)),
             # USD 10.005 x 2 = 20.01 x rate 160.12345 = 3204.0702345 -> 3204 JPY; unit price converted
             _line("Tokyo KK", "acronis", "pw_base_workstations", "2", str(Dec("10.005") * Dec("160.12345")),
                   "3204", "JPY", unit="device", cost="2000", fx="160.12345", sources=(SRC_ACR,))]
    invoices = (
        Invoice("Acme Ltd", "USD", tuple(acme), sum((ln.amount for ln in acme), Dec(0)), "INV-2026-10-001"),
        Invoice(HOSTILE, "EUR", tuple(hostile), Dec("16.67"), "INV-2026-10-002"),
        Invoice("Tokyo KK", "JPY", tuple(tokyo), Dec("6908"), "INV-2026-10-003", Dec("160.12345"), "USD"),
    )
    lines = tuple(ln for inv in invoices for ln in inv.lines)
    recon = (
        # billed 23.45 + 76.55 = 100.00; cost 15.00; margin 85.00 = 85%
        ReconRow("Acme Ltd", "acronis", "USD", Dec("15.00"), Dec("100.00"), Dec("85.00"), Dec("0.85")),
        ReconRow("Acme Ltd", "axcient-bff", "USD", Dec("9.26"), Dec("18.52"), Dec("9.26"), Dec("0.5")),
        # billed 135 + 87.50 + 141.94 = 364.44; cost 90 + 56 = 146; margin 218.44
        ReconRow("Acme Ltd", "x360recover", "USD", Dec("146.00"), Dec("364.44"), Dec("218.44"),
                 Dec("218.44") / Dec("364.44"), 1),
        ReconRow(HOSTILE, "altaro", "EUR", Dec("10.00"), Dec("16.67"), Dec("6.67"), Dec("6.67") / Dec("16.67")),
        # 3704 + 3204 = 6908; cost 5000; margin 1908
        ReconRow("Tokyo KK", "acronis", "JPY", Dec("5000"), Dec("6908"), Dec("1908"), Dec("1908") / Dec("6908")),
    )
    problems = (
        Problem("unmapped_account", "axcient-bff", DDE, "", f"account {DDE!r} is not mapped to a customer",
                "000_bff.csv row 3"),
        Problem("no_rate", "altaro", "acc-9", "Tokyo KK", "no unit price for m365_users", "003.csv rows 2-4"),
        Problem("deleted_with_usage", "axcient-bff", "ACC-DEL", "Acme Ltd", "deleted account still carries 5 GB",
                "000_bff.csv row 4"),
        Problem("billed_nothing", "", "", "Idle Co", "customer 'Idle Co' is billed nothing", ""),
    )
    return PricingResult(month=MONTH, lines=lines, invoices=invoices, problems=problems, reconciliation=recon)


def sample_reads() -> tuple[ReadResult, ...]:
    bff = ReadResult(
        file="000_bff.csv", sha256="a" * 64, vendor="axcient-bff", report_type="raw-customer-data",
        records=(), rows_read=3,
        skipped=(SkippedRow(Source("000_bff.csv", None, (4,)), "ACC-DEL", "Acme Ltd", "deleted (IsDel = 1)",
                            {"uncompressed_gb": Dec(5)}),),
        warnings=("1 blank cell read as 0",),
        columns=("AccountNo", "InternalDescription", "UncompressedDiskGB", "IsDel", "Note", "Note"),
        rows=(("ACC-1", "Acme Ltd", Dec("123.456"), 0, "#N/A", None),
              (DDE, HOSTILE, Dec("0.5"), 0, "@SUM(1+1)", "+1"),
              ("ACC-DEL", "Acme Ltd", Dec(5), 1, "", dt.date(2026, 10, 3))))
    acr = ReadResult(
        file="001_acronis.csv", sha256="b" * 64, vendor="acronis", report_type="usage-csv-v2",
        records=(), rows_read=2, columns=("tenant.id", "name", "usage.absolute.total"),
        rows=(("t-1", "pw_base_storage", Dec(10737418240)), ("t-2", "pw_base_servers", Dec(3))))
    return (bff, acr)
