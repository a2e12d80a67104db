"""The month's record: the ledger of closed months and the build's month control.  docs/month.md.

The ledger (SQLite file beside the price book, or PostgreSQL by URL): closes,
reopens, invoice numbers (store.py, schema.py, migrations/).  month_control.py:
after pricing, the month's numbers from the ledger, the review against the
closed month, and the month's status."""
from xlbilling.ledger.store import CloseInfo, HistoryRow, Ledger, default_ledger_path, ledger_location, migrate

__all__ = ["Ledger", "CloseInfo", "HistoryRow", "default_ledger_path", "ledger_location", "migrate"]
