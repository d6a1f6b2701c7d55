"""The seam between the engine and a crowd platform. MTurk is the first implementation."""
