"""`xlbilling addin install` and `xlbilling addin check` through xlwings 0.37.8's
real Windows code (tests/fakecom; see tests/test_fakecom_udfs.py for what the
harness observes and what it models).

Also MODELLED here: `xlwings addin install -f FILE` (a subprocess of the
xlwings CLI on a real PC) is replaced by copying FILE into the fake Excel's
XLSTART folder, which is what that command does; a workbook's VBA modules are
kept by the fake under its file name when it is saved (the model does not
write VBA into the .xlam), so reopening the installed copy finds them.
"""
from __future__ import annotations

import pytest

import fakecom


def _python_install(tmp):
    """A Windows-style Python folder: python.exe, pythonw.exe, the xlwings DLL at the top."""
    import os
    folder = os.path.join(tmp, "Python311")
    os.makedirs(folder)
    for name in ("python.exe", "pythonw.exe", "xlwings64-0.37.8.dll"):
        open(os.path.join(folder, name), "w").close()
    return folder


def _stub_xlwings_cli(monkeypatch_calls):
    """`xlwings addin install -f FILE`: copy FILE into XLSTART (what the CLI does)."""
    import os
    import shutil

    import excel_model

    from xlbilling.excel import addin

    def run(args, success_text):
        monkeypatch_calls.append(list(args))
        if args[:2] == ["addin", "install"]:
            shutil.copyfile(args[-1], os.path.join(excel_model.XLSTART, os.path.basename(args[-1])))
            return "Successfully installed the xlwings add-in! Please restart Excel."
        return "Successfully removed the add-in!"

    addin._run_xlwings = run


def scenario_install_sets_the_interpreter_imports_the_functions_and_check_passes():
    import os
    import sys
    import tempfile

    import excel_model

    from xlbilling.excel import addin
    from xlbilling.commands import addin as command

    tmp = tempfile.mkdtemp()
    folder = _python_install(tmp)
    sys.executable = os.path.join(folder, "python.exe")         # the Python running xlbilling
    calls = []
    _stub_xlwings_cli(calls)
    apps_before = len(excel_model._APPS)
    text = addin.install_addin()
    installed = os.path.join(excel_model.XLSTART, "xlbilling.xlam")
    assert calls and calls[0][:3] == ["addin", "install", "-f"], calls
    assert os.path.isfile(installed)
    # Interpreter_Win: the pythonw.exe beside sys.executable, never blank
    assert addin.read_config_sheet(installed)["Interpreter_Win"] == os.path.join(folder, "pythonw.exe")
    assert f"Interpreter_Win: {os.path.join(folder, 'pythonw.exe')}" in text
    assert "Imported 14 Excel functions into xlbilling.xlam." in text, text
    # the hidden Excel used for the import was closed again
    assert len(excel_model._APPS) > apps_before
    assert all(app.quit_called for app in excel_model._APPS[apps_before:])
    # xlbilling addin check: every catalogue example recalculated by "Excel" and compared
    table, passed = addin.check_addin()
    assert passed, table
    lines = table.splitlines()
    assert lines[-1] == "14 of 14 passed"
    import re
    assert re.search(r"^COST_PRICE +PASS +10.0 -> 10.0$", table, re.M), table           # 12.5 x (1 - 20%)
    assert re.search(r"^PRORATED_STORAGE +PASS +68.97 -> 68.97$", table, re.M)          # 100 x 20 / 29
    assert re.search(r"^BILLED_USERS +PASS +2.0 -> 2$", table, re.M)
    assert "WARNING" not in text                                    # the DLL is where the add-in looks
    # the CLI: exit 0 and the table
    import argparse
    assert command.run(argparse.Namespace(action="check")) == 0


def scenario_check_fails_loudly_when_the_functions_are_missing():
    import os
    import shutil
    import tempfile

    import excel_model

    from xlbilling.excel import addin

    tmp = tempfile.mkdtemp()
    built = addin.build_addin(tmp).path
    excel_model.SAVED_VBA.clear()                                   # an add-in whose functions were never imported
    shutil.copyfile(built, os.path.join(excel_model.XLSTART, "xlbilling.xlam"))
    table, passed = addin.check_addin()
    assert not passed
    assert table.splitlines()[-1] == "0 of 14 passed; 14 FAILED", table
    import re
    assert re.search(r"^COST_PRICE +FAIL +'#NAME\?' -> 10.0", table, re.M), table


def scenario_trust_access_off_gives_the_exact_instruction():
    import os
    import sys
    import tempfile

    import excel_model

    from xlbilling.excel import addin, addin_live

    tmp = tempfile.mkdtemp()
    sys.executable = os.path.join(_python_install(tmp), "python.exe")
    original = excel_model.new_app

    def untrusted(*args, **kwargs):
        app = original(*args, **kwargs)
        app.trust_vba = False
        return app

    excel_model.new_app = untrusted
    try:
        calls = []
        _stub_xlwings_cli(calls)
        text = addin.install_addin()
    finally:
        excel_model.new_app = original
    assert "Successfully installed" in text                      # the ribbon is installed all the same
    assert f"NOT DONE: {addin_live.TRUST_INSTRUCTION}" in text
    assert 'tick "Trust access to the VBA project object model"' in text


def scenario_a_failed_vba_import_never_lands_in_the_active_workbook():
    import pytest as _pytest

    import excel_model

    from xlbilling.excel import addin_live
    from xlbilling.errors import XlbillingError

    app = excel_model.new_app()
    users_book = app.Workbooks.Add()                               # the user's billing workbook, active
    users_book.Name = "Billing.xlsx"
    addin_book = app.Workbooks.Open(r"C:\XLSTART\xlbilling.xlam")
    users_book.Activate()
    addin_book._vbproject.VBComponents.fail_import = True          # "Automation error 440"
    with _pytest.raises(XlbillingError, match="does not fall back to importing them into the active workbook"):
        addin_live.import_functions(addin_book)
    assert app.run_calls == []                                     # xlwings' fallback macro was never run
    assert "xlwings_udfs" not in users_book._vbproject.VBComponents.components
    # without the guard, xlwings 0.37.8 itself would call the fallback macro on the active workbook
    import xlwings.udfs
    with _pytest.raises(Exception):
        xlwings.udfs.import_udfs("xlbilling.excel.udfs", addin_book)
    assert app.run_calls and app.run_calls[0][0] == "ImportXlwingsUdfsModule"


fakecom.scenario_tests(globals(), __file__)
