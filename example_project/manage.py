#!/usr/bin/env python
"""Command-line utility of the example host project."""

import os
import sys
from pathlib import Path

# The checkout's root, after the installed packages: the demo composes its clips with the
# checkout's ``testing_media`` (shared with the tests; not part of the wheel).
sys.path.append(str(Path(__file__).resolve().parent.parent))

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
