"""pytest plugin (-p tests.stream_all_plugin): every report, however small, is
parsed while it is read (readers/streamed_read.py), so the reader tests run
through the streaming path too (tests/test_streamed_read.py runs them so)."""
import xlbilling.readers.streamed_read as streamed_read


def pytest_configure(config):
    streamed_read.STREAM_MIN_BYTES = 0
