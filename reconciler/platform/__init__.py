"""The seam between the tool and a crowd platform (``base.Platform``), and its implementations.

A platform turns API answers into the core's plain values (``reconciler.core.live``) and fails
closed (``PlatformError``). It depends on ``core`` only: it knows no file and makes no decision.
"""
