"""Checks on what an inbox adapter stores as text: the envelope and the Message-ID.

PostgreSQL cannot store a NUL character in a text column, and a control character in
an address or Message-ID is never legitimate. The SMTP server refuses such a message
with a 5xx naming the problem (it can never be stored as it is); the IMAP poller,
which cannot refuse, stores the message without the unusable Message-ID.
"""

from __future__ import annotations

from email.parser import BytesHeaderParser
from email.policy import compat32

HEADER_SCAN_BYTES = 65536


class Refused(Exception):
    """The message can never be stored; ``reply`` is the 5xx to send."""

    def __init__(self, reply: str) -> None:
        super().__init__(reply)
        self.reply = reply


def control_characters(text: str) -> list[str]:
    """The control characters in ``text`` (C0 except TAB, and DEL), named like ``NUL``."""
    names = {0: "NUL", 9: None, 10: "LF", 13: "CR", 127: "DEL"}
    found = []
    for char in text:
        code = ord(char)
        if code < 32 or code == 127:
            name = names.get(code, f"0x{code:02X}")
            if name is not None and name not in found:
                found.append(name)
    return found


def check_address(address: str, which: str, code: str) -> str | None:
    """A 553 reply naming the problem if ``address`` holds control characters."""
    bad = control_characters(address)
    if not bad:
        return None
    return (f"553 {code} The {which} address contains a control character "
            f"({', '.join(bad)}); such an address cannot be delivered to")


def read_message_id(raw: bytes) -> str | None:
    """The Message-ID of ``raw``, checked so it can be stored as text; raises ``Refused``."""
    head = raw[:HEADER_SCAN_BYTES]
    end = min((i for i in (head.find(b"\r\n\r\n"), head.find(b"\n\n")) if i >= 0),
              default=len(head))
    if b"\0" in head[:end]:
        raise Refused("550 5.6.0 The message header contains a NUL byte, which RFC 5322 "
                      "does not allow; the message cannot be stored")
    headers = BytesHeaderParser(policy=compat32).parsebytes(head)
    values = [value for name, value in headers.raw_items() if name.lower() == "message-id"]
    if not values:
        return None
    value = str(values[0]).replace("\r\n", "").replace("\n", "").strip()
    try:
        value = value.encode("ascii", "surrogateescape").decode("utf-8")
    except UnicodeDecodeError:
        raise Refused("550 5.6.0 The Message-ID header contains bytes that are not UTF-8; "
                      "the message cannot be stored") from None
    bad = control_characters(value)
    if bad:
        raise Refused(f"550 5.6.0 The Message-ID header contains a control character "
                      f"({', '.join(bad)}); the message cannot be stored")
    return value[:998] or None


def without_control_characters(text: str) -> str:
    """``text`` with control characters (C0, DEL) removed: for values that cannot be refused."""
    return "".join(char for char in text if not (ord(char) < 32 or ord(char) == 127))
