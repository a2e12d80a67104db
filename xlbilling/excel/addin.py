"""Build ``xlbilling.xlam``, the Excel add-in, from xlwings' own BSD ribbon template.

No Excel is needed: an ``.xlam`` is a zip of XML parts plus a binary VBA project.
We copy xlwings' ``quickstart_addin_ribbon.xlam`` member by member, replace only
the ribbon (``customUI/customUI.xml``), the config sheet and the sheet's name,
and leave ``xl/vbaProject.bin`` byte-identical (its VBA is tied to the xlwings
DLL of the same version, which is why xlwings is pinned and the build checks it).

The template's facts this module relies on (the VBA constant ``PROJECT_NAME`` is
``myaddin``, ``RibbonMyAddin.RunMain`` exists, the config keys and their rows) are
re-checked on every build against the template's bytes (the VBA source read by
excel/vba_project.py), so an xlwings upgrade that
changes them stops the build instead of producing an add-in that silently ignores
its config.  See docs/addin.md for the finance-staff and maintainer instructions.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from defusedxml import ElementTree as SafeET

from xlbilling import __version__
from xlbilling.errors import OutputError, XlbillingError
from xlbilling.excel.vba_project import vba_modules
from xlbilling.files.publish import atomic_write

# The file name is part of the contract: the template's RunMain runs
# `import <add-in file name without extension>; <that>.main()`.
ADDIN_FILE_NAME = "xlbilling.xlam"
TEMPLATE_FILE_NAME = "quickstart_addin_ribbon.xlam"

# The VBA constant PROJECT_NAME in the template; the VBA only reads a sheet named
# PROJECT_NAME + ".conf" (the template ships it as "_myaddin.conf", i.e. disabled).
PROJECT_NAME = "myaddin"
CONFIG_SHEET = f"{PROJECT_NAME}.conf"
DISABLED_CONFIG_SHEET = f"_{CONFIG_SHEET}"
# Where Import functions finds the Excel functions (the config's UDF Modules, and
# the module every generated VBA wrapper calls).  Add-ins built before the move
# name "xlbilling.udfs", which xlbilling/udfs.py keeps working.
UDF_MODULE = "xlbilling.excel.udfs"
RIBBON_ACTION = "RibbonMyAddin.RunMain"

CUSTOMUI_PART = "customUI/customUI.xml"
# Matches the template: its _rels/.rels points at customUI/customUI.xml with this
# namespace, and the template's ribbon is known to load in Excel as shipped.
CUSTOMUI_NS = "http://schemas.microsoft.com/office/2006/01/customui"
WORKBOOK_PART = "xl/workbook.xml"
CONFIG_SHEET_PART = "xl/worksheets/sheet1.xml"
SHARED_STRINGS_PART = "xl/sharedStrings.xml"
VBA_PART = "xl/vbaProject.bin"
CHANGED_PARTS = frozenset({CUSTOMUI_PART, WORKBOOK_PART, CONFIG_SHEET_PART})

# The config keys in the template's row order (rows 1-9, column A, as shared
# strings), with what xlbilling puts in column B and a note for column C.
# The VBA reads A1 down to the first blank cell; keys are matched
# case-insensitively.  NOTE: a key present here wins over the user's
# %USERPROFILE%\.myaddin\myaddin.conf file even when its value is blank; a blank
# Interpreter_Win still falls back to an INTERPRETER entry in that file, then to
# "pythonw" on the PATH (VBA GetConfig / ExecuteWindows in the template).
CONFIG_KEYS: tuple[tuple[str, str], ...] = (
    ("Interpreter_Win", "Blank: pythonw.exe on the PATH. Else the full path of pythonw.exe or python.exe of the environment where xlbilling is installed."),
    ("Interpreter_Mac", "Blank: python on the PATH. Else the full path of the python of the environment where xlbilling is installed."),
    ("PYTHONPATH", "Blank: nothing added. Extra folders for Python's import path, separated by ';'. Not needed when xlbilling is pip-installed."),
    ("Conda Path", "Blank: no conda. Else the Anaconda/Miniconda folder, e.g. C:\\Users\\you\\miniconda3 (use with Conda Env)."),
    ("Conda Env", "Blank: no conda. Else the conda environment name, e.g. base (use with Conda Path)."),
    ("UDF Modules", "The module Import Functions loads the Excel functions from. Do not change."),
    ("Debug UDFs", "FALSE. TRUE only when a developer debugs the functions from a Python editor."),
    ("Use UDF Server", "FALSE: each ribbon click starts Python afresh (safest)."),
    ("Show Console", "FALSE. TRUE shows the Python console window, which helps to see errors."),
)
BOOLEAN_KEYS = frozenset({"Debug UDFs", "Use UDF Server", "Show Console"})
# Keys the template lacks, added below its nine (row 10), as inline strings.
# ADD_WORKBOOK_TO_PYTHONPATH (VBA default "true") makes RunPython and the UDF
# server call xlwings.utils.prepare_sys_path with the workbook's FullName, which
# raises XlwingsError for a OneDrive/SharePoint web address that xlwings.conf does
# not map (xlwings #2017, #2386): Import report and every function would fail
# before xlbilling runs.  xlbilling is pip-installed, so the folder is not needed.
EXTRA_KEYS: tuple[tuple[str, bool, str], ...] = (
    ("ADD_WORKBOOK_TO_PYTHONPATH", False,
     "FALSE: xlbilling is installed with pip; TRUE would add the workbook's folder to Python's path and breaks"
     " workbooks opened from OneDrive/SharePoint."),
)
SETTABLE_KEYS = ("Interpreter_Win", "Interpreter_Mac", "PYTHONPATH", "Conda Path", "Conda Env")
BUILD_LABEL = "Built with xlwings"  # A13 -> B13 holds the xlwings version


@dataclass(frozen=True)
class BuildResult:
    path: Path
    xlwings_version: str
    template: Path
    template_sha256: str


# --------------------------------------------------------------------------- versions


def pinned_xlwings_version() -> str:
    """The `xlwings==X` pin from xlbilling's installed metadata (from pyproject)."""
    try:
        requirements = importlib.metadata.requires("xlbilling") or []
    except importlib.metadata.PackageNotFoundError:
        raise XlbillingError(
            "xlbilling's package metadata was not found, so the pinned xlwings version "
            "is unknown: install xlbilling (pip install -e . in the checkout) and retry"
        ) from None
    for req in requirements:
        match = re.match(r"^\s*xlwings\s*==\s*([0-9][^\s;,]*)\s*(;.*)?$", req, re.IGNORECASE)
        if match:
            return match.group(1)
    raise XlbillingError(
        f"pyproject.toml must pin xlwings exactly (xlwings==X.Y.Z); found {requirements!r}"
    )


