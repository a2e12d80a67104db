"""Reader benchmark: xlbilling's readers next to the naive baseline, measured in
the same run on the same generated files (no timed assertions anywhere).

    python benchmarks/bench_readers.py            # full sizes (about a minute)
    python benchmarks/bench_readers.py --scale 0.1

Files (generated into a temporary folder, deterministic):
  * Acronis csv_v2_0, 100,000 rows   vs baseline: plain `csv` module + Decimal + dict sums
  * Altaro itemised CSV, 1,000,000 rows vs baseline: plain `csv` module + per-customer set of casefolded names
  * Axcient BFF .xlsx, 20,000 rows   vs baseline: pandas.read_excel(engine="openpyxl") + the same arithmetic
Each job runs in its own child process (so memory figures do not mix): prints
seconds, rows per second, the child's peak resident memory (ru_maxrss, which
includes the interpreter and imported libraries: an idle child's figure is
printed as the floor) and the speed ratio.  Other load on the machine skews
both columns alike, since they are measured in the same run.
Targets (issue 3): Altaro 1,000,000 rows < 5 s; xlsx >= 5x the naive baseline.
"""
from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from xlbilling.readers import read_report  # noqa: E402

GiB = 1024 ** 3


def child(job: str, path: str) -> None:
    """Run one job in this (child) process and print its figures as JSON."""
    import pandas  # noqa: F401  - imported before timing in every job, baseline or not

    fn = JOBS[job]
    t0 = time.perf_counter()
    result = fn(Path(path)) if fn is not None else None
    seconds = time.perf_counter() - t0
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mib": peak_mib, "summary": summarise(job, result)}))


def run_child(job: str, path: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--job", job, str(path)], check=True, capture_output=True,
                         text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def summarise(job: str, result) -> object:
    """A small comparable digest of a job's answer (to show both sides agree)."""
    if result is None:
        return None
    if job == "altaro":
        return sorted((r.account, int(r.quantity)) for r in result.records)
    if job == "altaro-baseline":
        return sorted(result.items())
    items = ("online_gb", "local_gb", "local_servers", "local_workstations", "archive_mailboxes")
    if job == "bff":
        return sorted((r.account, r.item, str(r.quantity)) for r in result.records)
    if job == "bff-baseline":
        return sorted((k, item, str(v)) for k, vs in result.items() for item, v in zip(items, vs) if v)
    if job == "acronis":
        return len(result.records)
    if job == "acronis-baseline":
        return len([v for v in result.values() if v])
    return None


def make_acronis(path: Path, rows: int) -> None:
    rnd = random.Random(1)
    items = ["pw_base_storage", "pw_base_workstations", "pw_base_servers", "pw_base_vms", "pw_base_m365_seats",
             "local_storage", "dr_compute_points", "pw_base_m365_mailboxes"]
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["application.id", "edition", "infra.backend_type", "infra.id", "infra.owner_id", "name",
                    "tenant.id", "tenant.kind", "tenant.name", "usage.absolute.production", "usage.absolute.total",
                    "usage.absolute.trial", "usage.delta.production", "usage.delta.total", "usage.delta.trial",
                    "usage.effective.production", "usage.effective.total", "usage.effective.trial"])
        for i in range(rows):
            t = rnd.randrange(5000)
            item = rnd.choice(items)
            v = rnd.randrange(1, 2000 * GiB) if "storage" in item else rnd.randrange(0, 50)
            w.writerow(["app", "standard", "azure", f"infra-{rnd.randrange(4)}", "owner", item, f"tenant-{t:05d}",
                        "partner" if t < 10 else "customer", f"Customer {t}", v, v, 0, v, v, 0, v, v, 0])


def baseline_acronis(path: Path) -> dict:
    """Naive: csv.DictReader, Decimal per cell, dict sums (same rules)."""
    sums: dict = {}
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            item = row["name"]
            if item == "pw_base_m365_mailboxes":
                continue
            field = "production" if row["tenant.kind"] == "partner" else "total"
            measure_ = "delta" if "compute_point" in item else "absolute"
            key = (row["tenant.id"], item)
            sums[key] = sums.get(key, Decimal(0)) + Decimal(row[f"usage.{measure_}.{field}"])
    return sums


def make_altaro(path: Path, rows: int) -> None:
    rnd = random.Random(2)
    types = ["Mailbox", "OneDrive", "User Teams Chats", "N/A", "SharePoint Site", "Teams"]
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Customer", "Product", "Object Type Backed Up", "Object Name", "Object Id", "Month",
                    "Backed Up Size (MB)"])
        for i in range(rows):
            c = rnd.randrange(400)
            u = rnd.randrange(60)
            name = f"User {c}-{u}" if rnd.random() > 0.01 else f"user {c}-{u} "
            w.writerow([f"Customer {c:03d}", "365 Total Backup", rnd.choice(types), name, f"o{i}", "2026-10",
                        rnd.randrange(1, 90000)])


def baseline_altaro(path: Path) -> dict:
    """Naive: csv.DictReader, a set of trimmed casefolded names per customer."""
    billed = {"mailbox", "n/a", "onedrive", "user teams chats"}
    users: dict = {}
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["Object Type Backed Up"].strip().casefold() in billed and row["Object Name"].strip():
                users.setdefault(row["Customer"].strip(), set()).add(" ".join(row["Object Name"].split()).casefold())
    return {c: len(v) for c, v in users.items()}


