"""`python -m simgame` runs the command line."""

from __future__ import annotations

import sys

from simgame.cli import main

sys.exit(main())
