from autorelease.cli.main import main

raise SystemExit(main())
