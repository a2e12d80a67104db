"""Fake win32con (tests/fakecom): the few constants xlwings reads."""
SW_SHOW, SW_HIDE, SW_SHOWNORMAL, SW_MAXIMIZE, SW_MINIMIZE = 5, 0, 1, 3, 6
HWND_TOP, SWP_NOSIZE, SWP_NOMOVE = 0, 1, 2
WM_CLOSE, PROCESS_TERMINATE, MB_OK = 16, 1, 0


def __getattr__(name):       # any other constant: a number, as win32con has thousands
    if name.isupper():
        return 0
    raise AttributeError(name)
