"""A status line for long manage.py commands: on a terminal only, so logs get just the summary line."""

import time


class Progress:
    """Overwrites one line of ``stream`` at most every ``EVERY`` seconds; silent when it is not a terminal."""

    EVERY = 0.5

    def __init__(self, stream, size=None):
        self.stream = stream if stream.isatty() else None
        self.size = size
        self.next = 0.0

    def show(self, text, done=None):
        """``done`` of ``size`` (bytes, rows) adds a percentage."""
        if self.stream is None or time.monotonic() < self.next:
            return
        self.next = time.monotonic() + self.EVERY
        share = f" ({100 * done / self.size:.0f}%)" if done is not None and self.size else ""
        self.stream.write(f"\r{text}{share}\033[K")
        self.stream.flush()

    def clear(self):
        if self.stream is not None:
            self.stream.write("\r\033[K")
            self.stream.flush()
