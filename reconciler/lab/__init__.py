"""The lab's files: the hardened YAML reader, the one writer, the schemas, loading and
cross-file rules, and captures on disk. Depends on ``core`` only; never on a platform."""
