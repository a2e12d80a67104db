"""The built xlbilling.xlam, checked without Excel: a valid zip whose ribbon
Excel will load (it silently drops an invalid one), whose config sheet the VBA
will read, and whose VBA project is the template's, byte for byte."""
from __future__ import annotations

import argparse
import importlib.metadata
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from defusedxml import ElementTree as SafeET

from xlbilling.excel import addin
from xlbilling.commands import addin as addin_command
from xlbilling.errors import OutputError, XlbillingError

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def template() -> Path:
    return addin.template_path()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return addin.build_addin(tmp_path_factory.mktemp("addin")).path


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def vba_project_name(vba_source: str) -> str:
    match = re.search(r'^Public Const PROJECT_NAME As String = "([^"]+)"', vba_source, re.MULTILINE)
    assert match, "PROJECT_NAME constant not found in the xlwings VBA module"
    return match.group(1)


# --------------------------------------------------------------------------- the zip


def test_output_is_named_for_runmain_and_is_a_valid_zip(built):
    # RunMain imports the add-in's file name: xlbilling.xlam -> xlbilling.main()
    assert built.name == "xlbilling.xlam"
    with zipfile.ZipFile(built) as z:
        assert z.testzip() is None


def test_every_xml_part_is_well_formed(built):
    parts = members(built)
    xml_parts = [n for n in parts if n.endswith((".xml", ".rels"))]
    assert len(xml_parts) == 11
    for name in xml_parts:
        SafeET.fromstring(parts[name])  # raises on malformed XML


def test_only_the_ribbon_sheet_and_sheet_name_change(built, template):
    new, old = members(built), members(template)
    assert list(new) == list(old)  # same members, same order
    changed = {name for name in old if new[name] != old[name]}
    assert changed == {"customUI/customUI.xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"}
    with zipfile.ZipFile(built) as zn, zipfile.ZipFile(template) as zo:
        for a, b in zip(zn.infolist(), zo.infolist()):
            assert (a.compress_type, a.date_time) == (b.compress_type, b.date_time), a.filename


def test_vba_project_is_byte_identical(built, template):
    assert members(built)["xl/vbaProject.bin"] == members(template)["xl/vbaProject.bin"]


def test_build_is_reproducible(built, tmp_path):
    again = addin.build_addin(tmp_path).path
    assert again.read_bytes() == built.read_bytes()


# --------------------------------------------------------------------------- VBA


def test_vba_source_lists_runmain_and_the_project_name(built):
    modules = addin.vba_modules(members(built)["xl/vbaProject.bin"])
    assert {"RibbonMyAddin", "xlwings", "ThisWorkbook", "Sheet2"} <= set(modules)
    assert re.search(r"^Sub RunMain\(control As IRibbonControl\)", modules["RibbonMyAddin"], re.MULTILINE)
    # RunMain imports the add-in's own file name and calls main()
    assert 'RunPython "import " & mymodule & ";" & mymodule & ".main()"' in modules["RibbonMyAddin"]
    assert vba_project_name(modules["xlwings"]) == "myaddin"
    assert f'XLWINGS_VERSION As String = "{importlib.metadata.version("xlwings")}"' in modules["xlwings"]


def test_decompressed_vba_matches_the_bas_file_xlwings_ships(template):
    """The decompressor is checked against real data: the template's main module
    is (apart from a few header lines) xlwings' own xlwings_custom_addin.bas."""
    source = addin.vba_modules(members(template)["xl/vbaProject.bin"])["xlwings"]
    bas = (template.parent / "xlwings_custom_addin.bas").read_text(encoding="cp1252")
    wanted = [line for line in bas.splitlines() if line.strip() and not line.startswith("Attribute")]
    got = set(source.splitlines())
    missing = [line for line in wanted if line not in got]
    assert len(wanted) > 500
    assert missing == []


# --------------------------------------------------------------------------- ribbon


