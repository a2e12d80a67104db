"""LibreOffice helper for tests: convert workbooks headlessly with a private
profile that recalculates on load, and read back the recalculated values.

`soffice` can hang: each run has a timeout and its whole process group is
killed.  Tests using it are marked `@pytest.mark.libreoffice` and skipped
(with a reason) only when soffice is not installed; CI installs it (.ci/run).
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import pytest

TIMEOUT_S = 120

# /org.openoffice.Office.Calc/Formula/Load: OOXMLRecalcMode 0 = always recalculate
# (the default may trust cached values); ODFRecalcMode likewise.
_REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


requires_soffice = pytest.mark.skipif(soffice() is None,
                                      reason="LibreOffice (soffice) is not installed; .ci/run installs it")


def _profile(root: Path) -> str:
    user = root / "profile" / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(_REGISTRY, encoding="utf-8")
    return (root / "profile").as_uri()


def convert(paths: list[Path], out_dir: Path, to: str = "xlsx") -> list[Path]:
    """soffice --convert-to `to` for every path in one launch; returns the converted files."""
    exe = soffice()
    if exe is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="xlb-lo-") as tmp:
        cmd = [exe, f"-env:UserInstallation={_profile(Path(tmp))}", "--headless", "--norestore",
               "--nologo", "--convert-to", to, "--outdir", str(out_dir), *map(str, paths)]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                                env={**os.environ, "HOME": tmp})
        try:
            out, err = proc.communicate(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise AssertionError(f"soffice did not finish within {TIMEOUT_S} s: {cmd}")
    ext = to.split(":")[0]
    results = [out_dir / (Path(p).stem + "." + ext) for p in paths]
    missing = [r for r in results if not r.exists()]
    assert not missing, f"soffice produced no {missing}: rc={proc.returncode} {out!r} {err!r}"
    return results


def recalculated(paths: list[Path], out_dir: Path) -> list:
    """Open each workbook in LibreOffice, recalculate, save as xlsx; return
    openpyxl workbooks (data_only: the values LibreOffice computed)."""
    import openpyxl

    return [openpyxl.load_workbook(p, data_only=True) for p in convert(paths, out_dir)]
