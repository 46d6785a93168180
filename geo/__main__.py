"""Run the newsmap command line: ``python -m geo``."""

from geo.cli import main

raise SystemExit(main())
