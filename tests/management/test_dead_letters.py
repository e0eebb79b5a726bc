"""``manage.py dead_letters``: list, replay and purge on the real Redis."""

from datetime import datetime, timezone
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from django_video_analytics.events import wire
from django_video_analytics.events.consumer import EventConsumer
from django_video_analytics.events.dead_letters import DeadLetterStream
from django_video_analytics.events.publisher import EventPublisher
from django_video_analytics.models import Camera, MotionEvent

pytestmark = pytest.mark.django_db(transaction=True)

MOMENT = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def letters(settings, stream_names):
    """Three dead letters: two from an unknown camera, one that is not JSON."""
    settings.VIDEO_ANALYTICS = {**settings.VIDEO_ANALYTICS, "UNKNOWN_CAMERA_POLICY": "dead_letter"}
    publisher = EventPublisher()
    publisher.publish_many(
        [
            wire.build_motion("gate", MOMENT, 1, 0.5, 10.0),
            {"data": "{broken"},
            wire.build_motion("gate", MOMENT, 2, 0.5, 10.0),
        ]
    )
    assert EventConsumer("c").drain().dead_lettered == 3
    return DeadLetterStream()


def run(*args):
    out = StringIO()
    call_command("dead_letters", *args, stdout=out)
    return out.getvalue()


def test_list_shows_reasons_and_data(letters):
    output = run("list")
    assert output.startswith(f"3 dead letter(s) in {letters.stream_name}\n")
    assert output.count("reason: unknown camera 'gate'") == 2
    assert "reason: data is not valid JSON" in output
    assert "data: {broken" in output
    assert "more; --count" not in output
    assert "(1 more; --count to see them)" in run("list", "--count", "2")
    newest = run("list", "--newest-first", "--count", "1")
    assert letters.list()[-1].id in newest


def test_replay_all_after_the_cause_is_fixed(letters, settings):
    Camera.objects.create(camera_id="gate", name="Gate")
    assert run("replay", "--all") == (f"Replayed 3 dead letter(s) to {letters.main_stream}.\n")
    assert letters.count() == 0
    result = EventConsumer("c").drain()
    assert (result.stored, result.dead_lettered) == (2, 1)  # the broken one comes back
    assert MotionEvent.objects.count() == 2
    (again,) = letters.list()
    assert "not valid JSON" in again.reason


def test_replay_and_purge_by_id(letters):
    first, second, third = (letter.id for letter in letters.list())
    assert run("replay", first) == f"Replayed 1 dead letter(s) to {letters.main_stream}.\n"
    assert run("purge", second, "0-1") == "Purged 1 dead letter(s).\n"
    assert [letter.id for letter in letters.list()] == [third]
    assert run("purge", "--all") == "Purged 1 dead letter(s).\n"
    assert letters.count() == 0


def test_replay_keeps_letters_without_the_original(stream_names, redis_client):
    stream = DeadLetterStream()
    stream.add(redis_client, "1-0", {}, "trimmed", source_stream=stream.main_stream)
    output = run("replay", "--all")
    assert output.startswith("Replayed 0 dead letter(s)")
    assert "Kept 1 without the original entry" in output
    assert stream.count() == 1


@pytest.mark.parametrize("action", ["replay", "purge"])
def test_ids_or_all_is_required(action, stream_names):
    with pytest.raises(CommandError, match=f"Pass dead-letter ids or --all to {action}"):
        run(action)
    with pytest.raises(CommandError, match="Pass dead-letter ids or --all"):
        run(action, "1-0", "--all")
