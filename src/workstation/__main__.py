"""Allow ``python -m workstation``."""

import sys

from workstation.cli import main

sys.exit(main())
