"""Axcient Backup for Files billing rules (seeds/000, BILLING_RULES.md section 1)."""
from __future__ import annotations

import re
from decimal import Decimal

from xlbilling.core.money import D
from xlbilling.core.rules.common import non_negative
from xlbilling.core.rules.result import Result, fmt
from xlbilling.errors import RuleInputError, show_value

# seeds/000: the partner chooses one of three ways to bill online storage.
BASES = ("uncompressed", "compressed", "account")
DEFAULT_BASIS = "uncompressed"  # seeds/000: "almost all partners" bill uncompressed

_BASIC = re.compile(r"\bbasic\b", re.IGNORECASE)


def is_basic_plan(plan: object) -> bool:
    """Decision (BILLING_RULES.md 1): a plan name containing the word "Basic"
    counts as Basic ("Basic", "Trial (Basic)")."""
    return bool(plan) and bool(_BASIC.search(str(plan)))


# FORMATS.md: booleans come as 1/0, True/False, Yes/No, Y/N; European exports
# also say Wahr/Falsch, Ja/Nein, and some portals tick a box with "x".
FLAG_TRUE = frozenset({"1", "1.0", "true", "yes", "y", "wahr", "ja", "x"})
FLAG_FALSE = frozenset({"0", "0.0", "false", "no", "n", "falsch", "nein", ""})


def parse_flag(value: object, what: str) -> bool:
    """0/1 flags as the reports and Excel give them (1, 1.0, '1', True, 'Yes', 'Y');
    blank is 0.  The one flag parser: readers and UDFs both call it."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        if value in (0, 1):
            return bool(value)
    elif isinstance(value, str):
        text = value.strip().casefold()
        if text in FLAG_TRUE:
            return True
        if text in FLAG_FALSE:
            return False
    raise RuleInputError(f"{what}: expected 0 or 1, found {show_value(value)}", argument=what, value=value)


def normalise_basis(basis: object) -> str:
    text = (str(basis).strip().lower() if basis is not None else "") or DEFAULT_BASIS
    if text not in BASES:
        raise RuleInputError(f"basis: expected one of {', '.join(BASES)}, found {basis!r}",
                             argument="basis", value=basis)
    return text


def is_billable(is_del: object, is_expired: object) -> bool:
    """seeds/000: rows with IsDel = 1 (deleted) or IsExpired = 1 (expired trial) are not billed."""
    return not (parse_flag(is_del, "is_del") or parse_flag(is_expired, "is_expired"))


def _choose_gb(uncompressed_gb: object, compressed_gb: object, can_view_compressed: object,
               basis: object, plan: object) -> tuple[Decimal, str, Decimal, Decimal]:
    """(chosen GB, why, uncompressed, compressed): the decision of billable_gb."""
    unc = non_negative(uncompressed_gb, "uncompressed_gb")
    comp = non_negative(compressed_gb, "compressed_gb")
    chosen_basis = normalise_basis(basis)
    flag = parse_flag(can_view_compressed, "can_view_compressed")
    if is_basic_plan(plan):
        return unc, "basic", unc, comp
    if chosen_basis == "uncompressed":
        return unc, "uncompressed", unc, comp
    if chosen_basis == "compressed":
        return comp, "compressed", unc, comp
    return (comp, "account-compressed", unc, comp) if flag else (unc, "account-uncompressed", unc, comp)


def billable_gb_value(uncompressed_gb: object, compressed_gb: object, can_view_compressed: object = 0,
                      basis: object = DEFAULT_BASIS, plan: object = "") -> Decimal:
    """billable_gb without its working text (the BILLABLE_GB UDF's per-row path)."""
    return _choose_gb(uncompressed_gb, compressed_gb, can_view_compressed, basis, plan)[0]


def billable_gb(uncompressed_gb: object, compressed_gb: object, can_view_compressed: object = 0,
                basis: object = DEFAULT_BASIS, plan: object = "") -> Result:
    """GB to bill for one account (online or local: same rule, other columns).

    seeds/000: basis `uncompressed` uses UncompressedDiskGB, `compressed` uses
    CompressedDiskGB, `account` uses CanViewCompressed to choose per account
    (what BillableDiskGB holds).  Basic plans are always billed uncompressed,
    whatever the basis, because Axcient bills the partner uncompressed for them.
    """
    value, why, unc, comp = _choose_gb(uncompressed_gb, compressed_gb, can_view_compressed, basis, plan)
    text = {
        "basic": f"plan {plan!r} is Basic: always uncompressed = {fmt(unc)} GB",
        "uncompressed": f"basis uncompressed: {fmt(unc)} GB",
        "compressed": f"basis compressed: {fmt(comp)} GB",
        "account-compressed": f"basis account, CanViewCompressed=1: compressed {fmt(comp)} GB",
        "account-uncompressed": f"basis account, CanViewCompressed=0: uncompressed {fmt(unc)} GB",
    }[why]
    return Result(value, text)


def local_devices(local_backup_is_billable: object, billable_servers: object,
                  billable_non_servers: object) -> tuple[Result, Result]:
    """seeds/000: local-only backup bills only where LocalBackupIsBillable = 1:
    LocalBillableNumServers at the server rate, LocalBillableNumNonServers at the
    workstation rate (the other local devices are earned free)."""
    servers = non_negative(billable_servers, "local_billable_servers")
    non_servers = non_negative(billable_non_servers, "local_billable_non_servers")
    if not parse_flag(local_backup_is_billable, "local_backup_is_billable"):
        why = "LocalBackupIsBillable=0: no local devices billed"
        return Result(Decimal(0), why), Result(Decimal(0), why)
    return (Result(servers, f"LocalBillableNumServers = {fmt(servers)}"),
            Result(non_servers, f"LocalBillableNumNonServers = {fmt(non_servers)}"))


def archive_mailboxes(billable_mailboxes: object, provisioned_mailboxes: object = None) -> Result:
    """seeds/000: bill BillableMailboxes, not ProvisionedMailboxes (provisioned
    mailboxes bill only once the archiver is installed)."""
    billable = non_negative(billable_mailboxes, "billable_mailboxes")
    note = ""
    if provisioned_mailboxes not in (None, ""):
        prov = non_negative(provisioned_mailboxes, "provisioned_mailboxes")
        if prov != billable:
            note = f" (ProvisionedMailboxes {fmt(prov)} not billed)"
    return Result(billable, f"BillableMailboxes = {fmt(billable)}{note}")


def rollup_account_data(rows: list[dict]) -> dict[str, dict[str, Decimal]]:
    """seeds/000 Raw *Account* Data: roll accounts up to their parent without
    double counting.

    Each row: {'account', 'parent' (blank for a parent), 'fields': {name: Decimal}}
    where fields are the plain (own-account) values.  A parent's total is its
    own plain values plus its sub-accounts' plain values - which is what the
    parent's `WithSub` columns hold; we never add WithSub to sub-account values.
    Returns {parent_account: {field: total}}.  Sub-accounts whose parent is not
    in the report are an error (the total would be wrong).
    """
    parents = {r["account"] for r in rows if not r.get("parent")}
    totals: dict[str, dict[str, Decimal]] = {p: {} for p in parents}
    for r in rows:
        parent = r.get("parent") or r["account"]
        if parent not in totals:
            raise RuleInputError(f"account {r['account']!r}: parent {parent!r} is not in the report",
                                 argument="parent", value=parent)
        bucket = totals[parent]
        for name, value in r["fields"].items():
            bucket[name] = bucket.get(name, Decimal(0)) + D(value, what=name)
    return totals
