"""The pure core: the desired state, the diff, safety, capture rules, the audit, and the plan.

No I/O here: no files, no platform, no clock (the time is passed in). Everything else depends on
this package; it depends on nothing else of the tool.
"""
