from xlbilling.cli import main

raise SystemExit(main())
