"""`xlbilling build` for 500, 5,000 and 20,000 customers across all vendors:
time per phase, CPU time, peak memory, cost per customer and its growth, and
the writer beside a named baseline doing the same writing in the same run.

    python benchmarks/bench_build.py                      # 500, 5000, 20000 customers
    python benchmarks/bench_build.py --sizes 50 500       # quicker
    python benchmarks/bench_build.py --baseline-sizes 500  # baseline at 500 only
    python benchmarks/bench_build.py --keep DIR           # keep the generated reports and workbooks

For each size it writes synthetic vendor reports (Axcient BFF raw customer
data, x360Recover devices and storage licenses, Acronis csv_v2_0 usage,
Altaro itemised billing, Hornetsecurity priced licenses: all CSV, shaped like
tests/data/make_samples.py) and a matching price book (the sample price book's
rates, every account mapped) in one process, then runs the real build in a
fresh process (so peak RSS is that build's own): load the price book, read the
reports, price the month, month control (provisional invoice numbers: no
ledger), write the workbook with its Changes and Accounts sheets (the import
sheets' rows are built there, streamed a chunk at a time), as `xlbilling build`
does.

Growth: the first size's CPU time per customer is the reference; 'x first' near
1.0 at every size means time per customer stays flat ('added ms/cust', the CPU
time per customer added between two sizes, leaves the fixed costs out).  Targets: 20,000
customers in under 30 s and under 1 GiB peak.

Baseline (`--baseline-sizes`, default the sizes up to 5,000): in another fresh
process, the same month written by openpyxl's own streaming mode
(`Workbook(write_only=True)`) with the same sheets and the same cell values
(less month control's Changes and Accounts sheets), but values only (no formulas, no styles, no tables): what the plainest openpyxl
write of these cells costs.  The machine is shared (2 cores, several other
jobs), so CPU seconds are printed beside wall seconds.  Prints figures only;
nothing here is a test.
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
TARGET_S = 30.0
TARGET_PEAK_MIB = 1024

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
    from xlbilling.writers.make_sample_pricebook import EXCHANGE_RATES, RATES, _dec
    from xlbilling.writers.pricebook_template import write_pricebook

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


def _month(folder: Path, *, control: bool = False):
    """Load, read and price the month; with `control`, month control as `xlbilling build` runs it
    (no ledger beside the price book: provisional numbers, nothing to compare with)."""
    from xlbilling.core.rules.x360recover import parse_month
    from xlbilling.ledger.month_control import control_month
    from xlbilling.pricing.engine import price_month
    from xlbilling.pricing.pricebook import load_pricebook
    from xlbilling.pricing.run import read_reports

    reports = sorted(p for p in folder.iterdir() if p.name != "pricebook.xlsx" and not p.name.startswith("billing"))
    pb_path = folder / "pricebook.xlsx"
    month = parse_month(MONTH)
    times = {}
    t, c = time.perf_counter(), time.process_time()
    pb = load_pricebook(pb_path)
    times["pricebook"] = time.perf_counter() - t
    t = time.perf_counter()
    reads = read_reports(reports, pb, month)
    # The import sheets' rows are built while writing, a sheet at a time, as in `xlbilling build`.
    times["read"] = time.perf_counter() - t
    t = time.perf_counter()
    result = price_month(reads, pb, month)
    times["price"] = time.perf_counter() - t
    t, status = time.perf_counter(), None
    if control:
        result, status, _ = control_month(reads, result, pb, month)
    times["control"] = time.perf_counter() - t
    times["cpu_before_write"] = time.process_time() - c
    return reports, pb_path, reads, result, times, status


def run_one(n: int, folder: Path) -> dict:
    """One build in this process (reports already generated); phases timed, peak RSS."""
    from xlbilling.writers.xlsx import write_billing_workbook

    reports, pb_path, reads, result, times, status = _month(folder, control=True)
    out = folder / "billing.xlsx"
    peak_before_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t, c = time.perf_counter(), time.process_time()
    facts = write_billing_workbook(out, reads, result, inputs=[*reports, pb_path], force=True, month_status=status)
    t_write, c_write = time.perf_counter() - t, time.process_time() - c
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"customers": n, "invoices": len(result.invoices), "lines": len(result.lines),
            "import_rows": sum(len(r.rows) for r in reads), "problems": len(result.problems),
            "pricebook_s": times["pricebook"], "read_s": times["read"], "price_s": times["price"],
            "control_s": times["control"], "write_s": t_write, "write_cpu_s": c_write,
            "build_s": times["pricebook"] + times["read"] + times["price"] + times["control"] + t_write,
            "build_cpu_s": times["cpu_before_write"] + c_write, "peak_mib": peak_kib / 1024,
            "peak_before_write_mib": peak_before_kib / 1024,
            "workbook_mib": out.stat().st_size / 2 ** 20, "udf_cells": facts["amount_cells"]}


def _float(value):
    return None if value is None else float(value)


def baseline_one(n: int, folder: Path) -> dict:
    """The baseline: the same sheets and cell values through openpyxl's write-only mode."""
    from openpyxl import Workbook

    from xlbilling.writers import layout as L

    _, _, reads, result, _, _ = _month(folder)
    out = folder / "baseline.xlsx"
    t, c = time.perf_counter(), time.process_time()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(L.SUMMARY.name)
    for inv in result.invoices:
        ws.append([inv.customer, inv.currency, inv.invoice_number, len(inv.lines), float(inv.total),
                   float(inv.total), 0.0])
    ws = wb.create_sheet(L.INVOICE_LINES.name)
    for ln in result.lines:
        ws.append([ln.customer, ln.vendor, ln.item, ln.description, float(ln.quantity), ln.unit,
                   float(ln.unit_price), None, None, float(ln.amount), ln.currency,
                   None if ln.fx_rate is None else float(ln.fx_rate), ln.working, ln.source_text, ln.kind])
    ws = wb.create_sheet(L.RECONCILIATION.name)
    for rec in result.reconciliation:
        ws.append([rec.customer, rec.vendor, rec.currency, _float(rec.cost), _float(rec.billed),
                   _float(rec.margin), _float(rec.margin_pct), _float(rec.billed), 0.0, rec.lines_without_cost])
    ws = wb.create_sheet(L.PROBLEMS.name)
    for p in result.problems:
        ws.append([p.kind, p.vendor, p.account, p.customer, p.message, p.source])
    for i, read in enumerate(reads, start=1):
        ws = wb.create_sheet(f"Import {i}")
        ws.append(list(read.columns))
        for row in read.rows:
            ws.append([float(v) if type(v) is Decimal else v for v in row])
    wb.save(out)
    return {"customers": n, "write_s": time.perf_counter() - t, "write_cpu_s": time.process_time() - c,
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "workbook_mib": out.stat().st_size / 2 ** 20}


