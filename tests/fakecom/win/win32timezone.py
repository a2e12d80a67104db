"""Fake win32timezone (tests/fakecom)."""
import datetime as _dt


class TimeZoneInfo(_dt.tzinfo):
    @staticmethod
    def utc():
        return _dt.timezone.utc

    @staticmethod
    def local():
        return _dt.timezone.utc
