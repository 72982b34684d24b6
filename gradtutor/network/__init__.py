"""Backprop lab core: computational graphs, layers with shapes, deep chains, buggy twins.

Pure: imports neither rich nor typer. numpy and sympy are imported by the modules that use them.
"""
