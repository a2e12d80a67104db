"""VBA's reserved identifiers (tests/fakecom): the fake VBA compiler refuses a
module whose parameter names use one, and tests/test_vba_names.py checks the
UDF signatures against the same list.  Copied from [MS-VBAL] 3.3.5.2 (the test
must not depend on the network)."""
import re

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


def is_legal_parameter(name: str) -> bool:
    return bool(VBA_IDENTIFIER.match(name)) and name.casefold() not in RESERVED
