"""`xlbilling addin build|install|uninstall`: a thin adapter over xlbilling.addin.

`install`/`uninstall` run xlwings' own `xlwings addin install|remove` on Windows.
Elsewhere they print what to do on the computer that runs Excel and exit 0:
there is nothing wrong with the data or the command, the add-in simply belongs
on another machine (docs/addin.md says so too).
"""
from __future__ import annotations

import argparse

from xlbilling import addin

# CLI option -> config-sheet key (blank keys mean "the default interpreter").
_SETTING_OPTIONS = {
    "interpreter_win": "Interpreter_Win",
    "interpreter_mac": "Interpreter_Mac",
    "pythonpath": "PYTHONPATH",
    "conda_path": "Conda Path",
    "conda_env": "Conda Env",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "addin",
        help="build, install or uninstall the xlbilling.xlam Excel add-in",
        description="Build xlbilling.xlam (the Billing ribbon tab and the Excel "
        "functions) from xlwings' own add-in template, and install it into Excel.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    build = actions.add_parser(
        "build",
        help="write xlbilling.xlam (no Excel needed)",
        description="Write DIR/xlbilling.xlam from the template shipped with the pinned "
        "xlwings. The interpreter options are only needed where Python is not on the PATH.",
    )
    build.add_argument("--out", default=".", metavar="DIR", help="output folder (default: current folder)")
    build.add_argument("--force", action="store_true", help="replace an existing xlbilling.xlam")
    build.add_argument("--interpreter-win", metavar="PATH", help="full path of pythonw.exe (blank: pythonw on the PATH)")
    build.add_argument("--interpreter-mac", metavar="PATH", help="full path of python on macOS (blank: python on the PATH)")
    build.add_argument("--pythonpath", metavar="DIRS", help="extra import folders, ';'-separated")
    build.add_argument("--conda-path", metavar="DIR", help="Anaconda/Miniconda folder (with --conda-env)")
    build.add_argument("--conda-env", metavar="NAME", help="conda environment name (with --conda-path)")
    build.set_defaults(func=run)

    install = actions.add_parser(
        "install",
        help="install the add-in into Excel (Windows; prints instructions elsewhere)",
        description="Run `xlwings addin install -f xlbilling.xlam` with Excel closed. Without "
        "--file a fresh add-in is built first.",
    )
    install.add_argument("--file", metavar="PATH", help="an xlbilling.xlam built earlier")
    install.set_defaults(func=run)

    uninstall = actions.add_parser(
        "uninstall",
        help="remove the add-in from Excel (Windows; prints instructions elsewhere)",
    )
    uninstall.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.action == "build":
        settings = {
            key: getattr(args, option)
            for option, key in _SETTING_OPTIONS.items()
            if getattr(args, option)
        }
        result = addin.build_addin(args.out, force=args.force, settings=settings)
        print(
            f"wrote {result.path} (xlwings {result.xlwings_version}, template "
            f"{result.template.name} sha256 {result.template_sha256[:12]})"
        )
        return 0
    if args.action == "install":
        print(addin.install_addin(args.file))
        return 0
    print(addin.uninstall_addin())
    return 0