def installed_xlwings_version() -> str:
    try:
        return importlib.metadata.version("xlwings")
    except importlib.metadata.PackageNotFoundError:
        raise XlbillingError("xlwings is not installed: pip install -e . installs the pinned version") from None


def check_xlwings_pin() -> str:
    """Refuse to build from any xlwings but the pinned one: the template's VBA
    declares `xlwings64-<version>.dll`, so a mismatched add-in fails in Excel."""
    pinned, installed = pinned_xlwings_version(), installed_xlwings_version()
    if pinned != installed:
        raise XlbillingError(
            f"xlwings {installed} is installed but xlbilling pins xlwings=={pinned}; the "
            f"add-in's VBA is tied to one xlwings version. Run `pip install xlwings=={pinned}` "
            "(or, when upgrading on purpose, change the pin in pyproject.toml, "
            "`pip install -e .`, and follow `xlbilling help addin`, 'Rebuilding after an xlwings upgrade')"
        )
    return installed


def template_path() -> Path:
    import xlwings  # only here: importing xlwings is slow and the CLI imports this module

    path = Path(xlwings.__file__).resolve().parent / TEMPLATE_FILE_NAME
    if not path.is_file():
        raise XlbillingError(f"xlwings' ribbon add-in template is missing: {path}")
    return path


# --------------------------------------------------------------------------- parts


