"""The pure core: money, records and billing rules.  Imports no openpyxl,
xlwings or pandas (tests/test_core_purity.py) and never opens a file."""
