"""Fake win32api (tests/fakecom)."""
import os


def GetCurrentThreadId():
    return 1


def GetCurrentProcessId():
    return os.getpid()


def GetModuleFileName(handle=None):
    import sys
    return sys.executable


def MessageBox(*args):
    return 1


def GetLongPathName(path):
    return path


def GetShortPathName(path):
    return path
