"""Fake win32com.client.gencache: no makepy in the fake; xlwings tolerates its failure."""


def EnsureModule(*args, **kwargs):
    raise ImportError("fake gencache: early binding is not modelled")


def EnsureDispatch(name, *args, **kwargs):
    from win32com.client import Dispatch
    return Dispatch(name)
