import sys

from peerline.cli import main

sys.exit(main())
