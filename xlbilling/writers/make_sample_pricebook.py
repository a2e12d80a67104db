"""Write the demo price book xlbilling/samples/pricebook_sample.xlsx, mapping
every account of the sample reports in xlbilling/samples/ with realistic rates:

    python -m xlbilling.writers.make_sample_pricebook [--out PATH]

What it shows: Axcient BFF per-customer basis; x360Recover tiers, storage
licenses by size and the pool overage; Acronis list prices repriced by margin
(Northwind, discount 0.2 + margin 0.3) and markup (Wide World, 0.25); one
customer invoiced in EUR and one in JPY through exchange rates; one minimum
commitment above usage (fee line) and one below it; Hornetsecurity's stated
EUR prices converted to USD.  The partner's own Acronis tenant is left
unmapped on purpose, so the Problems sheet has an unmapped account to show."""
from __future__ import annotations

import argparse
from pathlib import Path

from xlbilling.writers.pricebook_template import write_pricebook

SAMPLE_PATH = Path(__file__).resolve().parents[1] / "samples" / "pricebook_sample.xlsx"

NW, CO, TT, FL, WW = ("Northwind Dental", "Contoso Legal LLP", "Tailspin Toys", "Fabrikam Logistics",
                      "Wide World Importers")

CUSTOMERS = [
    # Customer, Invoice currency, Axcient BFF basis, Notes
    (NW, "USD", None, "Acronis via distributor: discount 20% + margin 30%; Acronis commitment USD 150"),
    (CO, "JPY", "compressed", "invoiced in JPY; Axcient BFF billed compressed"),
    (TT, "USD", None, None),
    (FL, "USD", "account", "Axcient BFF basis per account (CanViewCompressed)"),
    (WW, "EUR", None, "invoiced in EUR; Acronis markup 25%; Acronis commitment EUR 1500"),
]

ACCOUNTS = [
    # Vendor, Account, Vendor customer label, Customer, Reviewed, Cancelled on, Notes
    ("axcient-bff", "10421", NW, NW, "yes", None, None),
    ("axcient-bff", "20001", NW, NW, "yes", None, "Raw Account Data parent"),
    ("axcient-bff", "10422", CO, CO, "yes", None, None),
    ("axcient-bff", "10423", FL, FL, "yes", None, None),
    ("axcient-bff", "10424", TT, TT, "yes", None, "deleted in the portal"),
    ("axcient-bff", "20010", TT, TT, "yes", None, None),
    ("axcient-bff", "10425", WW, WW, "yes", None, "expired trial"),
    ("axcient-bff", "10426", WW, WW, "yes", None, None),
    ("x360recover", "3001", NW, NW, "yes", None, None),
    ("x360recover", "3002", CO, CO, "yes", None, None),
    ("x360recover", "3003", FL, FL, "yes", None, None),
    ("x360recover", "Fabrikam Logistics", FL, FL, "yes", None, "license table location"),
    ("acronis", "8f1c2a8e-4d6b-4b6e-9a51-0c1d2e3f4a01", NW, NW, "yes", None, None),
    ("acronis", "2b7d9e10-5c3a-4f2b-8e61-1a2b3c4d5e02", WW, WW, "yes", None, None),
    ("acronis", "Northwind Dental", NW, NW, "yes", None, "distributor usage-record export"),
    ("acronis", "Wide World Importers", WW, WW, "yes", None, "distributor usage-record export"),
    ("acronis", "c0ffee00-1111-4222-8333-944455556603", "Our MSP (partner)", None, "no", None,
     "our own tenant: deliberately unmapped (shows on the Problems sheet)"),
    ("altaro", CO, CO, CO, "yes", None, None),
    ("altaro", FL, FL, FL, "yes", None, None),
    ("altaro", TT, TT, TT, "yes", None, None),
    ("hornetsecurity", "HS-1001", "HS-1001", WW, "yes", None, "Hornetsecurity customer reference"),
    ("hornetsecurity", "HS-1002", "HS-1002", NW, "yes", None, "Hornetsecurity customer reference"),
    ("hornetsecurity", "HS-1003", "HS-1003", TT, "yes", None, "Hornetsecurity customer reference"),
]

