"""Fake win32com.server.util: wrap/unwrap of Python objects served over COM."""


class _Wrapped:
    def __init__(self, obj, iid=None):
        self._wrapped = obj
        self.iid = iid


def wrap(obj, iid=None, usePolicy=None, useDispatcher=None):
    return _Wrapped(obj, iid)


def unwrap(ob):
    if isinstance(ob, _Wrapped):
        return ob._wrapped
    raise ValueError("not a wrapped Python object")
