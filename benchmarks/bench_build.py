"""`xlbilling build` for 50, 500 and 5,000 customers across all vendors: time
per phase, peak memory, cost per customer and its growth.

    python benchmarks/bench_build.py                 # 50, 500, 5000 customers
    python benchmarks/bench_build.py --sizes 50 500  # quicker
    python benchmarks/bench_build.py --keep DIR      # keep the generated reports and workbooks

For each size it writes synthetic vendor reports (Axcient BFF raw customer
data, x360Recover devices and storage licenses, Acronis csv_v2_0 usage,
Altaro itemised billing, Hornetsecurity priced licenses: all CSV, shaped like
tests/data/make_samples.py) and a matching price book (the sample price book's
rates, every account mapped), then runs the real build in a fresh Python
process (so peak RSS is that build's own): load the price book, read the
reports, price the month, write the workbook.

Baseline: the 50-customer run's cost per customer.  Growth is linear when the
cost per customer stays flat as the size grows (ratio ~1.0); the target is
5,000 customers in under 60 s on the shared 2-core machine.  Prints figures
only; nothing here is a test.
"""
from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MONTH = "2026-10"
GiB = 1024 ** 3
TARGET_S = 60.0

BFF_COLUMNS = ["AccountNo", "AccountName", "InternalDescription", "SPlan", "IsDel", "IsExpired",
               "CanViewCompressed", "UncompressedDiskGB", "CompressedDiskGB", "BillableDiskGB",
               "LocalBackupIsBillable", "LocalBillableNumServers", "LocalBillableNumNonServers", "LocalNumServers",
               "LocalNumNonServers", "LocalUncompressedDiskGB", "LocalCompressedDiskGB", "LocalBillableDiskGB",
               "ProvisionedMailboxes", "BillableMailboxes"]
X360_COLUMNS = ["client_id", "client_name", "id", "name", "type", "os", "d2c", "vault_types", "on_appliance",
                "local_usage", "cloud_usage", "vault_usage", "tier"]
LIC_COLUMNS = ["location", "client_id", "license_type", "size", "retention", "first_day", "last_day"]
ACR_COLUMNS = ["application.id", "edition", "infra.backend_type", "infra.id", "infra.owner_id", "name",
               "tenant.id", "tenant.kind", "tenant.name", "usage.absolute.production", "usage.absolute.total",
               "usage.absolute.trial", "usage.delta.production", "usage.delta.total", "usage.delta.trial",
               "usage.effective.production", "usage.effective.total", "usage.effective.trial", "sku"]
ALT_COLUMNS = ["Customer", "Product", "Object Type Backed Up", "Object Name", "Object Id", "Month",
               "Backed Up Size (MB)"]
HS_COLUMNS = ["Customer Reference Number", "Product Code", "Currency", "Product", "Licenses Count",
              "Customer Price Per License", "Customer Total", "Date From", "Date To"]
BACKUP = "6e6d758d-8e74-3ae3-ac84-50eb0dff12eb"
MSP = "c0ffee00-1111-4222-8333-944455556603"


def _csv(columns, rows, delimiter=",") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(columns)
    w.writerows(rows)
    return buf.getvalue()


def customer_name(i: int) -> str:
    return f"Customer {i:05d} Ltd"


