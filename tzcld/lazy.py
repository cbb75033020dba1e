"""Names of a package imported on first use (PEP 562), so that importing one submodule, or the
package for one name, does not load every concern (the command line's start-up time)::

    __getattr__, __dir__ = lazy_names(__name__, {"Store": "tzcld.ledger.store"}, globals())
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(
    package: str, names: Mapping[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module ``__getattr__`` and ``__dir__`` of ``package`` for ``names`` (name → module)."""

    def module_getattr(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value  # found directly next time
        return value

    def module_dir() -> list[str]:
        return sorted([*namespace, *names])

    return module_getattr, module_dir
