"""Fake win32com.client.dynamic."""
from win32com.client import CDispatch, Dispatch  # noqa: F401
