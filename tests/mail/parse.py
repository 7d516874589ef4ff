#!/usr/bin/python3
"""tests/mail: an RFC 5322 file as JSON (Python's email package, a parser
independent of fcgi/mail.c): headers as written and decoded, each leaf
part's type, parameters, file name, decoded text and octets (base64)."""
import base64
import email
import email.policy
import json
import sys

with open(sys.argv[1], "rb") as f:
    raw = f.read()
msg = email.message_from_bytes(raw, policy=email.policy.default)
out = {
    "raw": raw.decode("ascii", "replace"),
    "headers": {k: str(v) for k, v in msg.items()},
    "rawSubject": email.message_from_bytes(raw, policy=email.policy.compat32)["Subject"],
    "defects": [str(d) for d in msg.defects],
    "type": msg.get_content_type(),
    "parts": [],
}
for part in msg.walk():
    if part.is_multipart():
        continue
    out["parts"].append({
        "type": part.get_content_type(),
        "charset": part.get_content_charset(),
        "params": dict(part["Content-Type"].params) if part["Content-Type"] else {},
        "filename": part.get_filename(),
        "encoding": part["Content-Transfer-Encoding"],
        "text": part.get_content() if part.get_content_maintype() == "text" else None,
        "base64": base64.b64encode(part.get_payload(decode=True)).decode("ascii"),
        "defects": [str(d) for d in part.defects],
    })
print(json.dumps(out))
