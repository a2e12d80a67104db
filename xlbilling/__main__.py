from xlbilling.commands.cli import main

raise SystemExit(main())
