"""Print the OpenBLAS kernel numpy uses here (e.g. Haswell), asking OpenBLAS itself.

Used by .ci/run to prove that OPENBLAS_CORETYPE took effect. Prints "unknown" when numpy's
OpenBLAS cannot be found (another BLAS, another layout of the wheel).
"""
import ctypes
import glob
import os

import numpy

folder = os.path.dirname(numpy.__file__)
libraries = sorted(glob.glob(os.path.join(folder, "..", "numpy.libs", "*openblas*"))
                   + glob.glob(os.path.join(folder, ".libs", "*openblas*")))
name = "unknown"
for path in libraries:
    library = ctypes.CDLL(path)
    for symbol in ("scipy_openblas_get_corename64_", "openblas_get_corename64_",
                   "openblas_get_corename"):
        function = getattr(library, symbol, None)
        if function is not None:
            function.restype = ctypes.c_char_p
            name = function().decode()
            break
print(name)
