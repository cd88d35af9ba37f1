"""``python -m pyrite [FILE] [SQL]``: the shell (see :mod:`pyrite.shell`)."""

import sys

from pyrite.shell import main

sys.exit(main())
