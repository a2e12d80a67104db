"""Fake pywintypes (tests/fakecom): the exception and value types pywin32's C
layer gives Python.  Modelled from pywin32's documented behaviour, not run."""
import datetime as _dt


class error(Exception):
    def __init__(self, *args):
        super().__init__(*args)
        self.winerror = args[0] if args else None
        self.funcname = args[1] if len(args) > 1 else None
        self.strerror = args[2] if len(args) > 2 else None


class com_error(Exception):
    """(hresult, strerror, excepinfo, argerror), as pywin32 raises it."""

    def __init__(self, hresult=-2147352567, strerror="Exception occurred.", excepinfo=None, argerror=None):
        super().__init__(hresult, strerror, excepinfo, argerror)
        self.hresult, self.strerror, self.excepinfo, self.argerror = hresult, strerror, excepinfo, argerror


class TimeType(_dt.datetime):
    """pywintypes.datetime: a datetime subclass; COM dates come back time-zone aware (UTC)."""


def Time(value):
    if isinstance(value, _dt.datetime):
        return TimeType(value.year, value.month, value.day, value.hour, value.minute, value.second,
                        value.microsecond, tzinfo=value.tzinfo or _dt.timezone.utc)
    raise TypeError("fake pywintypes.Time takes a datetime")


class _IID(str):
    pass


def IID(text, is_bytes=False):
    return _IID(str(text).upper())


datetime = TimeType
UnicodeType = str
