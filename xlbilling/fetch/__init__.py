"""Vendor API clients: a month's report pulled from the vendor instead of downloaded by hand.

docs/fetch.md; the thin entry point is `xlbilling fetch` (commands/fetch.py).

    secrets.py      API keys from env/keyring, wrapped so they never print
    http.py         the one HTTP boundary: https + TLS verification, timeouts,
                    retries of safe failures, httpx errors -> FetchError
    state.py        the per-link record behind the Altaro 5-minute rule
    altaro.py       Hornetsecurity/Altaro report API link -> raw CSV/JSON body
    x360recover.py  x360Recover public API -> canonical device usage table
    output.py       atomic writes, --out checks
"""
