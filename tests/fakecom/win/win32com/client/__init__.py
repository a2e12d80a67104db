"""Fake win32com.client (tests/fakecom): late-bound dispatch as pywin32 shows it.

The fake Excel objects (excel_model.py) subclass CDispatch; `Dispatch` of the
raw PyIDispatch a COM server receives returns the object behind it, as pywin32
wraps a PyIDispatch into a CDispatch."""
import pythoncom


class _TypeAttr:
    def __init__(self, iid):
        self.iid = iid


class _TypeInfo:
    def __init__(self, obj):
        self._obj = obj

    def GetTypeAttr(self):
        return _TypeAttr(type(self._obj)._com_iid)

    def GetDocumentation(self, index):
        return (type(self._obj)._com_name, None, 0, None)


class _OleObj:
    def __init__(self, obj):
        self._obj = obj

    def GetTypeInfo(self):
        return _TypeInfo(self._obj)

    def GetIDsOfNames(self, lcid, name):
        if not hasattr(type(self._obj), name):
            raise pythoncom.com_error(-2147352570, "Unknown name.", None, None)
        return 1


class CDispatch:
    """A late-bound COM object."""

    _com_name = "Object"
    _com_iid = "{00020400-0000-0000-C000-000000000046}"

    @property
    def _oleobj_(self):
        return _OleObj(self)


class DispatchBaseClass(CDispatch):
    pass


class CoClassBaseClass:
    pass


class VARIANT:
    """win32com.client.VARIANT(vt, value): an explicitly typed COM value."""

    def __init__(self, vartype, value):
        self.varianttype = vartype
        self._value = value

    value = property(lambda self: self._value)

    def __repr__(self):
        return f"win32com.client.VARIANT({self.varianttype!r}, {self._value!r})"


def Dispatch(dispatch, userName=None, resultCLSID=None, typeinfo=None, clsctx=None):
    if isinstance(dispatch, pythoncom.PyIDispatch):
        return dispatch.target
    if isinstance(dispatch, CDispatch):
        return dispatch
    if isinstance(dispatch, str) and dispatch.lower().startswith("excel.application"):
        import excel_model
        return excel_model.new_app()
    raise pythoncom.com_error(-2147221005, "Invalid class string (fake win32com)", None, None)


DispatchEx = Dispatch


def GetObject(Pathname=None, Class=None):
    import excel_model
    return excel_model.open_book_anywhere(Pathname)


class _Constants:
    def __getattr__(self, name):
        raise AttributeError(name)


constants = _Constants()
