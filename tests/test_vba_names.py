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
import re

import pytest

from xlbilling import udfs

# [MS-VBAL] 3.3.5.2 Reserved Identifiers and IDs (statement keywords, marker keywords,
# operator identifiers, reserved names, special forms, reserved type identifiers,
# literal identifiers, reserved for implementation use, future reserved).
MS_VBAL_RESERVED = """
Call Case Close Const Declare DefBool DefByte DefCur DefDate DefDbl DefInt DefLng DefLngLng DefLngPtr
DefObj DefSng DefStr DefVar Dim Do Else ElseIf End EndIf Enum Erase Event Exit For Friend Function Get
Global GoSub GoTo If Implements Input Let Lock Loop LSet Next On Open Option Print Private Public Put
RaiseEvent ReDim Resume Return RSet Seek Select Set Static Stop Sub Type Unlock Wend While With Write
Any As ByRef ByVal Case Each Else In New Shared Until WithEvents Write Optional ParamArray Preserve Spc Tab
Then To
AddressOf And Eqv Imp Is Like New Mod Not Or TypeOf Xor
Abs CBool CByte CCur CDate CDbl CDec CInt CLng CLngLng CLngPtr CSng CStr CVar CVErr Date Debug DoEvents
Fix Int Len LenB Me PSet Scale Sgn String
Array Circle Input InputB LBound Scale UBound
Boolean Byte Currency Date Double Integer Long LongLong LongPtr Single String Variant
True False Nothing Empty Null
Attribute LINEINPUT VB_Base VB_Control VB_Creatable VB_Customizable VB_Description VB_Exposed VB_Ext_KEY
VB_GlobalNameSpace VB_HelpID VB_Invoke_Func VB_Invoke_Property VB_Invoke_PropertyPut
VB_Invoke_PropertyPutRef VB_MemberFlags VB_Name VB_PredeclaredId VB_ProcData VB_TemplateDerived
VB_UserMemId VB_VarDescription VB_VarHelpID VB_VarMemberFlags VB_VarProcData VB_VarUserMemId
CDecl Decimal DefDec
"""
# Statement words VBA's parser also refuses or misreads as a parameter name
# (Error N, Name x As y, Width #1, Mid$ statement, Line Input, Property Get, Rem).
OTHER_STATEMENT_WORDS = "Error Name Width Mid MidB Line Property Rem Alias Lib Step Base Compare Explicit Module"

RESERVED = {w.casefold() for w in (MS_VBAL_RESERVED + OTHER_STATEMENT_WORDS).split()}
VBA_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,254}$")


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
