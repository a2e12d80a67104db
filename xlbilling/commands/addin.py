"""`xlbilling addin build|install|uninstall`: a thin adapter over xlbilling.excel.addin.

`install`/`uninstall` run xlwings' own `xlwings addin install|remove` on Windows
(install first builds with Interpreter_Win set and imports the functions);
`check` recalculates every catalogue example in Excel (xlbilling.excel.addin_live).
Elsewhere they print what to do on the computer that runs Excel and exit 0:
there is nothing wrong with the data or the command, the add-in simply belongs
on another machine (docs/addin.md says so too).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from xlbilling.errors import OutputError
from xlbilling.excel import addin
from xlbilling.optional import guarded

# CLI option -> config-sheet key (blank keys mean "the default interpreter").
_SETTING_OPTIONS = {
    "interpreter_win": "Interpreter_Win",
    "interpreter_mac": "Interpreter_Mac",
    "pythonpath": "PYTHONPATH",
    "conda_path": "Conda Path",
    "conda_env": "Conda Env",
}


EPILOG = """examples:
  xlbilling addin build --out xlbilling.xlam
      write the add-in (no Excel needed)
  xlbilling addin install
      install it into Excel (Windows, Excel closed)"""

BUILD_EPILOG = """examples:
  xlbilling addin build
      write ./xlbilling.xlam
  xlbilling addin build --out shared/xlbilling.xlam --force
      into another folder, replacing an older build
  xlbilling addin build --interpreter-win "C:\\Python311\\pythonw.exe"
      for a PC where Python is not on the PATH"""


def _out_folder(out: str) -> str:
    """--out FILE.xlam (the form every other --out has) -> its folder.  The old
    form, --out FOLDER, still works, with a note."""
    path = Path(out)
    if path.suffix.lower() == ".xlam":
        if path.name.lower() != addin.ADDIN_FILE_NAME.lower():
            raise OutputError(f"--out {out}: the add-in must be called {addin.ADDIN_FILE_NAME} (Excel's ribbon"
                              f" calls it by that name): e.g. --out {path.with_name(addin.ADDIN_FILE_NAME)}")
        return str(path.parent)
    if path.is_dir():
        print(f"addin build: note: --out FOLDER is the old form; give the file instead:"
              f" --out {path / addin.ADDIN_FILE_NAME}", file=sys.stderr)
        return str(path)
    raise OutputError(f"--out {out}: expected the add-in file to write, e.g. --out {addin.ADDIN_FILE_NAME}")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "addin",
        help="build, install or uninstall the xlbilling.xlam Excel add-in",
        description="Build xlbilling.xlam (the Billing ribbon tab and the Excel "
        "functions) from xlwings' own add-in template, and install it into Excel (`xlbilling help addin`).",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    build = actions.add_parser(
        "build",
        help="write xlbilling.xlam (no Excel needed)",
        description="Write xlbilling.xlam from the template shipped with the pinned "
        "xlwings. The interpreter options are only needed where Python is not on the PATH.",
        epilog=BUILD_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    build.add_argument("--out", default=addin.ADDIN_FILE_NAME, metavar="FILE.xlam",
                       help="the add-in file to write, named xlbilling.xlam (default: ./xlbilling.xlam); the old"
                            " form, a folder, still works")
    build.add_argument("--force", action="store_true", help="replace an existing xlbilling.xlam")
    build.add_argument("--interpreter-win", metavar="PATH", help="full path of pythonw.exe (blank: pythonw on the PATH)")
    build.add_argument("--interpreter-mac", metavar="PATH", help="full path of python on macOS (blank: python on the PATH)")
    build.add_argument("--pythonpath", metavar="DIRS", help="extra import folders, ';'-separated")
    build.add_argument("--conda-path", metavar="DIR", help="Anaconda/Miniconda folder (with --conda-env)")
    build.add_argument("--conda-env", metavar="NAME", help="conda environment name (with --conda-path)")
    build.set_defaults(func=guarded(run))

    install = actions.add_parser(
        "install",
        help="install the add-in into Excel (Windows; prints instructions elsewhere)",
        description="Run `xlwings addin install -f xlbilling.xlam` with Excel closed. Without "
        "--file a fresh add-in is built first, its Interpreter_Win set to the pythonw.exe beside this Python; "
        "the Excel functions are imported into it in a hidden Excel (trust access to the VBA project must be on).",
        epilog="examples:\n  xlbilling addin install\n      build a fresh add-in and install it (Excel closed)\n"
               "  xlbilling addin install --file xlbilling.xlam\n      install one built earlier",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    install.add_argument("--file", metavar="PATH", help="an xlbilling.xlam built earlier")
    install.set_defaults(func=guarded(run))

    check = actions.add_parser(
        "check",
        help="check the installed add-in in Excel: every catalogue example as a formula (Windows)",
        description="Open a hidden Excel with the installed add-in, enter every `xlbilling catalogue` example as"
        " a formula in a scratch workbook, recalculate, read the values back and compare them with Python's."
        " Prints a pass/fail table; exit 0 when all pass, 2 otherwise.",
        epilog="examples:\n  xlbilling addin check\n      after `xlbilling addin install`, with Excel installed",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.set_defaults(func=guarded(run))

    uninstall = actions.add_parser(
        "uninstall",
        help="remove the add-in from Excel (Windows; prints instructions elsewhere)",
        description="Run `xlwings addin remove` for xlbilling.xlam (Windows; elsewhere prints what to do).",
        epilog="examples:\n  xlbilling addin uninstall\n      with Excel closed",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    uninstall.set_defaults(func=guarded(run))


def run(args: argparse.Namespace) -> int:
    if args.action == "build":
        settings = {
            key: getattr(args, option)
            for option, key in _SETTING_OPTIONS.items()
            if getattr(args, option)
        }
        result = addin.build_addin(_out_folder(args.out), force=args.force, settings=settings)
        print(
            f"wrote {result.path} (xlwings {result.xlwings_version}, template "
            f"{result.template.name} sha256 {result.template_sha256[:12]})"
        )
        return 0
    if args.action == "install":
        print(addin.install_addin(args.file))
        return 0
    if args.action == "check":
        table, passed = addin.check_addin()
        print(table)
        return 0 if passed else 2
    print(addin.uninstall_addin())
    return 0