# Vendor, Item, Tier, Customer, Unit, Unit price, Currency, Vendor cost per unit, Pricing rule, Rule rate,
# Distributor discount, Description, Item code
RATES = [
    ("axcient-bff", "online_gb", None, None, "GB", "0.25", "USD", "0.10", None, None, None,
     "Axcient cloud backup storage", "AX-BFF-GB"),
    ("axcient-bff", "local_gb", None, None, "GB", "0.05", "USD", "0.02", None, None, None,
     "Axcient local backup storage", "AX-BFF-LGB"),
    ("axcient-bff", "local_servers", None, None, "device", "15", "USD", "8", None, None, None,
     "Axcient local backup, server", "AX-BFF-LSRV"),
    ("axcient-bff", "local_workstations", None, None, "device", "5", "USD", "2.5", None, None, None,
     "Axcient local backup, workstation", "AX-BFF-LWS"),
    ("axcient-bff", "archive_mailboxes", None, None, "mailbox", "3", "USD", "1.5", None, None, None,
     "Axcient email archiving, mailbox", "AX-BFF-ARC"),
    ("x360recover", "endpoint_server", "bundled", None, "device", "55", "USD", "35", None, None, None,
     "x360Recover server (cloud bundled)", "X360-SRV"),
    ("x360recover", "endpoint_server", "self-hosted", None, "device", "40", "USD", "25", None, None, None,
     "x360Recover server (self-hosted)", "X360-SRV-SH"),
    ("x360recover", "endpoint_server", "cloud-only", None, "device", "45", "USD", "30", None, None, None,
     "x360Recover server (cloud-only copy)", "X360-SRV-CO"),
    ("x360recover", "endpoint_workstation", "bundled", None, "device", "12", "USD", "7", None, None, None,
     "x360Recover workstation (cloud bundled)", "X360-WS"),
    ("x360recover", "endpoint_workstation", "self-hosted", None, "device", "8", "USD", "5", None, None, None,
     "x360Recover workstation (self-hosted)", "X360-WS-SH"),
    ("x360recover", "endpoint_workstation", "cloud-only", None, "device", "10", "USD", "6", None, None, None,
     "x360Recover workstation (cloud-only copy)", "X360-WS-CO"),
    ("x360recover", "d2c_server", None, None, "device", "65", "USD", "40", None, None, None,
     "x360Recover Direct-to-Cloud server", "X360-D2C-SRV"),
    ("x360recover", "d2c_workstation", None, None, "device", "15", "USD", "9", None, None, None,
     "x360Recover Direct-to-Cloud workstation", "X360-D2C-WS"),
    ("x360recover", "cloud_gb", None, None, "GB", "0.03", "USD", "0.015", None, None, None,
     "x360Recover cloud storage above the pooled allowance", "X360-OVER"),
    ("x360recover", "storage_license:1TB", None, None, "license", "110", "USD", "75", None, None, None,
     "x360Recover storage license 1 TB", "X360-STO"),
    ("x360recover", "storage_license:2TB", None, None, "license", "190", "USD", "130", None, None, None,
     "x360Recover storage license 2 TB", "X360-STO"),
    ("x360recover", "storage_license:4TB", None, None, "license", "340", "USD", "240", None, None, None,
     "x360Recover storage license 4 TB", "X360-STO"),
    # Acronis list (sell) prices for csv_v2_0 quantities; repriced per customer below
    ("acronis", "pw_base_storage", None, None, "GB", "0.09", "USD", None, None, None, None,
     "Acronis Cyber Protect backup storage", "ACR-STO"),
    ("acronis", "pw_base_workstations", None, None, "workstation", "3", "USD", None, None, None, None,
     "Acronis Cyber Protect workstation", "ACR-WS"),
    ("acronis", "pw_base_servers", None, None, "server", "25", "USD", None, None, None, None,
     "Acronis Cyber Protect server", "ACR-SRV"),
    ("acronis", "pw_base_vms", None, None, "vm", "12", "USD", None, None, None, None,
     "Acronis Cyber Protect virtual machine", "ACR-VM"),
    ("acronis", "pw_base_m365_seats", None, None, "seat", "1.2", "USD", None, None, None, None,
     "Acronis Microsoft 365 seat", "ACR-M365"),
    ("acronis", "dr_compute_points", None, None, "point", "1.5", "USD", None, None, None, None,
     "Acronis disaster recovery compute points", "ACR-DR"),
    # seeds/001 price lists: every Acronis item of the customer repriced from the sell price
    ("acronis", "*", None, NW, None, None, "USD", None, "margin", "0.3", "0.2",
     None, None),
    ("acronis", "*", None, WW, None, None, "USD", None, "markup", "0.25", "0.2",
     None, None),
    ("altaro", "m365_users", None, None, "user", "3.5", "USD", "1.8", None, None, None,
     "Microsoft 365 backup, per user", "ALT-M365"),
    # Hornetsecurity priced-license CSV states EUR customer prices: they stand (no rule); costs given;
    # no Description, so invoices show the report's product name
    ("hornetsecurity", "365TB", None, None, "license", None, "EUR", "1.40", None, None, None,
     None, "HS-365TB"),
    ("hornetsecurity", "365TP", None, None, "license", None, "EUR", "1.30", None, None, None,
     None, "HS-365TP"),
    ("hornetsecurity", "Archiving Add-on", None, None, "license", None, "EUR", "0.50", None, None, None,
     None, "HS-ARC"),
]

EXCHANGE_RATES = [("USD", "EUR", "0.92345"), ("USD", "JPY", "151.23456"), ("EUR", "USD", "1.0829")]

COMMITMENTS = [
    (NW, "acronis", "150", "USD"),     # below Northwind's Acronis usage: no fee
    (WW, "acronis", "1500", "EUR"),    # above Wide World's Acronis usage: a fee line makes it up
]


def _dec(rows):
    from decimal import Decimal

    def conv(v, col):
        return Decimal(v) if isinstance(v, str) and col in NUMERIC else v
    return [tuple(conv(v, i) for i, v in enumerate(r)) for r in rows]


NUMERIC = {5, 7, 9, 10}  # Rates: Unit price, Vendor cost per unit, Rule rate, Distributor discount


def write_sample(out: str | Path = SAMPLE_PATH, force: bool = True) -> Path:
    from decimal import Decimal

    return write_pricebook(
        out, force=force, protect_templates=False,
        settings={"Pool overage allocation": "pro-rata", "Invoice number prefix": "INV-",
                  "Xero TaxType": "Tax Exempt", "Pool overage price per GB": Decimal("0.03"),
                  "Pool overage cost per GB": Decimal("0.015")},
        customers=CUSTOMERS, accounts=ACCOUNTS, rates=_dec(RATES),
        exchange_rates=[(f, t, Decimal(r)) for f, t, r in EXCHANGE_RATES],
        commitments=[(c, v, Decimal(a), cur) for c, v, a, cur in COMMITMENTS])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(SAMPLE_PATH))
    args = parser.parse_args(argv)
    print(f"wrote {write_sample(args.out)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
