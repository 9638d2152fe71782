"""Lazy re-exports for the device packages.

A kind's package exposes its classes at the top (``from hardware.camera import
OpenCvCamera``) but imports the module behind a name only when that name is first used, so
checking a configuration or building a simulator does not pull in OpenCV or python-escpos.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable


def lazy_exports(package: str, exports: dict[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` resolving ``name`` from ``package + "." + exports[name]``."""

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{module}"), name)

    return __getattr__