def generate(n: int, folder: Path) -> tuple[list[Path], Path]:
    """Reports for `n` customers (every vendor) and a price book mapping them all."""
    from xlbilling.pricing.make_sample_pricebook import EXCHANGE_RATES, RATES, _dec
    from xlbilling.pricing.pricebook_template import write_pricebook

    folder.mkdir(parents=True, exist_ok=True)
    bff, x360, lic, acr, alt, hs = [], [], [], [], [], []
    customers, accounts = [], []
    for i in range(1, n + 1):
        name = customer_name(i)
        currency = ("USD", "USD", "USD", "EUR", "JPY")[i % 5]
        customers.append((name, currency, None, None))
        acct, client, tenant, ref = 100000 + i, 500000 + i, f"{i:08d}-0000-4000-8000-000000000000", f"HS-{i:05d}"
        accounts += [("axcient-bff", str(acct), name, name, "yes", None, None),
                     ("x360recover", str(client), name, name, "yes", None, None),
                     ("acronis", tenant, name, name, "yes", None, None),
                     ("altaro", name, name, name, "yes", None, None),
                     ("altaro", ref, ref, name, "yes", None, None)]
        if i % 10 == 0:
            accounts.append(("x360recover", f"{name} site", name, name, "yes", None, None))
        unc, comp = 100 + (i * 7.25) % 900, 50 + (i * 3.5) % 400
        bff.append([acct, f"acct-{i}", name, "Select", 0, 0, i % 2, unc, comp, unc, 1, i % 3, i % 4, i % 3, i % 4,
                    unc / 2, comp / 2, unc / 2, i % 20, i % 20])
        x360 += [[client, name, f"d-{i}-1", f"SRV-{i}", "SERVER", "Windows Server 2022", 0, "Cloud", 1,
                  10 ** 12, (i % 9 + 1) * 10 ** 11, (i % 9 + 1) * 10 ** 11, "bundled"],
                 [client, name, f"d-{i}-2", f"WS-{i}", "WORKSTATION", "Windows 11 Pro", 0, "Cloud", 1,
                  10 ** 11, (i % 5 + 1) * 10 ** 10, (i % 5 + 1) * 10 ** 10, "bundled"],
                 [client, name, f"d-{i}-3", f"WS-{i}-b", "WORKSTATION", "Windows 11 Pro", 0, "Private", 1,
                  10 ** 11, 0, 10 ** 11, "self-hosted"]]
        if i % 10 == 0:
            lic.append([f"{name} site", "", "storage", "2TB", "3 years", "2026-10-06", ""])
        for item, qty in (("pw_base_storage", (i % 50 + 1) * GiB), ("pw_base_workstations", i % 12 + 1),
                          ("pw_base_servers", i % 3 + 1)):
            acr.append([BACKUP, "standard", "azure", "infra-eu2-01", MSP, item, tenant, "customer", name,
                        qty, qty, 0, 0, 0, 0, qty, qty, 0, ""])
        for u in range(8):
            alt.append([name, "365 Total Backup", ("Mailbox", "OneDrive", "User Teams Chats", "N/A")[u % 4],
                        f"User {u // 2} of {i}", f"obj-{i}-{u}", MONTH, "12.5"])
        hs.append([ref, "365TB", "EUR", "365 Total Backup", str(i % 30 + 1), "2,10",
                   f"{(i % 30 + 1) * 2.1:.2f}".replace(".", ","), "01.10.2026", "31.10.2026"])
    files = {
        "axcient_bff_raw_customer_data.csv": _csv(BFF_COLUMNS, bff),
        "x360recover_devices.csv": _csv(X360_COLUMNS, x360),
        "x360recover_licenses.csv": _csv(LIC_COLUMNS, lic),
        "altaro_itemised.csv": _csv(ALT_COLUMNS, alt),
        "hornetsecurity_licenses.csv": _csv(HS_COLUMNS, hs, delimiter=";"),
    }
    paths = []
    for fname, text in files.items():
        (folder / fname).write_text(text, encoding="utf-8", newline="")
        paths.append(folder / fname)
    (folder / "acronis_usage.csv.gz").write_bytes(gzip.compress(_csv(ACR_COLUMNS, acr).encode("utf-8"), mtime=0))
    paths.append(folder / "acronis_usage.csv.gz")
    pricebook = folder / "pricebook.xlsx"
    write_pricebook(pricebook, force=True, protect_templates=False,
                    settings={"Pool overage allocation": "pro-rata", "Pool overage price per GB": Decimal("0.03"),
                              "Pool overage cost per GB": Decimal("0.015")},
                    customers=customers, accounts=accounts, rates=_dec([r for r in RATES if r[3] is None]),
                    exchange_rates=[(f, t, Decimal(r)) for f, t, r in EXCHANGE_RATES], commitments=[])
    return paths, pricebook


