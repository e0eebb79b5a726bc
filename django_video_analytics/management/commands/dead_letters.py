"""``manage.py dead_letters``: list, replay or purge the entries the consumer set aside."""

from django.core.management.base import BaseCommand, CommandError

PREVIEW_LENGTH = 120


class Command(BaseCommand):
    help = "List, replay (re-publish to the event stream) or purge dead letters."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

        show = actions.add_parser("list", help="Show dead letters with their reasons.")
        show.add_argument("--count", type=int, default=50, help="How many (default 50).")
        show.add_argument("--newest-first", action="store_true", help="Newest first.")

        replay = actions.add_parser(
            "replay", help="Re-publish the original entries to the event stream and delete them."
        )
        purge = actions.add_parser("purge", help="Delete dead letters for good.")
        for sub in (replay, purge):
            sub.add_argument("ids", nargs="*", metavar="ID", help="Dead-letter ids.")
            sub.add_argument("--all", action="store_true", help="Every dead letter.")

    def handle(self, *args, action, **options):
        from ...events.dead_letters import DeadLetterStream

        stream = DeadLetterStream()
        if action == "list":
            return self.list(stream, options["count"], options["newest_first"])
        ids = options["ids"] or None
        if bool(ids) == bool(options["all"]):
            raise CommandError(f"Pass dead-letter ids or --all to {action}.")
        if action == "replay":
            replayed, skipped = stream.replay(ids)
            self.stdout.write(f"Replayed {replayed} dead letter(s) to {stream.main_stream}.")
            if skipped:
                self.stdout.write(
                    f"Kept {skipped} without the original entry (trimmed before it was stored)."
                )
        else:
            purged = stream.purge(ids)
            self.stdout.write(f"Purged {purged} dead letter(s).")

    def list(self, stream, count, newest_first):
        letters = stream.list(count=count, newest_first=newest_first)
        total = stream.count()
        self.stdout.write(f"{total} dead letter(s) in {stream.stream_name}")
        for letter in letters:
            self.stdout.write(
                f"{letter.id}  {letter.failed_at}  from {letter.source_stream} {letter.source_id}"
                + (f"  ({letter.deliveries} deliveries)" if letter.deliveries else "")
            )
            self.stdout.write(f"    reason: {letter.reason}")
            data = letter.original.get("data")
            if data is not None:
                text = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)
                if len(text) > PREVIEW_LENGTH:
                    text = f"{text[:PREVIEW_LENGTH]}... ({len(text)} characters)"
                self.stdout.write(f"    data: {text}")
        if total > len(letters):
            self.stdout.write(f"({total - len(letters)} more; --count to see them)")
