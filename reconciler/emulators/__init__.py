"""Local emulators of the platforms' APIs, served over HTTP: not part of the product's flow.

The product reaches them only as any client would, over HTTP; ``reconciler.ops.targets`` (which
starts the embedded local target) and ``exclusions local`` are the only modules importing them.
"""