def run_one(n: int, folder: Path) -> dict:
    """One build in this process; phases timed, peak RSS of this process."""
    from xlbilling.core.rules.x360recover import parse_month
    from xlbilling.pricing.engine import price_month
    from xlbilling.pricing.pricebook import load_pricebook
    from xlbilling.pricing.run import read_reports
    from xlbilling.writers.xlsx import write_billing_workbook

    t0 = time.perf_counter()
    reports, pb_path = generate(n, folder)
    t_gen = time.perf_counter() - t0
    month = parse_month(MONTH)
    out = folder / "billing.xlsx"
    t = time.perf_counter()
    pb = load_pricebook(pb_path)
    t_pb = time.perf_counter() - t
    t = time.perf_counter()
    reads = read_reports(reports, pb, month)
    t_read = time.perf_counter() - t
    t = time.perf_counter()
    result = price_month(reads, pb, month)
    t_price = time.perf_counter() - t
    t = time.perf_counter()
    facts = write_billing_workbook(out, reads, result, inputs=[*reports, pb_path], force=True)
    t_write = time.perf_counter() - t
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"customers": n, "invoices": len(result.invoices), "lines": len(result.lines),
            "import_rows": sum(len(r.rows) for r in reads), "problems": len(result.problems),
            "generate_s": t_gen, "pricebook_s": t_pb, "read_s": t_read, "price_s": t_price, "write_s": t_write,
            "build_s": t_pb + t_read + t_price + t_write, "peak_mib": peak_kib / 1024,
            "workbook_mib": out.stat().st_size / 2 ** 20, "udf_cells": facts["amount_cells"]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[50, 500, 5000])
    ap.add_argument("--keep", metavar="DIR", help="keep generated files here")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--dir", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one, Path(args.dir))))
        return 0
    print(f"xlbilling build benchmark: python {platform.python_version()}, {os.cpu_count()} cores,"
          f" {platform.machine()}")
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="xlb-bench-"))
    results = []
    for n in args.sizes:
        proc = subprocess.run([sys.executable, __file__, "--one", str(n), "--dir", str(base / f"n{n}")],
                              capture_output=True, text=True)
        if proc.returncode:
            print(proc.stderr, file=sys.stderr)
            return proc.returncode
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    baseline = results[0]["build_s"] / results[0]["customers"]
    print(f"{'customers':>9} {'lines':>7} {'rows':>7} {'book':>6} {'read':>6} {'price':>6} {'write':>6}"
          f" {'build s':>8} {'ms/cust':>8} {'x base':>7} {'peak MiB':>9} {'xlsx MiB':>8}")
    for r in results:
        per = r["build_s"] / r["customers"]
        print(f"{r['customers']:>9,} {r['lines']:>7,} {r['import_rows']:>7,} {r['pricebook_s']:>6.2f}"
              f" {r['read_s']:>6.2f} {r['price_s']:>6.2f} {r['write_s']:>6.2f} {r['build_s']:>8.2f}"
              f" {per * 1000:>8.2f} {per / baseline:>7.2f} {r['peak_mib']:>9.0f} {r['workbook_mib']:>8.1f}")
    print(f"baseline: the {results[0]['customers']}-customer run, {baseline * 1000:.2f} ms per customer;"
          " 'x base' near 1.0 at every size = linear growth")
    big = max(results, key=lambda r: r["customers"])
    verdict = "meets" if big["build_s"] < TARGET_S else "MISSES"
    print(f"{big['customers']:,} customers: {big['build_s']:.1f} s ({verdict} the {TARGET_S:.0f} s target);"
          " report generation not counted")
    if not args.keep:
        import shutil

        shutil.rmtree(base, ignore_errors=True)
    else:
        print(f"files kept in {base}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
