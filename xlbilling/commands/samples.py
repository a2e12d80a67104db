"""`xlbilling samples --out reports`: copy the bundled sample reports (October
2026, one report per vendor and type) into a folder of the user's, so the
README's monthly steps can be tried as written without finding where pip put
the package.  `--pricebook-out` also copies the filled sample price book."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from xlbilling.errors import OutputError

EPILOG = """examples:
  xlbilling samples --out reports
      copy the October 2026 sample reports into ./reports/ (then follow `xlbilling help start`)
  xlbilling samples --out reports --pricebook-out pricebook-sample.xlsx
      also copy the filled sample price book, to compare with your own
  xlbilling samples --alternative-formats --out other-formats
      the same usage in the vendors' other report formats (read them one by one)"""


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "samples", help="copy the bundled sample reports into a folder, to practise the monthly steps",
        description="Copy the bundled sample reports (October 2026: one report per vendor and report type) into"
                    " a folder, so the monthly steps (`xlbilling help start`) can be tried on them. Existing"
                    " files are never replaced unless --force.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default="reports", metavar="FOLDER",
                   help="folder to copy the reports into, created if missing (default: reports)")
    p.add_argument("--alternative-formats", action="store_true",
                   help="copy the other report formats of the same usage instead (Raw Account Data, Acronis"
                        " usage records, Altaro JSON, Hornetsecurity licenses)")
    p.add_argument("--pricebook-out", metavar="PRICEBOOK.xlsx",
                   help="also copy the filled sample price book to this file")
    p.add_argument("--force", action="store_true", help="replace files that already exist")
    p.add_argument("--quiet", action="store_true", help="no list of the files copied")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from xlbilling.files.publish import atomic_write_bytes, check_output
    from xlbilling.commands.sample_data import SAMPLE_PRICEBOOK, alternative_reports, month_reports

    sources = alternative_reports() if args.alternative_formats else month_reports()
    folder = Path(args.out)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: is a file, expected a folder to copy the sample reports into")
    targets = [(src, folder / src.name) for src in sources]
    if args.pricebook_out:
        targets.append((SAMPLE_PRICEBOOK, Path(args.pricebook_out)))
    folder.mkdir(parents=True, exist_ok=True)
    for src, dst in targets:      # refuse before copying anything
        check_output(dst, inputs=[src], force=args.force)
    for src, dst in targets:
        atomic_write_bytes(dst, src.read_bytes())
        if not args.quiet:
            print(f"copied {dst}", file=sys.stderr)
    print(f"{len(sources)} sample report(s) in {folder}/" + (f", sample price book {args.pricebook_out}"
                                                             if args.pricebook_out else ""))
    return 0
