"""`xlbilling auth set|status|delete altaro|x360recover`: store vendor API keys
in the OS keyring.  The key is read with getpass (hidden) or, when stdin is
not a terminal, from stdin's first line - never from an argument, where it
would land in shell history and the process list - and is never printed."""
from __future__ import annotations

import argparse
import getpass
import sys

from xlbilling.fetch import secrets
from xlbilling.optional import guarded


def register(subparsers) -> None:
    parser = subparsers.add_parser("auth", help="store vendor API keys in the OS keyring",
                                   description="Manage vendor API keys (OS keyring; environment variables "
                                               "XLBILLING_ALTARO_API_KEY / XLBILLING_X360RECOVER_API_KEY "
                                               "take precedence). Keys are never printed.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    for action, helptext, example in (
            ("set", "store a key (prompted, or read from stdin)",
             "  xlbilling auth set altaro\n      type the key when asked (hidden)\n"
             "  xlbilling auth set x360recover < key.txt\n      the key from stdin's first line"),
            ("status", "say where a key would be taken from (never the key)",
             "  xlbilling auth status altaro\n      exit 0 when a key is found, 1 when not"),
            ("delete", "remove a stored key from the keyring",
             "  xlbilling auth delete altaro --link \"$ALTARO_LINK\"\n      the key kept for that link")):
        p = actions.add_parser(action, help=helptext, description=helptext[0].upper() + helptext[1:] + ".",
                               epilog="examples:\n" + example, formatter_class=argparse.RawDescriptionHelpFormatter)
        p.add_argument("vendor", choices=secrets.VENDORS, help="the vendor: " + ", ".join(secrets.VENDORS))
        p.add_argument("--link", help="altaro only: keep a separate key for this report link")
    parser.set_defaults(func=guarded(run))


def run(args: argparse.Namespace) -> int:
    link = args.link if args.vendor == "altaro" else None
    if args.link and args.vendor != "altaro":
        print("auth: --link applies to altaro only; ignored", file=sys.stderr)
    if args.action == "set":
        if sys.stdin.isatty():
            value = getpass.getpass(f"{args.vendor} API key (input hidden): ")
        else:
            value = sys.stdin.readline()
        entry = secrets.set_key(args.vendor, value, link=link)
        del value
        print(f"stored the {args.vendor} API key in the OS keyring as {entry}", file=sys.stderr)
        env = secrets.ENV_VARS[args.vendor]
        if secrets.key_status(args.vendor, link=link).source == f"environment variable {env}":
            print(f"note: {env} is set and takes precedence over the keyring", file=sys.stderr)
        return 0
    if args.action == "status":
        status = secrets.key_status(args.vendor, link=link)
        print(f"{args.vendor}: {'key from ' + status.source if status.found else 'no key found'}")
        return 0 if status.found else 1
    removed = secrets.delete_key(args.vendor, link=link)
    print(f"{args.vendor}: {'removed from the keyring' if removed else 'no keyring entry to remove'}",
          file=sys.stderr)
    return 0
