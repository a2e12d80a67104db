"""The pure core: money, records, billing rules, invoice numbering, the month review, formula-like text.

Imports no openpyxl, xlwings or pandas (tests/test_core_purity.py) and never
opens a file."""
