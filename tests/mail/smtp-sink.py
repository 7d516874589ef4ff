#!/usr/bin/python3
"""A real SMTP server on loopback for tests/mail (Debian's python3-aiosmtpd):
   smtp-sink.py PORT OUTDIR [CONTROL]
Each message received is written whole to OUTDIR/<n>.eml (first lines
X-Sink-From, X-Sink-To: the envelope). CONTROL, when given, is a file read
at every DATA: "N ADDRESS" there, N > 0, makes the server answer 451 (try
again later) to a message for ADDRESS and write N - 1 back, so a test can
make the next N deliveries to one address fail (others' emails, due at
the same time, do not use up the failures).
Runs until SIGTERM or SIGINT."""
import os
import signal
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, outdir, control):
        self.outdir, self.control, self.n, self.lock = outdir, control, 0, threading.Lock()

    def fail_now(self, rcpt_tos):
        if not self.control:
            return False
        try:
            with open(self.control) as f:
                left, address = (f.read().split() + ["0", ""])[:2]
                left = int(left)
        except (OSError, ValueError):
            return False
        if left <= 0 or address not in rcpt_tos:
            return False
        with open(self.control + ".new", "w") as f:
            f.write(f"{left - 1} {address}")
        os.replace(self.control + ".new", self.control)
        return True

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.fail_now(envelope.rcpt_tos):
                return "451 4.3.0 the sink was told to fail: try again later"
            self.n += 1
            name = os.path.join(self.outdir, f"{os.getpid()}-{self.n}.eml")
            head = f"X-Sink-From: {envelope.mail_from}\r\nX-Sink-To: {','.join(envelope.rcpt_tos)}\r\n"
            with open(name + ".tmp", "wb") as f:
                f.write(head.encode() + envelope.original_content)
            os.replace(name + ".tmp", name)
        return "250 2.0.0 OK: queued"


def main():
    port, outdir = int(sys.argv[1]), sys.argv[2]
    control = sys.argv[3] if len(sys.argv) > 3 else None
    os.makedirs(outdir, exist_ok=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    controller = Controller(Sink(outdir, control), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
