import sys

from xieshang.cli.main import main

sys.exit(main())
