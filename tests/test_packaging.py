"""The wheel must carry every sub-package and the templates: pyproject lists
packages explicitly (xlbilling.workbooks lives outside xlbilling/)."""
from __future__ import annotations

import pathlib
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_every_subpackage_is_listed_in_pyproject():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "xlbilling").rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    missing = found - listed
    assert not missing, f"add these to [tool.setuptools] packages in pyproject.toml: {sorted(missing)}"
    assert "xlbilling.workbooks" in listed


def test_templates_are_importable_resources():
    import importlib.resources as resources

    names = {p.name for p in resources.files("xlbilling.workbooks").iterdir()}
    assert "README.md" in names
