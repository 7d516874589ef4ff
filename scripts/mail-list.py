#!/usr/bin/env python3
"""make mail: the emails in the Maildir (argument: its directory), one line
each: date (the museum's time as written), recipient, subject (RFC 2047
decoded: Korean subjects are shown in Korean), oldest first, newest last.
Messages in new/ (not yet read by a mail client) and cur/ both count."""
import email
import email.policy
import email.utils
import os
import sys


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "var/mail"
    rows = []
    for sub in ("new", "cur"):
        d = os.path.join(root, sub)
        if not os.path.isdir(d):
            continue
        for name in os.listdir(d):
            path = os.path.join(d, name)
            try:
                with open(path, "rb") as f:
                    msg = email.message_from_binary_file(f, policy=email.policy.default)
            except OSError as e:
                print(f"{path}: {e}", file=sys.stderr)
                continue
            when = email.utils.parsedate_to_datetime(msg["Date"]) if msg["Date"] else None
            rows.append((when.timestamp() if when else os.path.getmtime(path),
                         when.astimezone().strftime("%Y-%m-%d %H:%M:%S") if when else "?",
                         str(msg["To"] or "?"), str(msg["Subject"] or ""), msg["Message-ID"] or name))
    if not rows:
        print(f"no emails in {root}")
        return
    for _, when, to, subject, _mid in sorted(rows):
        print(f"{when}  {to:<32}  {subject}")
    print(f"{len(rows)} email(s) in {root}")


if __name__ == "__main__":
    main()