def test_customui_is_the_billing_tab_wired_to_runmain(built, template):
    ui = SafeET.fromstring(members(built)["customUI/customUI.xml"])
    template_ui = SafeET.fromstring(members(template)["customUI/customUI.xml"])
    ns = template_ui.tag.split("}")[0].strip("{")
    assert ns == "http://schemas.microsoft.com/office/2006/01/customui"
    assert ui.tag == f"{{{ns}}}customUI"
    q = lambda tag: f"{{{ns}}}{tag}"  # noqa: E731
    assert [t.get("label") for t in ui.iter(q("tab"))] == ["Billing"]
    buttons = list(ui.iter(q("button")))
    assert [b.get("label") for b in buttons] == ["Import report"]
    assert buttons[0].get("imageMso") and buttons[0].get("screentip") and buttons[0].get("supertip")
    actions = [el.get("onAction") for el in ui.iter() if el.get("onAction") is not None]
    assert actions and all(a == "RibbonMyAddin.RunMain" for a in actions)
    ids = [el.get("id") for el in ui.iter() if el.get("id")]
    assert len(ids) == len(set(ids))


def test_every_onaction_names_a_macro_in_the_vba(built):
    parts = members(built)
    modules = addin.vba_modules(parts["xl/vbaProject.bin"])
    ui = SafeET.fromstring(parts["customUI/customUI.xml"])
    for el in ui.iter():
        if el.get("onAction"):
            module, macro = el.get("onAction").split(".")
            assert re.search(rf"^Sub {macro}\(", modules[module], re.MULTILINE)


def test_package_still_points_at_the_customui_part(built):
    rels = SafeET.fromstring(members(built)["_rels/.rels"])
    targets = {r.get("Target"): r.get("Type") for r in rels}
    assert targets["customUI/customUI.xml"].endswith("/ui/extensibility")


# --------------------------------------------------------------------------- config sheet


def vba_read_config(parts: dict[str, bytes]) -> dict[str, object]:
    """What the VBA's GetConfigFromSheet sees: A1 down to the first blank A cell,
    keys upper-cased, values from column B."""
    sst = SafeET.fromstring(parts["xl/sharedStrings.xml"])
    strings = ["".join(t.text or "" for t in si.iter(f"{{{MAIN_NS}}}t")) for si in sst]
    sheet = SafeET.fromstring(parts["xl/worksheets/sheet1.xml"])
    cells = {}
    for c in sheet.iter(f"{{{MAIN_NS}}}c"):
        kind, v = c.get("t"), c.find(f"{{{MAIN_NS}}}v")
        if kind == "s":
            cells[c.get("r")] = strings[int(v.text)]
        elif kind == "inlineStr":
            cells[c.get("r")] = "".join(t.text or "" for t in c.iter(f"{{{MAIN_NS}}}t"))
        elif kind == "b":
            cells[c.get("r")] = v.text == "1"
    config, row = {}, 1
    while cells.get(f"A{row}"):
        config[cells[f"A{row}"].upper()] = cells.get(f"B{row}", "")
        row += 1
    return config


def test_config_sheet_is_enabled_under_the_vba_project_name(built):
    parts = members(built)
    workbook = SafeET.fromstring(parts["xl/workbook.xml"])
    sheets = workbook.find(f"{{{MAIN_NS}}}sheets")
    project = vba_project_name(addin.vba_modules(parts["xl/vbaProject.bin"])["xlwings"])
    assert [s.get("name") for s in sheets] == [f"{project}.conf"]  # not "_myaddin.conf"
    # the sheet stays bound to the VBA document module Sheet2
    sheet = SafeET.fromstring(parts["xl/worksheets/sheet1.xml"])
    assert sheet.find(f"{{{MAIN_NS}}}sheetPr").get("codeName") == "Sheet2"


