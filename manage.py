#!/usr/bin/env python
"""Django's manage.py for developers; `regard` is the same with clear setting errors."""

import sys

from regard.cli import main

if __name__ == "__main__":
    sys.exit(main())
