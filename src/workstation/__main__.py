"""Allow ``python -m workstation``."""

import sys

from workstation.cli import main

if __name__ == "__main__":  # a spawned helper process imports this module without running it
    sys.exit(main())
