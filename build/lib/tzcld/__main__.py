"""Entry point for ``python -m tzcld``."""

from tzcld.cli import main

raise SystemExit(main())
