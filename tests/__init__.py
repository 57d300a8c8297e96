"""The test suite (README "Tests").

Bytecode caching: with PYTHONDONTWRITEBYTECODE set (some shells and tools set
it), nothing is cached, so every xdist worker re-reads, re-rewrites (pytest's
assertion rewriting) and recompiles every test module at collection (about 10
CPU-seconds per worker instead of 4), and every subprocess the suite starts
(gunicorn workers, ``flask``, RQ workers, ``python -c``) recompiles the portal.
This package is imported before any conftest or test module, so the test run
writes Python's usual ``__pycache__`` folders (git-ignored), in this process and
in its children.
"""

import os
import sys

sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
