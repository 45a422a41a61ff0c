"""Reading tabular files and the cells in them, shared by every importer.

A low layer: it knows files (:mod:`.files`) and what staff type in cells
(:mod:`.cells`), not what the columns mean.
"""
