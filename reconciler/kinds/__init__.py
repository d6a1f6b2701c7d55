"""Each crowd platform the tool knows, described once: its words, rules, ID formats and targets.

Pure data, importable from every folder but ``core/`` (which only defines the shapes) and the
emulators (which import nothing of the product). Adding a platform means a module here, an
implementation in ``platform/``, and a branch where targets are opened (``ops/targets``).
"""

from __future__ import annotations

from reconciler.core.platform_kind import PlatformKind
from reconciler.kinds.mturk import MTURK
from reconciler.kinds.prolific import PROLIFIC

KINDS: tuple[PlatformKind, ...] = (PROLIFIC, MTURK)  # the open platform first, as everywhere


def by_name(name: str) -> PlatformKind:
    """The platform a saved plan or export names (``MTurk``, ``Prolific``, or their keys)."""
    for kind in KINDS:
        if name in (kind.name, kind.key):
            return kind
    raise KeyError(name)
