"""Explorers: a pure compute function that the tests call, and an ipywidgets view of it.

The view only displays what the compute function returns, so everything a slider shows is
unit-tested without a browser.
"""
