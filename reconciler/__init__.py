"""study-exclusions: keep a participant from taking part in the same kind of study twice.

The desired exclusion state lives as YAML under ``exclusions/``; the reconciler plans the
difference with the live qualification holders on the platform and applies it on request.
"""

__version__ = "0.1.0"
