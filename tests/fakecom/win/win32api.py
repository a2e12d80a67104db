"""Fake win32api (tests/fakecom)."""
import os


def GetCurrentThreadId():
    return 1


def GetCurrentProcessId():
    return os.getpid()


def GetModuleFileName(handle=None):
    import sys
    return sys.executable


def MessageBox(hwnd, text, title="", style=0):
    """xlwings' App.alert on Windows: recorded for the test, answered OK."""
    import excel_model
    excel_model.MESSAGES.append((title, text))
    return 1


def GetLongPathName(path):
    return path


def GetShortPathName(path):
    return path
