"""Operations: periodic schedules, retention, statistics rebuilds, health and metrics."""
