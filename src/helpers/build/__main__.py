"""``python -m helpers.build --year 2018``."""

import sys

from .cli import main

sys.exit(main())
