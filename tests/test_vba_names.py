"""Every UDF parameter name is a legal VBA parameter name.

xlwings' generate_vba_wrapper writes each Python parameter name into the
generated VBA module (`Function ENDPOINT_CHARGE(servers, ..., Optional
currency_code)`); one reserved word (`currency`, `date`) and the module does not
compile, so none of the functions import (issue 9 item 1, xlwings #563, #384).
tests/test_fakecom_udfs.py checks the module xlwings really generates; this
test checks the names against the reserved identifiers of [MS-VBAL] 3.3.5.2
(copied here, as the test must not depend on the network) plus VBA's other
statement words that cannot name a parameter.
"""
from __future__ import annotations

import inspect

import pytest

from xlbilling.excel import udfs

from fakecom.win.vba_words import RESERVED, VBA_IDENTIFIER  # noqa: E402  (the MS-VBAL list)



def test_the_list_has_the_words_that_broke_the_import():
    for word in ("currency", "date", "string", "type", "error", "integer", "variant", "long", "me"):
        assert word in RESERVED
    assert len(RESERVED) > 150


@pytest.mark.parametrize("name", [spec.name for spec, _ in udfs.CATALOGUE])
def test_parameter_names_compile_in_vba(name):
    function = getattr(udfs, name)
    params = list(inspect.signature(function).parameters)
    assert params, name
    bad = [p for p in params if p.casefold() in RESERVED or not VBA_IDENTIFIER.match(p)]
    assert bad == [], f"{name}: {bad} cannot be VBA parameter names"
    # VBA is case-insensitive: no two parameters, nor a parameter and the function, may collide
    folded = [p.casefold() for p in params]
    assert len(set(folded)) == len(folded)
    assert name.casefold() not in folded


def test_renamed_parameters_keep_their_place():
    # arguments are positional in Excel: the order is unchanged, only the names moved off VBA words
    sig = {spec.name: [a.name for a in spec.args] for spec, _ in udfs.CATALOGUE}
    assert sig["ENDPOINT_CHARGE"][4] == "currency_code"
    assert sig["PRORATED_STORAGE"][4] == "currency_code"
    assert sig["COMMITMENT_FEE"][2] == "currency_code"
    assert sig["ACRONIS_CANCEL_WINDOW"] == ["on_date"]
