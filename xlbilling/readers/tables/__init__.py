"""File -> tables: a report's type sniffed from its first bytes, then each container (xls/xlsx, HTML, JSON, delimited text) loaded as `Table`s."""
from xlbilling.readers.tables.sniff import load_tables, read_bytes, sniff_type
from xlbilling.readers.tables.table import PREVIEW_ROWS, Table

__all__ = ["PREVIEW_ROWS", "Table", "load_tables", "read_bytes", "sniff_type"]
