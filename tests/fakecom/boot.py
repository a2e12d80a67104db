"""Run scenarios on "Windows": fake pywin32 + ctypes.windll, real xlwings 0.37.8.

    python tests/fakecom/boot.py TEST_MODULE.py RESULTS.json [SCENARIO ...]

Imports everything platform-sensitive first, then sets sys.platform to "win32",
puts the fake pywin32 modules (tests/fakecom/win) first on sys.path, gives
ctypes the Windows-only names xlwings imports (windll, oledll, a PyDLL that
serves pythoncom's PyCom_PyObjectFromIUnknown), imports xlwings - which now
takes its Windows branch: _xlwindows, com_server, udfs and the real @xw.func
decorators - and runs each `scenario_*` function of TEST_MODULE in turn,
writing {name: "ok" | traceback} to RESULTS.json.
"""
from __future__ import annotations

import asyncio  # noqa: F401  imported before sys.platform changes (asyncio picks its loop by platform)
import builtins
import concurrent.futures  # noqa: F401
import ctypes
import importlib.util
import json
import logging  # noqa: F401
import os
import subprocess  # noqa: F401
import sys
import tempfile  # noqa: F401
import threading  # noqa: F401
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
WIN = os.path.join(HERE, "win")
TESTS = os.path.dirname(HERE)


def _preload() -> None:
    for name in ("numpy", "pandas", "decimal", "zipfile", "xml.etree.ElementTree", "shlex", "locale",
                 "http.client", "ssl", "email", "uuid", "multiprocessing"):
        try:
            __import__(name)
        except ImportError:
            pass


class _Function:
    def __init__(self, name, impl):
        self.__name__, self._impl = name, impl
        self.restype = None
        self.argtypes = None

    def __call__(self, *args):
        return self._impl(*args)


class _Library:
    def __init__(self, functions):
        self._functions = functions

    def __getattr__(self, name):
        impl = self._functions.get(name)
        if impl is None:
            raise AttributeError(f"fake ctypes: {name} is not modelled")
        return _Function(name, impl)


class _Loader:
    def __init__(self, libraries):
        self._libraries = libraries

    def __getattr__(self, name):
        if name in self._libraries:
            return self._libraries[name]
        raise AttributeError(f"fake ctypes: library {name} is not modelled")


def _accessible_object(hwnd, objid, guid_ref, ptr_ref):
    import excel_model
    excel_model.window_object(hwnd)            # raises OSError for a window that is not Excel's
    ptr_ref._obj.value = hwnd
    return 0


def _object_from_iunknown(ptr, guid_ref, add_ref):
    import excel_model
    import pythoncom
    return pythoncom.PyIDispatch(excel_model.window_object(ptr.value))


def _top_window(parent):
    import excel_model
    return excel_model._APPS[0].Hwnd if excel_model._APPS else 0


def _next_window(hwnd, how):
    import excel_model
    hwnds = [a.Hwnd for a in excel_model._APPS]
    return hwnds[hwnds.index(hwnd) + 1] if hwnd in hwnds and hwnds.index(hwnd) + 1 < len(hwnds) else 0


def install() -> None:
    _preload()
    sys.platform = "win32"
    builtins.WindowsError = OSError
    sys.path.insert(0, WIN)
    sys.path.insert(1, TESTS)
    ctypes.windll = _Loader({
        "user32": _Library({"GetTopWindow": _top_window, "GetWindow": _next_window,
                            "GetForegroundWindow": lambda: 0, "SetForegroundWindow": lambda h: 1,
                            "SetWindowPos": lambda *a: 1}),
        "kernel32": _Library({"AllocConsole": lambda: 1}),
    })
    ctypes.oledll = _Loader({
        "ole32": _Library({"CLSIDFromString": lambda text, ref: 0}),
        "oleacc": _Library({"AccessibleObjectFromWindow": _accessible_object}),
    })
    real_pydll = ctypes.PyDLL
    pythoncom_file = os.path.join(WIN, "pythoncom.py")

    def pydll(name, *args, **kwargs):
        if os.path.abspath(str(name)) == pythoncom_file:
            return _Library({"PyCom_PyObjectFromIUnknown": _object_from_iunknown})
        return real_pydll(name, *args, **kwargs)

    ctypes.PyDLL = pydll
    import xlwings
    if not xlwings.has_pywin32:
        raise RuntimeError("xlwings did not take its Windows branch")


def main(argv: list[str]) -> int:
    module_path, out_path, *wanted = argv
    install()
    spec = importlib.util.spec_from_file_location("scenarios_under_test", module_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    names = wanted or sorted(n for n in dir(module) if n.startswith("scenario_"))
    results = {}
    for name in names:
        try:
            getattr(module, name)()
            results[name] = "ok"
        except BaseException:  # noqa: BLE001 - report every scenario
            results[name] = traceback.format_exc()
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(results, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
