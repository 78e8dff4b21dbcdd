import sys

from sonata.entrypoints.cli import main

sys.exit(main())
