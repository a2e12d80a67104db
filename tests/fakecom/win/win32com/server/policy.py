"""Fake win32com.server.policy."""


class DefaultPolicy:
    def _CreateInstance_(self, clsid, reqIID):
        raise NotImplementedError
