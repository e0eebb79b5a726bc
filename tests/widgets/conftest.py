from tests.widgets.fixtures import isolated_widget_cache  # noqa: F401
