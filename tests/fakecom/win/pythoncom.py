"""Fake pythoncom (tests/fakecom): just the names xlwings 0.37.8 touches.
`__file__` is a real path, but the DLL entry point xlwings loads from it
(PyCom_PyObjectFromIUnknown) is served by the fake ctypes.PyDLL in boot.py."""
import pywintypes

com_error = pywintypes.com_error
ole_error = pywintypes.com_error

IID_IDispatch = pywintypes.IID("{00020400-0000-0000-C000-000000000046}")
IID_IUnknown = pywintypes.IID("{00000000-0000-0000-C000-000000000046}")
IID_IEnumVARIANT = pywintypes.IID("{00020404-0000-0000-C000-000000000046}")

VT_EMPTY, VT_NULL, VT_I2, VT_I4, VT_R4, VT_R8, VT_CY, VT_DATE, VT_BSTR = 0, 1, 2, 3, 4, 5, 6, 7, 8
VT_DISPATCH, VT_ERROR, VT_BOOL, VT_VARIANT, VT_ARRAY, VT_BYREF = 9, 10, 11, 12, 0x2000, 0x4000
CLSCTX_LOCAL_SERVER, CLSCTX_SERVER = 4, 21
REGCLS_MULTIPLEUSE, REGCLS_SUSPENDED = 1, 4
DISPATCH_METHOD, DISPATCH_PROPERTYGET, DISPATCH_PROPERTYPUT = 1, 2, 4


class PyIDispatch:
    """What pywin32 hands a COM server for an object argument (VBA passes a Range
    to CallUDF): a raw IDispatch.  `target` is the fake Excel object behind it."""

    def __init__(self, target):
        self.target = target

    def GetTypeInfo(self):
        return self.target._oleobj_.GetTypeInfo()

    def QueryInterface(self, iid, *args):
        return self


TypeIIDs = {IID_IDispatch: PyIDispatch}
_initialised = 0


def CoInitialize():
    global _initialised
    _initialised += 1


def CoInitializeEx(flags=0):
    CoInitialize()


def CoUninitialize():
    pass


def PumpWaitingMessages(*args):
    return 0


def EnableQuitMessage(thread_id):
    pass


def CoResumeClassObjects():
    pass


def new(clsid):
    raise com_error(-2147221164, "Class not registered (fake pythoncom)", None, None)


def CoMarshalInterThreadInterfaceInStream(iid, obj):
    return obj


def CoGetInterfaceAndReleaseStream(stream, iid):
    return stream


def MakePyFactory(clsid):
    raise NotImplementedError("fake pythoncom: the COM server loop is not modelled")


def CoRegisterClassObject(*args):
    raise NotImplementedError("fake pythoncom: the COM server loop is not modelled")