def customui_xml() -> bytes:
    """The Billing tab: one Import report button wired to the template's RunMain,
    which runs `import xlbilling; xlbilling.main()`."""
    return f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<customUI xmlns="{CUSTOMUI_NS}">
    <ribbon>
        <tabs>
            <tab id="xlbillingTab" label="Billing">
                <group id="xlbillingInvoices" label="Invoices">
                    <button id="xlbillingImportReport" label="Import report" size="large"
                            onAction="{RIBBON_ACTION}" imageMso="ImportExcel"
                            screentip="Import a backup vendor's usage report"
                            supertip="Choose a vendor usage report (Axcient, x360Recover, Acronis, Altaro) and turn it into invoice lines in the active billing workbook. Needs Python with xlbilling installed." />
                </group>
            </tab>
        </tabs>
    </ribbon>
</customUI>
""".encode("utf-8")


def _inline(ref: str, text: str, style: int = 1) -> str:
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'


def config_sheet_xml(shared_index: dict[str, int], values: dict[str, str], xlwings_version: str) -> bytes:
    """The enabled config sheet: keys stay the template's shared strings (so
    sharedStrings.xml is unchanged and its counts stay right); values and notes
    are inline strings.  `sheetPr codeName="Sheet2"` must stay: the VBA project
    has a document module of that name bound to this sheet."""
    rows = []
    for row, (key, note) in enumerate(CONFIG_KEYS, start=1):
        cells = [f'<c r="A{row}" s="1" t="s"><v>{shared_index[key]}</v></c>']
        if key in BOOLEAN_KEYS:
            cells.append(f'<c r="B{row}" s="1" t="b"><v>0</v></c>')
        elif values.get(key):
            cells.append(_inline(f"B{row}", values[key]))
        cells.append(_inline(f"C{row}", note))
        rows.append(f'<row r="{row}">{"".join(cells)}</row>')
    for row, (key, value, note) in enumerate(EXTRA_KEYS, start=len(CONFIG_KEYS) + 1):
        rows.append(f'<row r="{row}">{_inline(f"A{row}", key)}<c r="B{row}" s="1" t="b"><v>{int(value)}</v></c>'
                    f'{_inline(f"C{row}", note)}</row>')
    first_info = len(CONFIG_KEYS) + len(EXTRA_KEYS) + 2
    # After a blank row (the VBA stops reading keys at the first blank A cell):
    stamp = [
        ("Settings end at the first blank row above. Rows below are information only.", None),
        (BUILD_LABEL, xlwings_version),
        ("Built by", f"xlbilling {__version__} from xlwings' {TEMPLATE_FILE_NAME}"),
    ]
    for row, (label, value) in enumerate(stamp, start=first_info):
        cells = [_inline(f"A{row}", label, style=2)]
        if value is not None:
            cells.append(_inline(f"B{row}", value))
        rows.append(f'<row r="{row}">{"".join(cells)}</row>')
    last_row = first_info - 1 + len(stamp)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheetPr codeName="Sheet2" />'
        f'<dimension ref="A1:C{last_row}" />'
        '<sheetViews><sheetView tabSelected="1" workbookViewId="0">'
        '<selection activeCell="B1" sqref="B1" /></sheetView></sheetViews>'
        '<sheetFormatPr defaultColWidth="8.875" defaultRowHeight="15.75" />'
        '<cols><col min="1" max="1" width="18" style="1" customWidth="1" />'
        '<col min="2" max="2" width="40" style="1" customWidth="1" />'
        '<col min="3" max="3" width="100" style="1" customWidth="1" />'
        '<col min="4" max="16384" width="8.875" style="1" /></cols>'
        f'<sheetData>{"".join(rows)}</sheetData>'
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3" />'
        '<pageSetup orientation="portrait" />'
        '</worksheet>'
    ).encode("utf-8")


# --------------------------------------------------------------------------- checks


def _check_template(members: dict[str, bytes], installed_version: str) -> dict[str, int]:
    """Verify what the build assumes about the template; return key -> shared-string index."""
    where = f"xlwings {installed_version}'s {TEMPLATE_FILE_NAME}"
    fix = "review xlbilling/excel/addin.py against the new template (`xlbilling help addin`, maintainer section)"
    for part in (CUSTOMUI_PART, WORKBOOK_PART, CONFIG_SHEET_PART, SHARED_STRINGS_PART, VBA_PART):
        if part not in members:
            raise XlbillingError(f"{where} has no {part}; {fix}")

    modules = vba_modules(members[VBA_PART])
    xlwings_vba = modules.get("xlwings", "")
    if f'Public Const PROJECT_NAME As String = "{PROJECT_NAME}"' not in xlwings_vba:
        raise XlbillingError(f"{where}: the VBA constant PROJECT_NAME is no longer {PROJECT_NAME!r}; {fix}")
    if f'Public Const XLWINGS_VERSION As String = "{installed_version}"' not in xlwings_vba:
        raise XlbillingError(f"{where}: its VBA is not for xlwings {installed_version}; {fix}")
    module, _, macro = RIBBON_ACTION.partition(".")
    if not re.search(rf"^\s*(Public\s+)?Sub\s+{macro}\s*\(", modules.get(module, ""), re.MULTILINE):
        raise XlbillingError(f"{where}: VBA module {module} has no Sub {macro}; {fix}")

    workbook = members[WORKBOOK_PART].decode("utf-8")
    if workbook.count(f'name="{DISABLED_CONFIG_SHEET}"') != 1:
        raise XlbillingError(f"{where}: no single sheet named {DISABLED_CONFIG_SHEET!r} in {WORKBOOK_PART}; {fix}")

    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    sst = SafeET.fromstring(members[SHARED_STRINGS_PART])
    strings = ["".join(t.text or "" for t in si.iter(f"{{{ns['m']}}}t")) for si in sst.findall("m:si", ns)]
    sheet = SafeET.fromstring(members[CONFIG_SHEET_PART])
    template_keys = [
        strings[int(c.find("m:v", ns).text)]
        for c in sheet.iterfind(".//m:c", ns)
        if c.get("r", "").startswith("A") and c.get("t") == "s"
    ]
    expected = [key for key, _ in CONFIG_KEYS]
    if template_keys != expected:
        raise XlbillingError(f"{where}: config keys changed: expected {expected}, found {template_keys}; {fix}")
    return {key: strings.index(key) for key in expected}


def _refuse_unsafe_output(target: Path, force: bool) -> None:
    import xlwings

    xlwings_dir = Path(xlwings.__file__).resolve().parent
    resolved = target.resolve()
    if resolved == xlwings_dir or xlwings_dir in resolved.parents:
        raise OutputError(
            f"refusing to write {target} inside the xlwings package ({xlwings_dir}): "
            "that would overwrite or pollute the template; choose another --out folder"
        )
    if target.exists() and not force:
        raise OutputError(f"{target} already exists; pass --force to replace it")


# --------------------------------------------------------------------------- build


def build_addin(
    out_dir: str | os.PathLike[str] = ".",
    *,
    force: bool = False,
    settings: dict[str, str] | None = None,
    template: str | os.PathLike[str] | None = None,
) -> BuildResult:
    """Write OUT_DIR/xlbilling.xlam from the xlwings template; return what was built.

    `settings` fills the optional interpreter keys (SETTABLE_KEYS) for a site
    where Python is not on the PATH.  `template` exists for tests only.
    """
    settings = dict(settings or {})
    unknown = set(settings) - set(SETTABLE_KEYS)
    if unknown:
        raise XlbillingError(f"unknown add-in setting(s) {sorted(unknown)}; known: {list(SETTABLE_KEYS)}")
    version = check_xlwings_pin()
    source = Path(template) if template is not None else template_path()
    out = Path(out_dir)
    if not out.is_dir():
        raise OutputError(f"output folder {out} does not exist")
    target = out / ADDIN_FILE_NAME
    _refuse_unsafe_output(target, force)

    template_bytes = source.read_bytes()
    with zipfile.ZipFile(io.BytesIO(template_bytes)) as zin:
        infos = zin.infolist()
        members = {info.filename: zin.read(info) for info in infos}
    shared_index = _check_template(members, version)
    replaced = {
        CUSTOMUI_PART: customui_xml(),
        WORKBOOK_PART: members[WORKBOOK_PART].replace(
            f'name="{DISABLED_CONFIG_SHEET}"'.encode(), f'name="{CONFIG_SHEET}"'.encode()
        ),
        CONFIG_SHEET_PART: config_sheet_xml(shared_index, {**settings, "UDF Modules": UDF_MODULE}, version),
    }

    def _write_zip(tmp_name: str) -> None:
        with zipfile.ZipFile(tmp_name, "w") as zout:
            for info in infos:
                # Same name, order, date, compression and attributes as the
                # template, so the build is reproducible and only 3 parts differ.
                copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                copy.compress_type = info.compress_type
                copy.external_attr = info.external_attr
                copy.create_system = info.create_system
                copy.extra = info.extra
                zout.writestr(copy, replaced.get(info.filename, members[info.filename]))

    try:
        atomic_write(target, _write_zip, overwrite=force)
    except OSError as err:
        raise OutputError(f"cannot write {target}: {err.strerror or err}") from err
    return BuildResult(target, version, source, hashlib.sha256(template_bytes).hexdigest())


def read_config_sheet(path: str | os.PathLike[str]) -> dict[str, str | bool | None]:
    """Column A -> column B of the add-in's config sheet, every row (keys and the
    build stamp), for `install`'s version check and for the tests."""
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    with zipfile.ZipFile(path) as z:
        sheet = SafeET.fromstring(z.read(CONFIG_SHEET_PART))
        sst = SafeET.fromstring(z.read(SHARED_STRINGS_PART))
    strings = ["".join(t.text or "" for t in si.iter(f"{ns}t")) for si in sst.iter(f"{ns}si")]

    def value(cell):
        kind = cell.get("t")
        if kind == "s":
            return strings[int(cell.find(f"{ns}v").text)]
        if kind == "inlineStr":
            return "".join(t.text or "" for t in cell.iter(f"{ns}t"))
        if kind == "b":
            return cell.find(f"{ns}v").text == "1"
        v = cell.find(f"{ns}v")
        return None if v is None else v.text

    result: dict[str, str | bool | None] = {}
    for row in sheet.iter(f"{ns}row"):
        cells = {re.sub(r"\d", "", c.get("r")): value(c) for c in row.iter(f"{ns}c")}
        if cells.get("A"):
            result[str(cells["A"])] = cells.get("B")
    return result


