"""Renderers: the same ``Plan`` shown as a terminal diff, a JSON document or a pull-request comment."""
