"""The analysis wing: plain Python over numpy frames (the ``[inference]`` extra).

Nothing here imports Django models or Redis; the workers turn what it finds into events.
"""
