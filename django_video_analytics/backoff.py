"""Exponential back-off with jitter, for reconnecting to Redis, databases and cameras."""

import random


class Backoff:
    """Delays that double from ``initial`` up to ``maximum``, with jitter."""

    def __init__(self, initial=0.5, maximum=30.0):
        self.initial = initial
        self.maximum = maximum
        self.attempt = 0

    def next_delay(self):
        ceiling = min(self.maximum, self.initial * 2**self.attempt)
        self.attempt += 1
        # Between half and all of the ceiling, so clients that failed together spread out.
        return ceiling * (0.5 + random.random() / 2)

    def reset(self):
        self.attempt = 0