def _added_ms(smaller: dict, larger: dict) -> float:
    """CPU ms per customer added between two sizes."""
    return 1000 * (larger["build_cpu_s"] - smaller["build_cpu_s"]) / (larger["customers"] - smaller["customers"])


def _child(*args) -> dict:
    proc = subprocess.run([sys.executable, __file__, *map(str, args)], capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _print_baselines(results, baselines) -> None:
    if not baselines:
        return
    print("\nwriter vs baseline (openpyxl write-only, values only, same cells), same run:")
    print(f"{'customers':>9} {'write s':>8} {'CPU s':>7} {'peak MiB':>9} | {'baseline s':>10} {'CPU s':>7}"
          f" {'peak MiB':>9} {'xlsx MiB':>8} | {'x baseline (CPU)':>16}")
    for r in results:
        b = baselines.get(r["customers"])
        if b:
            print(f"{r['customers']:>9,} {r['write_s']:>8.2f} {r['write_cpu_s']:>7.2f} {r['peak_mib']:>9.0f} |"
                  f" {b['write_s']:>10.2f} {b['write_cpu_s']:>7.2f} {b['peak_mib']:>9.0f}"
                  f" {b['workbook_mib']:>8.1f} | {r['write_cpu_s'] / b['write_cpu_s']:>16.2f}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[500, 5000, 20000])
    ap.add_argument("--baseline-sizes", type=int, nargs="*", help="sizes to run the baseline at (default <= 5000)")
    ap.add_argument("--keep", metavar="DIR", help="keep generated files here")
    ap.add_argument("--step", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.step:   # child process: generate | build | baseline, size, folder
        what, n, folder = args.step[0], int(args.step[1]), Path(args.step[2])
        if what == "generate":
            generate(n, folder)
            print(json.dumps({}))
        else:
            print(json.dumps((run_one if what == "build" else baseline_one)(n, folder)))
        return 0
    print(f"xlbilling build benchmark: python {platform.python_version()}, {os.cpu_count()} cores shared with"
          f" other jobs, {platform.machine()}")
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="xlb-bench-"))
    baseline_sizes = args.baseline_sizes if args.baseline_sizes is not None else [n for n in args.sizes if n <= 5000]
    results, baselines = [], {}
    for n in args.sizes:
        folder = base / f"n{n}"
        _child("--step", "generate", n, folder)
        results.append(_child("--step", "build", n, folder))
        if n in baseline_sizes:
            baselines[n] = _child("--step", "baseline", n, folder)
    first = results[0]["build_cpu_s"] / results[0]["customers"]
    print(f"{'customers':>9} {'lines':>7} {'rows':>7} {'book':>6} {'read':>6} {'price':>6} {'ctrl':>5} {'write':>6}"
          f" {'w CPU':>6}"
          f" {'build s':>8} {'CPU s':>7} {'CPU ms/cust':>11} {'x first':>7} {'added ms/cust':>13} {'peak MiB':>9}"
          f" {'before write':>12} {'xlsx MiB':>8}")
    prev = None
    for r in results:
        per = r["build_cpu_s"] / r["customers"]
        added = "" if prev is None else f"{_added_ms(prev, r):.2f}"
        prev = r
        print(f"{r['customers']:>9,} {r['lines']:>7,} {r['import_rows']:>7,} {r['pricebook_s']:>6.2f}"
              f" {r['read_s']:>6.2f} {r['price_s']:>6.2f} {r['control_s']:>5.2f} {r['write_s']:>6.2f}"
              f" {r['write_cpu_s']:>6.2f} {r['build_s']:>8.2f}"
              f" {r['build_cpu_s']:>7.2f} {per * 1000:>11.2f} {per / first:>7.2f} {added:>13} {r['peak_mib']:>9.0f}"
              f" {r['peak_before_write_mib']:>12.0f} {r['workbook_mib']:>8.1f}")
    print("'ctrl': month control (invoice numbers, this month's figures, the Changes and Accounts sheets' data)")
    print("'before write': peak memory when pricing is done, before writing (the import rows are built while writing)")
    print(f"'x first': CPU time per customer against the {results[0]['customers']:,}-customer run"
          f" ({first * 1000:.2f} ms; CPU, not wall, because the machine is shared); near 1.0 = linear growth")
    print("'added ms/cust': CPU time per customer added since the size above (the fixed costs - imports,"
          " template - cancel out); the same at every size = linear growth")
    _print_baselines(results, baselines)
    big = max(results, key=lambda r: r["customers"])
    ok = big["build_s"] < TARGET_S and big["peak_mib"] < TARGET_PEAK_MIB
    print(f"\n{big['customers']:,} customers: {big['build_s']:.1f} s, peak {big['peak_mib']:.0f} MiB"
          f" ({'meets' if ok else 'MISSES'} the {TARGET_S:.0f} s / {TARGET_PEAK_MIB} MiB target);"
          " report generation not counted")
    if not args.keep:
        import shutil

        shutil.rmtree(base, ignore_errors=True)
    else:
        print(f"files kept in {base}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
