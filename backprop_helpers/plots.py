"""Matplotlib figures of the course: network diagrams with highlighted paths, and more.

Every function draws on an ``ax`` it is given (or a new figure) and returns the axes, so a
notebook can compose figures and a test can inspect what was drawn.
"""
