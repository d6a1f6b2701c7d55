"""One run against one target: the only code that brings the lab's files, the platform and the
core's decisions together. Each command of the command line calls one function here."""
