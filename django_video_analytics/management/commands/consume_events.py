"""``manage.py consume_events``: store the events of the Redis stream (long-running)."""

import sys

from django.core.management.base import BaseCommand, CommandError

from ...log_setup import add_metrics_port_argument, configure_logging, serve_metrics


class Command(BaseCommand):
    help = (
        "Read the event stream as a member of the consumer group and store the events. "
        "Finishes the current batch and exits on SIGTERM/SIGINT, exits at once on a second "
        "signal."
    )

    def add_arguments(self, parser):
        parser.add_argument("--burst", action="store_true", help="Exit once the stream is drained.")
        parser.add_argument(
            "--max-messages",
            type=int,
            default=None,
            metavar="N",
            help="Exit after reading N entries.",
        )
        parser.add_argument(
            "--consumer-name",
            default=None,
            metavar="NAME",
            help="Name in the consumer group (default <host>-<pid>). A stable name lets a "
            "restarted consumer finish its own pending entries at once.",
        )
        add_metrics_port_argument(parser)

    def handle(self, *args, burst, max_messages, consumer_name, metrics_port, verbosity, **options):
        if max_messages is not None and max_messages < 1:
            raise CommandError("--max-messages must be at least 1.")
        configure_logging(verbosity)
        serve_metrics(metrics_port)
        from ...events.consumer import EventConsumer
        from ...events.runner import ConsumerRunner

        runner = ConsumerRunner(
            EventConsumer(consumer_name=consumer_name), burst=burst, max_messages=max_messages
        )
        exit_code = runner.run()
        if exit_code:
            sys.exit(exit_code)
