"""Fake win32com.server.exception."""


class COMException(Exception):
    def __init__(self, description=None, scode=None, **kwargs):
        super().__init__(description)
        self.scode = scode
