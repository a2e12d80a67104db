"""Run `xlbilling close` in a separate process, optionally holding its open
transaction (after everything is written, before COMMIT) until told to go on:
the concurrent-close and kill-during-close tests drive two of these.

    python close_helper.py LEDGER PRICEBOOK MONTH HOLD_FILE REPORT...

HOLD_FILE '-' = no hold; else the helper writes HOLD_FILE + '.holding' when it
holds the transaction and waits (up to 60 s) for HOLD_FILE to exist."""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def main() -> int:
    ledger, pricebook, month, hold, *reports = sys.argv[1:]
    from xlbilling.commands.close import close_month
    from xlbilling.errors import XlbillingError

    def before_commit() -> None:
        if hold == "-":
            return
        Path(hold + ".holding").write_text(str(os.getpid()))
        deadline = time.monotonic() + 60
        while not Path(hold).exists() and time.monotonic() < deadline:
            time.sleep(0.05)

    args = argparse.Namespace(reports=reports, month=month, pricebook=pricebook, basis=None, strict=False,
                              allow_period_mismatch=False, ledger=ledger, reopen=False, reason="", by=f"pid{os.getpid()}")
    try:
        info, _, _ = close_month(args, before_commit=before_commit)
    except XlbillingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"closed {info.month} by {info.closed_by}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
