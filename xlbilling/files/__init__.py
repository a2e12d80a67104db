"""Files in and out safely: publishing outputs atomically and never over an input (publish.py), opening xlsx workbooks with the zip-bomb checks first (xlsx_open.py)."""
