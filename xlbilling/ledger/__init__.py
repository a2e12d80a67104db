"""The ledger of closed months (SQLite file beside the price book, or
PostgreSQL by URL): closes, reopens, invoice numbers.  docs/month.md."""
from xlbilling.ledger.store import CloseInfo, HistoryRow, Ledger, default_ledger_path, ledger_location, migrate

__all__ = ["Ledger", "CloseInfo", "HistoryRow", "default_ledger_path", "ledger_location", "migrate"]
