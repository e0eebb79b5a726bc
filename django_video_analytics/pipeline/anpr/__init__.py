"""Licence-plate reading on vehicle tracks: localise, read, normalise by format, vote."""