# --------------------------------------------------------------------------- install


def _check_addin_file(path: Path) -> str:
    if path.name != ADDIN_FILE_NAME:
        raise XlbillingError(
            f"{path} must be named {ADDIN_FILE_NAME}: the ribbon button runs "
            "`import <file name>; <file name>.main()`"
        )
    if not path.is_file():
        raise XlbillingError(f"{path} does not exist; run `xlbilling addin build` first")
    built_with = read_config_sheet(path).get(BUILD_LABEL)
    installed = installed_xlwings_version()
    if built_with != installed:
        raise XlbillingError(
            f"{path} was built with xlwings {built_with} but xlwings {installed} is installed; "
            "rebuild it with `xlbilling addin build --force`"
        )
    return installed


def manual_instructions(action: str, path: Path | None) -> str:
    """What to do where `xlwings addin install/remove` is not run (not Windows)."""
    name = ADDIN_FILE_NAME
    if action == "install":
        where = f"The add-in to copy is {path}." if path else "Build it first with `xlbilling addin build`."
        return (
            f"Nothing was installed: Excel add-ins are installed on the computer that runs Excel, "
            f"and this system is {sys.platform}, not Windows. {where}\n"
            f"  Windows (recommended; the Excel functions work only there): install Python and "
            f"xlbilling on the PC, then run `xlbilling addin install` there with Excel closed "
            f"(or copy {name} over and run `xlbilling addin install --file {name}`).\n"
            f"  macOS (ribbon button only, no Excel functions): run `xlwings addin install -f {name}` "
            "with Excel closed (it also installs the AppleScript RunPython needs); or in Excel choose "
            "Tools > Excel Add-ins > Browse, pick the file, tick it, and run `xlwings runpython install`.\n"
            "Guide: `xlbilling help addin`."
        )
    return (
        f"Nothing was removed: this system is {sys.platform}, not Windows.\n"
        f"  Windows: run `xlbilling addin uninstall` (or `xlwings addin remove -f {name}`) with Excel closed.\n"
        f"  macOS: run `xlwings addin remove -f {name}`, or untick it under Tools > Excel Add-ins.\n"
        "Guide: `xlbilling help addin`."
    )