def test_config_keys_as_the_vba_reads_them(built):
    config = vba_read_config(members(built))
    assert config == {
        "INTERPRETER_WIN": "",
        "INTERPRETER_MAC": "",
        "PYTHONPATH": "",
        "CONDA PATH": "",
        "CONDA ENV": "",
        "UDF MODULES": "xlbilling.excel.udfs",
        "DEBUG UDFS": False,
        "USE UDF SERVER": False,
        "SHOW CONSOLE": False,
        # not in the template: RunPython / the UDF server leave the workbook's folder off
        # sys.path, so prepare_sys_path never has to map a OneDrive URL (issue 9 item 5)
        "ADD_WORKBOOK_TO_PYTHONPATH": False,
    }


def test_config_records_the_xlwings_version(built):
    assert addin.read_config_sheet(built)["Built with xlwings"] == importlib.metadata.version("xlwings")


def test_shared_strings_stay_consistent(built, template):
    parts = members(built)
    assert parts["xl/sharedStrings.xml"] == members(template)["xl/sharedStrings.xml"]
    sst = SafeET.fromstring(parts["xl/sharedStrings.xml"])
    sheet = SafeET.fromstring(parts["xl/worksheets/sheet1.xml"])
    refs = [int(c.find(f"{{{MAIN_NS}}}v").text) for c in sheet.iter(f"{{{MAIN_NS}}}c") if c.get("t") == "s"]
    assert sorted(refs) == list(range(len(sst)))
    assert int(sst.get("count")) == len(refs) and int(sst.get("uniqueCount")) == len(sst)


def test_openpyxl_reads_the_config_sheet(built, tmp_path):
    # openpyxl refuses the add-in content type; the same package as .xlsm opens.
    openpyxl = pytest.importorskip("openpyxl")
    copy = tmp_path / "as_workbook.xlsm"
    with zipfile.ZipFile(built) as src, zipfile.ZipFile(copy, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"ms-excel.addin.macroEnabled", b"ms-excel.sheet.macroEnabled")
            dst.writestr(info, data)
    wb = openpyxl.load_workbook(copy, keep_vba=True)
    try:
        ws = wb["myaddin.conf"]
        assert ws["A6"].value == "UDF Modules" and ws["B6"].value == "xlbilling.excel.udfs"
        assert ws["A7"].value == "Debug UDFs" and ws["B7"].value is False
        # row 10: not in the template: the workbook's folder stays off Python's path (OneDrive URLs)
        assert ws["A10"].value == "ADD_WORKBOOK_TO_PYTHONPATH" and ws["B10"].value is False
        assert ws["A11"].value is None  # the VBA stops reading keys here
    finally:
        # keep_vba leaves an in-memory ZipFile that wb.close() does not close;
        # left to the collector it raised 'I/O operation on closed file' later
        wb.vba_archive.close()
        wb.close()


def test_interpreter_settings_are_written_escaped(tmp_path):
    path = addin.build_addin(tmp_path, settings={"Interpreter_Win": r"C:\A&B\<py>\pythonw.exe", "Conda Env": "billing"}).path
    config = vba_read_config(members(path))
    assert config["INTERPRETER_WIN"] == r"C:\A&B\<py>\pythonw.exe"
    assert config["CONDA ENV"] == "billing"
    assert config["UDF MODULES"] == "xlbilling.excel.udfs"


def test_unknown_setting_is_refused(tmp_path):
    with pytest.raises(XlbillingError, match="UDF Modules"):
        addin.build_addin(tmp_path, settings={"UDF Modules": "other"})
    assert not (tmp_path / "xlbilling.xlam").exists()


# --------------------------------------------------------------------------- outputs


