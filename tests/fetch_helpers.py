"""Shared pieces of the fetch tests (a plain module, not a conftest: other
engineers own tests/conftest.py)."""
from __future__ import annotations

import keyring
import keyring.backend
import pytest

try:
    from fetchserver import Behaviour, FakeVendor
except ModuleNotFoundError:
    from tests.fetchserver import Behaviour, FakeVendor

KEY = Behaviour().api_key


def run_cli(argv: list[str]) -> int:
    """xlbilling.commands.cli.main with only the fetch/auth commands registered, so the
    tests do not depend on sub-commands other engineers are still writing."""
    from xlbilling.commands import cli

    saved = cli.COMMANDS
    cli.COMMANDS = ("xlbilling.commands.fetch", "xlbilling.commands.auth")
    try:
        return cli.main(argv)
    finally:
        cli.COMMANDS = saved


class MemoryKeyring(keyring.backend.KeyringBackend):
    priority = 1

    def __init__(self):
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.entries.get((service, username))

    def set_password(self, service, username, password):
        self.entries[(service, username)] = password

    def delete_password(self, service, username):
        self.entries.pop((service, username))


@pytest.fixture
def keys(monkeypatch):
    monkeypatch.setenv("XLBILLING_ALTARO_API_KEY", KEY)
    monkeypatch.setenv("XLBILLING_X360RECOVER_API_KEY", KEY)


@pytest.fixture
def vendor(keys):
    fake = FakeVendor().start()
    yield fake
    fake.stop()


@pytest.fixture
def state_dir(tmp_path_factory, monkeypatch):
    path = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("XLBILLING_STATE_DIR", str(path))
    return path


@pytest.fixture(autouse=True)
def no_reader(monkeypatch):
    """Fetch tests do not depend on xlbilling.readers (another engineer's
    module, in progress): a stand-in module without read_report is installed;
    a test may give it one."""
    import sys
    import types

    import xlbilling

    fake = types.ModuleType("xlbilling.readers")
    monkeypatch.setitem(sys.modules, "xlbilling.readers", fake)
    monkeypatch.setattr(xlbilling, "readers", fake, raising=False)
    return fake


@pytest.fixture
def real_reader(no_reader, monkeypatch):
    """xlbilling's own reader instead of the stand-in: for the tests of what
    fetch does with a saved file the reader refuses."""
    import importlib
    import sys

    import xlbilling

    monkeypatch.delitem(sys.modules, "xlbilling.readers")
    module = importlib.import_module("xlbilling.readers")
    monkeypatch.setattr(xlbilling, "readers", module)
    return module


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)
