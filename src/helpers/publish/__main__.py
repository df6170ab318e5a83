"""``python -m helpers.publish --year 2018``."""

import sys

from helpers.publish.cli import main

sys.exit(main())
