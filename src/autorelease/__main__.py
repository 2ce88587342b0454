from autorelease.cli import main

raise SystemExit(main())