def test_existing_output_refused_without_force(tmp_path):
    target = tmp_path / "xlbilling.xlam"
    target.write_bytes(b"keep me")
    with pytest.raises(OutputError, match="--force"):
        addin.build_addin(tmp_path)
    assert target.read_bytes() == b"keep me"
    addin.build_addin(tmp_path, force=True)
    assert zipfile.is_zipfile(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["xlbilling.xlam"]  # no temp left


def test_never_writes_inside_the_xlwings_package(template):
    before = template.read_bytes()
    with pytest.raises(OutputError, match="xlwings package"):
        addin.build_addin(template.parent, force=True)
    assert not (template.parent / "xlbilling.xlam").exists()
    assert template.read_bytes() == before


def test_output_replaces_a_folder_only_with_a_clear_error(tmp_path):
    (tmp_path / "xlbilling.xlam").mkdir()
    with pytest.raises(OutputError, match="cannot write"):
        addin.build_addin(tmp_path, force=True)
    assert [p.name for p in tmp_path.iterdir()] == ["xlbilling.xlam"]  # temp file removed


def test_output_is_readable_by_others(tmp_path):
    path = addin.build_addin(tmp_path).path
    assert path.stat().st_mode & 0o044 == 0o044


def test_missing_output_folder_is_an_error(tmp_path):
    with pytest.raises(OutputError, match="does not exist"):
        addin.build_addin(tmp_path / "nope")


def test_a_changed_template_stops_the_build(tmp_path, template):
    doctored = tmp_path / "template.xlam"
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(doctored, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/sharedStrings.xml":
                data = data.replace(b"<t>UDF Modules</t>", b"<t>UDF Module List</t>")
            dst.writestr(info, data)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(XlbillingError, match="config keys changed"):
        addin.build_addin(out, template=doctored)
    assert list(out.iterdir()) == []


# --------------------------------------------------------------------------- version pin


def test_metadata_pin_matches_pyproject():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pins = [d for d in pyproject["project"]["dependencies"] if d.replace(" ", "").startswith("xlwings==")]
    assert pins, "pyproject.toml must pin xlwings=="
    assert addin.pinned_xlwings_version() == pins[0].split("==")[1].strip()


def test_build_refuses_a_different_xlwings(tmp_path, monkeypatch):
    real_requires = importlib.metadata.requires
    monkeypatch.setattr(
        addin.importlib.metadata, "requires",
        lambda name: ["xlwings==0.0.1"] if name == "xlbilling" else real_requires(name),
    )
    with pytest.raises(XlbillingError, match=r"xlwings .* installed but xlbilling pins xlwings==0\.0\.1"):
        addin.build_addin(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_build_refuses_an_unpinned_xlwings(monkeypatch):
    monkeypatch.setattr(addin.importlib.metadata, "requires", lambda name: ["xlwings>=0.30", "pandas"])
    with pytest.raises(XlbillingError, match="must pin xlwings exactly"):
        addin.check_xlwings_pin()


# --------------------------------------------------------------------------- install


class FakeRun:
    def __init__(self, stdout: str, returncode: int = 0):
        self.stdout, self.returncode, self.calls = stdout, returncode, []

    def __call__(self, command, **kwargs):
        self.calls.append(command)
        return subprocess.CompletedProcess(command, self.returncode, self.stdout, "")


def test_install_on_windows_runs_xlwings_addin_install(built, monkeypatch):
    fake = FakeRun("Successfully installed the xlwings add-in! Please restart Excel.")
    monkeypatch.setattr(addin.sys, "platform", "win32")
    monkeypatch.setattr(addin.subprocess, "run", fake)
    from xlbilling.excel import addin_live
    imported = []
    monkeypatch.setattr(addin_live, "import_into_addin", lambda p: imported.append(p) or ["COST_PRICE"])
    text = addin.install_addin(built)
    assert "Successfully installed" in text and "Imported 1 Excel functions" in text
    # a copy is installed (functions imported into it), the given file stays as it was
    assert fake.calls[0][-4:-1] == ["addin", "install", "-f"]
    assert fake.calls[0][-1] == str(imported[0]) and imported[0].name == "xlbilling.xlam"
    assert imported[0] != built.resolve()


def test_install_failure_printed_by_xlwings_is_an_error(built, monkeypatch):
    # xlwings prints its errors and still exits 0
    fake = FakeRun("Error: Failed to install the add-in: If Excel is running, quit Excel and try again.")
    monkeypatch.setattr(addin.sys, "platform", "win32")
    monkeypatch.setattr(addin.subprocess, "run", fake)
    from xlbilling.excel import addin_live
    monkeypatch.setattr(addin_live, "import_into_addin", lambda p: [])
    with pytest.raises(XlbillingError, match="Quit Excel"):
        addin.install_addin(built)


def test_uninstall_on_windows_runs_xlwings_addin_remove(monkeypatch):
    fake = FakeRun("Successfully removed the add-in!")
    monkeypatch.setattr(addin.sys, "platform", "win32")
    monkeypatch.setattr(addin.subprocess, "run", fake)
    addin.uninstall_addin()
    assert fake.calls[0][-4:] == ["addin", "remove", "-f", "xlbilling.xlam"]


def test_install_elsewhere_explains_what_to_do(built, monkeypatch):
    monkeypatch.setattr(addin.sys, "platform", "linux")
    monkeypatch.setattr(addin.subprocess, "run", None)  # must not be called
    text = addin.install_addin(built)
    assert text.startswith("Nothing was installed")
    assert "xlwings addin install -f xlbilling.xlam" in text and "Windows" in text
    assert addin.uninstall_addin().startswith("Nothing was removed")


def test_install_refuses_a_renamed_or_stale_addin(built, tmp_path, monkeypatch):
    renamed = tmp_path / "billing.xlam"
    renamed.write_bytes(built.read_bytes())
    with pytest.raises(XlbillingError, match="must be named xlbilling.xlam"):
        addin.install_addin(renamed)
    monkeypatch.setattr(addin, "installed_xlwings_version", lambda: "9.9.9")
    with pytest.raises(XlbillingError, match="built with xlwings .* but xlwings 9.9.9"):
        addin.install_addin(built)


# --------------------------------------------------------------------------- CLI


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="xlbilling")
    addin_command.register(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


def test_cli_is_registered():
    from xlbilling.commands import cli

    assert "xlbilling.commands.addin" in cli.COMMANDS


def test_cli_build_then_refuse_then_force(tmp_path, capsys):
    args = parse(["addin", "build", "--out", str(tmp_path), "--interpreter-win", r"C:\py\pythonw.exe"])
    assert args.func(args) == 0
    assert "xlbilling.xlam" in capsys.readouterr().out
    assert addin.read_config_sheet(tmp_path / "xlbilling.xlam")["Interpreter_Win"] == r"C:\py\pythonw.exe"
    with pytest.raises(OutputError):
        args.func(args)
    forced = parse(["addin", "build", "--out", str(tmp_path), "--force"])
    assert forced.func(forced) == 0
    assert addin.read_config_sheet(tmp_path / "xlbilling.xlam")["Interpreter_Win"] is None


@pytest.mark.skipif(sys.platform.startswith("win"), reason="the non-Windows message")
def test_cli_install_off_windows_prints_instructions(capsys):
    args = parse(["addin", "install"])
    assert args.func(args) == 0
    assert "Nothing was installed" in capsys.readouterr().out


def test_cli_maps_errors_to_exit_2(tmp_path, monkeypatch, capsys):
    from xlbilling.commands import cli

    # only this command: the others are not this test's business
    monkeypatch.setattr(cli, "COMMANDS", ("xlbilling.commands.addin",))
    (tmp_path / "xlbilling.xlam").write_bytes(b"old")
    assert cli.main(["addin", "build", "--out", str(tmp_path)]) == 2
    assert "already exists; pass --force" in capsys.readouterr().err
    assert cli.main(["addin", "build", "--out", str(tmp_path), "--force"]) == 0