def _run_xlwings(args: list[str], success_text: str) -> str:
    """Run the xlwings CLI; it prints errors and still exits 0, so success is
    judged from its output as well as its exit code."""
    exe = shutil.which("xlwings")
    command = [exe, *args] if exe else [sys.executable, "-m", "xlwings.cli", *args]
    proc = subprocess.run(command, capture_output=True, text=True)
    output = (proc.stdout + proc.stderr).strip()
    if proc.returncode != 0 or success_text not in output:
        raise XlbillingError(
            f"`xlwings {' '.join(args)}` failed (exit {proc.returncode}):\n{output}\n"
            "Quit Excel and retry; a Microsoft Store Excel cannot be automated, "
            "see `xlbilling help addin`, 'Known problems'"
        )
    return output


def install_addin(path: str | os.PathLike[str] | None = None, *, import_functions: bool = True) -> str:
    """Install the add-in into Excel's XLSTART folder via `xlwings addin install`
    (Windows only; elsewhere return instructions).

    Without `path`, a fresh add-in is built with Interpreter_Win set to the
    pythonw.exe beside this Python (never blank: a blank one relies on PATH and
    on the DLL search path, which venvs, conda and per-user installs break).
    Then the Excel functions are imported into it (xlwings' import_udfs, in a
    hidden Excel; the exact instruction instead when trust access to the VBA
    project is off) and xlwings copies it to XLSTART.  `path`: a file built
    earlier, installed as a copy so the original stays as it is."""
    from xlbilling.excel import addin_live

    on_windows = sys.platform.startswith("win")
    if path is not None:
        path = Path(path).resolve()
        _check_addin_file(path)
    if not on_windows:
        return manual_instructions("install", path)
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="xlbilling-addin-") as tmp:
        if path is None:
            interpreter = addin_live.pythonw_for_excel()
            built = build_addin(tmp, settings={"Interpreter_Win": interpreter}).path
            notes.append(f"Interpreter_Win: {interpreter}")
            problem = addin_live.dll_problem(interpreter, addin_live.xlwings_dll_paths(),
                                              installed_xlwings_version())
            if problem:
                notes.append(f"WARNING: {problem}")
        else:
            built = Path(tmp) / ADDIN_FILE_NAME
            shutil.copyfile(path, built)
            if not read_config_sheet(built).get("Interpreter_Win"):
                notes.append("WARNING: this add-in's Interpreter_Win is blank: Excel will start `pythonw` from the"
                             " PATH. `xlbilling addin install` without --file sets it to this Python.")
        if import_functions:
            try:
                names = addin_live.import_into_addin(built)
                notes.append(f"Imported {len(names)} Excel functions into {ADDIN_FILE_NAME}.")
            except addin_live.TrustAccessOff as exc:
                notes.append(f"NOT DONE: {exc}")
        output = _run_xlwings(["addin", "install", "-f", str(built)], "Successfully installed")
    return "\n".join([output, *notes])


def check_addin() -> tuple[str, bool]:
    """`xlbilling addin check`: the pass/fail table, and whether all passed."""
    from xlbilling.excel import addin_live

    if not sys.platform.startswith("win"):
        return ("Nothing was checked: `xlbilling addin check` needs desktop Excel on Windows, with the add-in"
                f" installed (`xlbilling addin install`); this system is {sys.platform}.", True)
    rows = addin_live.check()
    return addin_live.check_table(rows), all(r.passed for r in rows)


def uninstall_addin() -> str:
    """Remove xlbilling.xlam from XLSTART via `xlwings addin remove` (Windows only)."""
    if not sys.platform.startswith("win"):
        return manual_instructions("uninstall", None)
    return _run_xlwings(["addin", "remove", "-f", ADDIN_FILE_NAME], "Successfully removed")
