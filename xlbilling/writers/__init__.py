"""Every file xlbilling writes: the billing workbook (headless and live Excel), the CSVs, the price books.

    xlsx.py, stream.py, layout.py, cells.py, month_sheets.py   the billing workbook, streamed (headless)
    live.py, udf_cells.py                                      the same layout into open Excel (xlwings)
    billing_template.py, previous.py                           the template it starts from; last month's read back
    exports.py, csv_safe.py                                    Xero / QuickBooks Online / lines CSVs, never a formula
    pricebook_template.py, pricebook_init.py                   the empty price book; one started from a month's reports
    make_sample_pricebook.py                                   the demo's sample price book
"""
