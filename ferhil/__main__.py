"""``python -m ferhil``: the same as the ``ferhil`` command."""

import sys

from ferhil.cli import main

sys.exit(main())
