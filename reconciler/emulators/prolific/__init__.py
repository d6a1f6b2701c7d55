"""The local Prolific: an emulator of the Prolific endpoints the tool and a lab use, over HTTP.

See docs/prolific.md for what is and is not emulated. ``state`` holds the data, its file and the
seed; ``emulator`` serves it (routes, pagination, 429 rate limiting, faults, clock).
"""

from reconciler.emulators.prolific.emulator import LocalProlific
from reconciler.emulators.prolific.state import SeedError

__all__ = ["LocalProlific", "SeedError"]
