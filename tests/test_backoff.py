from django_video_analytics.backoff import Backoff


def test_backoff_doubles_with_jitter_up_to_the_cap():
    backoff = Backoff(initial=0.5, maximum=4.0)
    ceilings = [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    delays = [backoff.next_delay() for _ in ceilings]
    for delay, ceiling in zip(delays, ceilings, strict=True):
        assert ceiling / 2 <= delay <= ceiling
    samples = {Backoff(maximum=30.0).next_delay() for _ in range(20)}
    assert len(samples) > 1  # jittered: cameras failing together do not retry together
    backoff.reset()
    assert backoff.next_delay() <= 0.5
