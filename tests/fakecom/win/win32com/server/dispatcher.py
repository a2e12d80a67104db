"""Fake win32com.server.dispatcher."""
