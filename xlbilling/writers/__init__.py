"""Every file xlbilling writes: the billing workbook (headless and live Excel), the CSVs, the price books.

    xlsx.py, stream.py, month_sheets.py     the billing workbook, streamed to sheet XML (headless)
    layout.py, cells.py, udf_cells.py       its sheets and columns, text-only cells, which Amount cells get a UDF
    live.py                                 the same cells into a workbook open in Excel (xlwings)
    billing_template.py, previous.py        the template it starts from; last month's workbook read back
    exports.py, csv_safe.py                 the lines, Xero and QuickBooks Online CSVs, never a formula
    pricebook_template.py, pricebook_init.py, make_sample_pricebook.py
                                            the empty price book, one started from reports, the demo's
"""
