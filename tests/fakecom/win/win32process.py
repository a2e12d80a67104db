"""Fake win32process (tests/fakecom)."""


def GetWindowThreadProcessId(hwnd):
    import excel_model
    return 1, excel_model.pid_of(hwnd)
