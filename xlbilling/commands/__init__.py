"""The `xlbilling` command line: the parser, the one error boundary, one module per sub-command.

    cli.py          the parser and dispatch (the console script's `main`)
    boundary.py     every failure -> a short message on stderr and exit 2, never a traceback
    sample_data.py  where the bundled sample reports live (demo, samples)
    the rest        one module per sub-command; each defines `register(subparsers)` that
                    adds its parser and sets `func=run`.  Listed in xlbilling.commands.cli.COMMANDS.
"""
