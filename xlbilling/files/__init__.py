"""Files in and out safely: outputs published atomically and never over an input; xlsx opened safely.

    publish.py    check_output (never over an input or a template), atomic writes, sha256_file
    xlsx_open.py  an .xlsx's zip sizes checked before anything is unzipped, then openpyxl or python-calamine
"""
