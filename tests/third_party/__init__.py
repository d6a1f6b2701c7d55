"""Third-party MTurk clients, run unmodified against the local MTurk (see docs/local-mturk.md)."""
