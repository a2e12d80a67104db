"""Fake win32gui (tests/fakecom): window lookups answer from the fake Excel's windows."""


def FindWindowEx(parent, after, cls, title):
    import excel_model
    return excel_model.find_window(parent, cls)


def GetWindowText(hwnd):
    return "Excel"


def IsWindowVisible(hwnd):
    return True


def SetForegroundWindow(hwnd):
    pass


def GetForegroundWindow():
    return 0


def ShowWindow(hwnd, flag):
    pass


def GetClassName(hwnd):
    return "XLMAIN"
