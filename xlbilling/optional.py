"""The optional dependencies of a headless install (`xlbilling help install`):
xlwings (Excel functions, add-in, ribbon) and httpx + keyring (fetch, auth).
A command that needs one which is missing says which package and why, instead
of an internal error."""
from __future__ import annotations

from xlbilling.errors import XlbillingError

OPTIONAL = {"xlwings": "the Excel functions, the add-in and the ribbon",
            "httpx": "fetching reports over the vendor APIs",
            "keyring": "storing API keys in the OS keyring"}
# what to install (the add-in's VBA is tied to this xlwings version: keep in step with pyproject.toml)
INSTALL = {"xlwings": "xlwings==0.37.8", "httpx": "httpx>=0.27", "keyring": "keyring>=24"}


def missing(err: ModuleNotFoundError) -> XlbillingError | None:
    """An XlbillingError naming the missing optional package, or None when the
    missing module is not one of ours to explain (a real bug)."""
    top = (err.name or "").split(".")[0]
    if top not in OPTIONAL:
        return None
    return XlbillingError(f"this needs the '{top}' package ({OPTIONAL[top]}), which this install leaves out:"
                          f" pip install '{INSTALL[top]}', or install xlbilling with its default dependencies"
                          " (`xlbilling help install`)")


def guarded(run):
    """Wrap a command's run(args) so a missing optional package becomes a clear error (exit 2)."""
    def wrapper(args):
        try:
            return run(args)
        except ModuleNotFoundError as err:
            explained = missing(err)
            if explained is None:
                raise
            raise explained from None
    wrapper.__wrapped__ = run
    wrapper.__doc__ = run.__doc__
    return wrapper
