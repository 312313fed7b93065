"""Build of the optional compiled NT-1 core (normtok/_ntcore.c); everything else is in pyproject.toml.

``optional=True``: where no C compiler is available the build still succeeds without the
extension, and normtok.nt uses its numpy path (the same values; ``normtok.nt.implementation()``
says which one runs).
"""

import sys

from setuptools import Extension, setup

setup(ext_modules=[Extension("normtok._ntcore", ["normtok/_ntcore.c"], optional=True,
                             extra_compile_args=[] if sys.platform == "win32" else ["-O3"])])
