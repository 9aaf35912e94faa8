"""``python -m footmap``: the ``footmap`` command."""

import sys

from footmap._cli import main

sys.exit(main())
