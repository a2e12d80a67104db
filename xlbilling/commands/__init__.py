"""One module per CLI sub-command; each defines `register(subparsers)` that
adds its parser and sets `func=run`.  Listed in xlbilling.commands.cli.COMMANDS."""
