"""Fake win32event (tests/fakecom): only what com_server imports; serve() is not modelled."""
INFINITE = 0xFFFFFFFF
QS_ALLEVENTS = 0x04BF
WAIT_OBJECT_0 = 0


def MsgWaitForMultipleObjects(*args):
    raise NotImplementedError("fake win32event: the COM server message loop is not modelled")
