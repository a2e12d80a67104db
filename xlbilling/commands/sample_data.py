"""Where the bundled sample reports live (xlbilling/samples/).

    samples/2026-10/              one report per vendor and report type for October 2026:
                                  what a finance user downloads in a month, the demo's input
    samples/alternative-formats/  the same usage in the vendors' other report formats (Axcient
                                  Raw Account Data, Acronis distributor usage records, the Altaro
                                  JSON, Hornetsecurity priced licenses): giving them together with
                                  the month folder would describe some usage twice
    samples/pricebook_sample.xlsx the demo's price book, mapping every sample account

`sample_path(name)` finds a sample by file name in either folder, so code and
tests need not know which folder holds it."""
from __future__ import annotations

from pathlib import Path

SAMPLES_DIR = Path(__file__).resolve().parents[1] / "samples"
SAMPLE_MONTH = "2026-10"
MONTH_DIR = SAMPLES_DIR / SAMPLE_MONTH
ALTERNATIVE_DIR = SAMPLES_DIR / "alternative-formats"
SAMPLE_PRICEBOOK = SAMPLES_DIR / "pricebook_sample.xlsx"


def month_reports() -> list[Path]:
    """The month folder's reports, sorted by name (the demo's input)."""
    return sorted(p for p in MONTH_DIR.iterdir() if p.is_file() and not p.name.startswith("."))


def alternative_reports() -> list[Path]:
    return sorted(p for p in ALTERNATIVE_DIR.iterdir() if p.is_file() and not p.name.startswith("."))


def all_reports() -> list[Path]:
    return month_reports() + alternative_reports()


def sample_path(name: str) -> Path:
    """The bundled sample report or price book called `name`, whichever folder holds it."""
    for folder in (MONTH_DIR, ALTERNATIVE_DIR, SAMPLES_DIR):
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"no bundled sample named {name!r} in {SAMPLES_DIR}")


__all__ = ["SAMPLES_DIR", "SAMPLE_MONTH", "MONTH_DIR", "ALTERNATIVE_DIR", "SAMPLE_PRICEBOOK", "month_reports",
           "alternative_reports", "all_reports", "sample_path"]
