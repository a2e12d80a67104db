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


def test_wheel_carries_docs_samples_templates_types_and_licence(tmp_path):
    """`pip wheel --no-deps .` (the real build backend, isolated): what an install
    gets must include the guides `xlbilling help` prints, the sample month and
    the alternative formats, both templates, py.typed and the LICENSE (with
    xlwings' BSD notice for the add-in template)."""
    import subprocess
    import sys
    import zipfile

    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                           capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = tmp_path.glob("xlbilling-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    from xlbilling.commands.help import TOPICS

    for topic in TOPICS:
        assert f"xlbilling/docs/{topic}.md" in names, topic
    for path in ("xlbilling/samples/2026-10/acronis_usage_2026-10.csv.gz",
                 "xlbilling/samples/2026-10/x360recover_licenses.xlsx",
                 "xlbilling/samples/alternative-formats/hornetsecurity_licenses_2026-10.csv",
                 "xlbilling/samples/pricebook_sample.xlsx", "xlbilling/workbooks/billing.xlsx",
                 "xlbilling/workbooks/pricebook.xlsx", "xlbilling/py.typed"):
        assert path in names, path
    licence = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
    assert licence, sorted(n for n in names if "dist-info" in n)
    text = zipfile.ZipFile(wheel).read(licence[0]).decode()
    assert "All rights reserved" in text and "Zoomer Analytics GmbH" in text and "BSD 3-clause" in text
    meta = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    # the declared stack stays the default install; excel/fetch name the optional groups
    for dep in ("Requires-Dist: xlwings==0.37.8", "Requires-Dist: openpyxl", "Requires-Dist: pandas",
                "Provides-Extra: excel", "Provides-Extra: fetch", "Classifier: Typing :: Typed"):
        assert dep in meta, dep
    assert not any(n.startswith("tests/") for n in names)


_BLOCKER = r'''
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("xlwings", "httpx", "keyring"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, Block())
from xlbilling.commands.cli import main
sys.exit(main(sys.argv[1:]))
'''


def test_headless_install_works_without_xlwings_httpx_keyring(tmp_path):
    """Modelled: the headless install (docs/install.md) leaves xlwings, httpx and
    keyring out; here an import hook makes them unimportable.  The demo builds;
    fetch and catalogue say which package they need (exit 2), no traceback."""
    import subprocess
    import sys

    def run(*args):
        return subprocess.run([sys.executable, "-c", _BLOCKER, *args], capture_output=True, text=True,
                              cwd=tmp_path, timeout=180)

    demo = run("demo", "--quiet", "--out", str(tmp_path / "demo.xlsx"))
    assert demo.returncode == 0, demo.stderr
    assert (tmp_path / "demo.xlsx").is_file()
    fetch = run("fetch", "altaro", "--link", "https://example.invalid/r", "--month", "2026-10", "--out", "a.csv")
    assert fetch.returncode == 2 and "needs the 'httpx' package" in fetch.stderr and "Traceback" not in fetch.stderr
    cat = run("catalogue")
    assert cat.returncode == 2 and "'xlwings' package" in cat.stderr and "xlwings==0.37.8" in cat.stderr


def test_install_guide_lists_the_core_dependencies():
    """docs/install.md's headless list = pyproject's dependencies minus the optional groups."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    optional = {d for group in ("excel", "fetch") for d in project["optional-dependencies"][group]}
    core = [d for d in project["dependencies"] if d not in optional]
    guide = (ROOT / "docs" / "install.md").read_text(encoding="utf-8")
    line = next(ln for ln in guide.splitlines() if ln.startswith("python3 -m pip install \"openpyxl"))
    assert sorted(line.split("install ", 1)[1].replace('"', "").split()) == sorted(core)
    assert optional | set(core) == set(project["dependencies"])
