"""Files as staff's machines need them: atomic writes, CSV as Excel in Belgium writes it, and
safe file names from data.

The lowest layer: it may import only the standard library and `bluekit.errors`.
"""
