"""``python -m helpers``: same as the ``monitor`` command."""

from helpers.cli import main

raise SystemExit(main())
