"""The periods widgets count over, in statistics days (UTC, see ``statistics``)."""

from django.utils.translation import gettext_lazy as _

# Period name -> number of days, today included.
PERIOD_DAYS = {"today": 1, "week": 7, "month": 30}
PERIOD_LABELS = {"today": _("Today"), "week": _("Last 7 days"), "month": _("Last 30 days")}


def period_days(period):
    """Days of ``period``; an unknown name is a template author's mistake."""
    try:
        return PERIOD_DAYS[period]
    except KeyError:
        raise ValueError(
            f"period must be one of {', '.join(PERIOD_DAYS)}, not {period!r}"
        ) from None
