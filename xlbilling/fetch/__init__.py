"""Vendor API clients: pull a month's data instead of downloading reports by
hand (docs/fetch.md).  Thin entry point: `xlbilling fetch` (commands/fetch.py).

    secrets.py      API keys from env/keyring, wrapped so they never print
    http.py         the one HTTP boundary: https + TLS verification, timeouts,
                    retries of safe failures, httpx errors -> FetchError
    state.py        the per-link record behind the Altaro 5-minute rule
    altaro.py       Hornetsecurity/Altaro report API link -> raw CSV/JSON body
    x360recover.py  x360Recover public API -> canonical device usage table
    output.py       atomic writes, --out checks
"""