BFF_COLUMNS = ["AccountNo", "AccountName", "InternalDescription", "SPlan", "IsDel", "IsExpired",
               "CanViewCompressed", "UncompressedDiskGB", "CompressedDiskGB", "BillableDiskGB",
               "LocalBackupIsBillable", "LocalBillableNumServers", "LocalBillableNumNonServers", "LocalNumServers",
               "LocalNumNonServers", "LocalUncompressedDiskGB", "LocalCompressedDiskGB", "LocalBillableDiskGB",
               "ProvisionedMailboxes", "BillableMailboxes"]


def make_bff_xlsx(path: Path, rows: int) -> None:
    import openpyxl

    rnd = random.Random(3)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Raw Customer Data")
    ws.append(BFF_COLUMNS)
    for i in range(rows):
        unc = round(rnd.uniform(0, 5000), 2)
        ws.append([100000 + i, f"acct{i}", f"Customer {i % 3000}", rnd.choice(["Select", "Basic", "Trial"]),
                   int(rnd.random() < 0.03), int(rnd.random() < 0.02), rnd.randrange(2), unc, round(unc * 0.6, 2),
                   unc, rnd.randrange(2), rnd.randrange(3), rnd.randrange(5), 3, 6, round(unc * 1.5, 2),
                   round(unc * 0.8, 2), round(unc * 1.5, 2), rnd.randrange(30), rnd.randrange(30)])
    wb.save(path)


def baseline_bff(path: Path) -> dict:
    """Naive: pandas.read_excel with openpyxl, then the same rule functions row by
    row for the same five items (like for like: only the reading differs)."""
    import pandas as pd

    from xlbilling.core.rules import axcient_bff as rules

    df = pd.read_excel(path, engine="openpyxl", dtype=object)
    out = {}
    for row in df.itertuples(index=False):
        r = row._asdict()
        if not rules.is_billable(r["IsDel"], r["IsExpired"]):
            continue
        plan, cvc = r["SPlan"], r["CanViewCompressed"]
        online = rules.billable_gb(r["UncompressedDiskGB"], r["CompressedDiskGB"], cvc, "uncompressed", plan)
        local = rules.billable_gb(r["LocalUncompressedDiskGB"], r["LocalCompressedDiskGB"], cvc, "uncompressed", plan)
        servers, workstations = rules.local_devices(r["LocalBackupIsBillable"], r["LocalBillableNumServers"],
                                                    r["LocalBillableNumNonServers"])
        mailboxes = rules.archive_mailboxes(r["BillableMailboxes"], r["ProvisionedMailboxes"])
        out[str(r["AccountNo"])] = (online.value, local.value, servers.value, workstations.value, mailboxes.value)
    return out


def report(label: str, rows: int, ours: dict, base: dict, floor: dict) -> None:
    agree = "results agree" if ours["summary"] == base["summary"] else "RESULTS DIFFER"
    print(f"{label}: {rows:,} rows ({agree})")
    for name, m in (("xlbilling", ours), ("baseline", base)):
        print(f"  {name:<10} {m['seconds']:8.2f} s  {rows / m['seconds']:12,.0f} rows/s"
              f"  peak RSS {m['peak_mib']:7.1f} MiB (idle child {floor['peak_mib']:.1f})")
    print(f"  ratio      {base['seconds'] / ours['seconds']:8.2f}x the baseline's speed", flush=True)


def read(path: Path):
    return read_report(path)


JOBS = {"idle": None, "acronis": read, "acronis-baseline": lambda p: baseline_acronis(p), "altaro": read,
        "altaro-baseline": lambda p: baseline_altaro(p), "bff": read, "bff-baseline": lambda p: baseline_bff(p)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of the full sizes")
    ap.add_argument("--only", choices=("acronis", "altaro", "bff"), help="run one of the three")
    ap.add_argument("--job", nargs=2, metavar=("JOB", "FILE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.job:
        child(*args.job)
        return
    n_acr, n_alt, n_bff = (int(100_000 * args.scale), int(1_000_000 * args.scale), int(20_000 * args.scale))
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        print(f"generating files in {d} ...", flush=True)
        run = {args.only} if args.only else {"acronis", "altaro", "bff"}
        if "acronis" in run:
            make_acronis(d / "acronis.csv", n_acr)
        if "altaro" in run:
            make_altaro(d / "altaro.csv", n_alt)
        if "bff" in run:
            make_bff_xlsx(d / "bff.xlsx", n_bff)
        floor = run_child("idle", d / "none")
        cases = (
            ("acronis", "Acronis csv_v2_0 -> records per tenant and item (baseline: csv module + Decimal)",
             n_acr, "acronis.csv"),
            ("altaro", "Altaro itemised CSV -> billed users per customer (baseline: csv module; target < 5 s)",
             n_alt, "altaro.csv"),
            ("bff", "Axcient BFF .xlsx -> records (baseline: pandas.read_excel/openpyxl + the same rules;"
                    " target >= 5x)", n_bff, "bff.xlsx"),
        )
        for job, label, rows, name in cases:
            if job in run:
                report(label, rows, run_child(job, d / name), run_child(job + "-baseline", d / name), floor)

if __name__ == "__main__":
    main()
