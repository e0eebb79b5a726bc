from .fixtures import dead_letters, make_consumer, pending, publisher  # noqa: F401
