"""The two halves of the event types (wire and storage) name the same types and fit the models."""

from django_video_analytics.conf import DEFAULTS
from django_video_analytics.events import wire
from django_video_analytics.events.kinds import STORED_KINDS
from django_video_analytics.models import EventStatistics, Zone
from django_video_analytics.statistics import COUNTERS, EVENT_COUNTERS


def test_the_wire_and_the_storage_know_the_same_event_types_in_the_same_order():
    assert list(STORED_KINDS) == list(wire.KINDS)
    assert all(name == kind.event_class.event_type for name, kind in wire.KINDS.items())


def test_each_wire_kind_parses_what_it_builds_into_its_own_event_class():
    assert {kind.version for kind in wire.KINDS.values()} == {1, 2}
    for name, kind in wire.KINDS.items():
        assert kind.build is getattr(wire, f"build_{name}")
        assert kind.optional_keys >= {"event_id"}


def test_stored_columns_are_every_field_of_the_event_models_in_order():
    # COPY writes the columns in this order and ``ingest._instances`` relies on it.
    for kind in STORED_KINDS.values():
        assert list(kind.columns) == [field.attname for field in kind.model._meta.concrete_fields]


def test_counters_of_stored_kinds_are_statistics_columns():
    counted = {kind.counter for kind in STORED_KINDS.values() if kind.counter}
    assert counted == set(EVENT_COUNTERS.values()) and counted <= set(COUNTERS)
    assert set(COUNTERS) <= {field.name for field in EventStatistics._meta.concrete_fields}


def test_zone_events_name_a_zone_kind_and_only_they_have_a_zone():
    for kind in STORED_KINDS.values():
        assert (kind.zone_kind is not None) == ("zone_id" in kind.fields)
        assert kind.zone_kind is None or kind.zone_kind in Zone.Kind.values


def test_retention_settings_of_stored_kinds_are_settings():
    kept = [kind.retention for kind in STORED_KINDS.values() if kind.retention]
    assert kept and set(kept) <= set(DEFAULTS)
