from nassav.cli import main

raise SystemExit(main())
