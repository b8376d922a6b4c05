"""Raw e-mail (RFC 5322 bytes) -> ``MailMessage``: sender, subject, body text, PDF attachments.

Claim mails come from every mail client and payroll system there is, so the reader
expects damage: wrong or unknown charsets, multiparts without a boundary, truncated
messages, bad base64, 8-bit bytes in headers, filenames in RFC 2231 or RFC 2047 form.
What can be read is read, and what was odd is said in ``notes``; a message that is
not an e-mail at all, or is too big, gives ``UnreadableMail`` with a reason. No input
raises.

Pure: bytes in, frozen dataclasses out. The stdlib ``email`` package does the MIME
work (``policy.default``; ``policy.compat32`` if that one raises on a broken header).
"""

from __future__ import annotations

import base64
import binascii
import codecs
import hashlib
import quopri
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.header import decode_header
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from html import unescape
from html.parser import HTMLParser
from typing import Any, TypeVar

from parsers.payslip.images import is_payslip_image

T = TypeVar("T")

# Fallback order for text whose charset is missing, unknown or wrong. Danish mail that
# is not UTF-8 is nearly always windows-1252 or latin-1; latin-1 never fails.
FALLBACK_CHARSETS = ("utf-8", "windows-1252", "latin-1")
# Single-byte charsets that happily "decode" UTF-8 bytes into mojibake ("LÃ¸n").
_SINGLE_BYTE = frozenset({"latin-1", "iso8859-1", "cp1252", "iso8859-15", "ascii"})

PDF_TYPES = frozenset({"application/pdf", "application/x-pdf", "application/acrobat"})
FORWARD_MARKER = "---------- Forwarded message ----------"

MAX_DEPTH = 20  # nesting of multiparts / forwarded mails; real mail stays under 6
MAX_BODY_CHARS = 2_000_000  # body text handed on; a claim mail body is a few KB
MAX_HTML_CHARS = 5_000_000  # HTML converted to text (html.parser is not fast)
MAX_HEADER_SCAN = 64 * 1024  # bytes looked at to decide whether this is an e-mail at all

_HEADER_LINE = re.compile(rb"([!-9;-~]{1,100})[ \t]*:")
_KNOWN_HEADERS = frozenset(
    {b"from", b"to", b"cc", b"subject", b"date", b"message-id", b"mime-version",
     b"content-type", b"received", b"return-path", b"reply-to", b"sender", b"delivered-to"})
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_BOUNDARY_GUESS = re.compile(r"^--([^\s\"\\]{1,200})[ \t]*\r?\n(?=[A-Za-z-]{1,60}:)", re.M)

_DEFECT_NOTES = {
    "NoBoundaryInMultipartDefect": "a multipart part declares no boundary",
    "StartBoundaryNotFoundDefect": "a multipart part's boundary never occurs",
    "CloseBoundaryNotFoundDefect": "the message ends before its closing MIME boundary (truncated?)",
    "MissingHeaderBodySeparatorDefect": "no blank line between headers and body",
    "InvalidBase64PaddingDefect": "damaged base64 (padding); decoded what could be read",
    "InvalidBase64CharactersDefect": "damaged base64 (stray characters); decoded what was readable",
    "InvalidBase64LengthDefect": "damaged base64 (length); the part could not be decoded",
}


@dataclass(frozen=True)
class Attachment:
    filename: str  # decoded, path stripped ("Lønseddel oktober.pdf"); "" if none
    content_type: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class AuthResult:
    """One result of an ``Authentication-Results`` header (RFC 8601), as the receiving
    MTA wrote it. Trust it only when ``authserv_id`` is one's own mail system."""

    authserv_id: str  # lower case, e.g. "mx.kommune.dk"
    method: str  # spf | dkim | dmarc | arc | ...
    result: str  # pass | fail | softfail | neutral | none | temperror | permerror ...


@dataclass(frozen=True)
class MailMessage:
    sender: str | None  # bare From address, lower-cased (never Reply-To)
    sender_name: str | None
    subject: str
    date: datetime | None  # aware; None if missing or unreadable
    message_id: str | None  # with angle brackets, whitespace removed
    body_text: str = field(repr=False)  # personal data: keep it out of logs
    pdfs: tuple[Attachment, ...] = ()
    other_attachments: tuple[str, ...] = ()  # names of non-PDF attachments (or their type)
    notes: tuple[str, ...] = ()  # what was odd but survived
    dropped_pdfs: int = 0  # PDFs beyond MailLimits.max_attachments, not read
    # Header facts for RFC 3834 (who may be answered) and sender authenticity.
    auto_submitted: str | None = None  # Auto-Submitted keyword, lower case ("no", "auto-replied")
    precedence: str | None = None  # Precedence, lower case ("bulk", "junk", "list")
    mailing_list: bool = False  # List-Id or List-Unsubscribe present
    autoreply_header: bool = False  # X-Autoreply / X-Autorespond present (vacation programs)
    delivery_report: bool = False  # multipart/report or message/delivery-status: a bounce
    auth_results: tuple[AuthResult, ...] = ()
    # The Return-Path header (the envelope sender as the final delivery recorded it):
    # None when absent, "" for "<>" (a bounce).
    return_path: str | None = None


@dataclass(frozen=True)
class UnreadableMail:
    reason: str


@dataclass(frozen=True)
class MailLimits:
    max_bytes: int = 25 * 1024 * 1024
    max_attachments: int = 20  # PDFs (and non-PDF names) beyond this are dropped, with a note
    max_parts: int = 2000  # MIME parts walked; guards against a mail of a million tiny parts


def read(raw: bytes, limits: MailLimits = MailLimits()) -> MailMessage | UnreadableMail:
    """Read one raw message. Never raises: damage gives notes or ``UnreadableMail``."""
    raw = bytes(raw)
    if len(raw) > limits.max_bytes:
        return UnreadableMail(
            f"the message is {len(raw):,} bytes ({len(raw) / 2**20:.1f} MB), "
            f"over the limit of {limits.max_bytes:,} bytes ({limits.max_bytes / 2**20:.1f} MB)")
    problem = _not_an_email(raw, limits)
    if problem:
        return UnreadableMail(problem)
    error: Exception | None = None
    for pol in (policy.default.clone(header_factory=ParsedHeaders()), policy.compat32):
        try:
            msg = message_from_bytes(raw, policy=pol)
            return _Reader(limits, fallback=pol is policy.compat32).read(msg)
        except MemoryError:  # the reader process's limit, not a broken mail: let it stop us
            raise
        except Exception as exc:  # one hostile mail must not stop the inbox
            error = exc
    return UnreadableMail(f"the message could not be parsed ({type(error).__name__})")


class ParsedHeaders(HeaderRegistry):
    """``policy.default``'s headers, each class made once and each value parsed once.

    The stdlib's registry makes a new class (``type(...)``) on every lookup and parses a
    header anew on every look; its own MIME parser looks at a part's Content-Type about a
    dozen times (a tenth of the reading of a claim mail). Header objects are immutable,
    so whoever shares this registry shares them. ``max_headers``: at most this many kept
    (None: one registry per mail, bounded by the mail)."""

    _made: dict[tuple[type, type], type[BaseHeader]] = {}  # few: one per header kind

    def __init__(self, base_class: type[BaseHeader] = BaseHeader,
                 max_headers: int | None = None) -> None:
        super().__init__(base_class=base_class)
        self.max_headers = max_headers
        self._parsed: dict[tuple[str, str], BaseHeader] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        kind = self.registry.get(name.lower(), self.default_class)
        made = self._made.get((kind, self.base_class))
        if made is None:
            made = self._made[(kind, self.base_class)] = super().__getitem__(name)
        return made

    def __call__(self, name: str, value: str) -> BaseHeader:
        key = (name, value)
        header = self._parsed.get(key)
        if header is None:
            if self.max_headers is not None and len(self._parsed) >= self.max_headers:
                self._parsed.clear()  # what repeats fills it again
            header = self._parsed[key] = super().__call__(name, value)
        return header


def _not_an_email(raw: bytes, limits: MailLimits) -> str | None:
    """Why ``raw`` is not an e-mail, or None. Cheap: looks at the header block only."""
    head = raw[:MAX_HEADER_SCAN].lstrip(b"\r\n\t ")
    if not head:
        return "the message is empty"
    lines = head.split(b"\n")
    if lines[0].startswith(b"From "):  # mbox separator line
        lines = lines[1:]
    names: set[bytes] = set()
    for line in lines:
        line = line.rstrip(b"\r")
        if not line:
            break
        if line[:1] in (b" ", b"\t"):  # folded continuation of the previous header
            continue
        match = _HEADER_LINE.match(line)
        if not match:
            break
        names.add(match.group(1).lower())
    if not names:
        return "not an e-mail: the data does not start with header lines"
    if not names & _KNOWN_HEADERS:
        return "not an e-mail: no From, To, Subject, Date or MIME header"
    # Every MIME part starts with a "--boundary" line; far too many means a hostile mail.
    dash_lines = raw.count(b"\n--")
    if dash_lines > 2 * limits.max_parts + 100:
        return f"the message has too many MIME parts (about {dash_lines // 2:,})"
    return None


class _Reader:
    """State for reading one parsed message; used once."""

    def __init__(self, limits: MailLimits, fallback: bool) -> None:
        self.limits = limits
        self.notes: dict[str, None] = {}  # ordered set
        if fallback:
            self.note("headers read leniently (compat32) after a parse error")
        # per message (0 = the mail itself, 1.. = forwarded ones): plain and HTML texts
        self.texts: list[tuple[list[str], list[str]]] = []
        self.pdfs: list[Attachment] = []
        self.others: list[str] = []
        self.dropped_pdfs = 0
        self.dropped_others = 0
        self.delivery_report = False

    def note(self, text: str) -> None:
        self.notes[text] = None

    def read(self, msg: Message) -> MailMessage:
        sender, sender_name = self._sender(msg)
        subject = _one_line(_header(msg, "Subject") or "")
        date = self._date(msg)
        message_id = "".join((_header(msg, "Message-ID") or "").split()) or None
        self._walk(msg)
        facts = header_facts(msg)
        if self.dropped_pdfs:
            self.note(f"attachment limit reached: {len(self.pdfs)} PDFs kept, "
                      f"{self.dropped_pdfs} more dropped")
        if self.dropped_others:
            self.note(f"{self.dropped_others} more non-PDF attachments not listed")
        return MailMessage(
            sender=sender,
            sender_name=sender_name,
            subject=subject,
            date=date,
            message_id=message_id,
            body_text=self._body_text(),
            pdfs=tuple(self.pdfs),
            other_attachments=tuple(self.others),
            notes=tuple(self.notes),
            dropped_pdfs=self.dropped_pdfs,
            delivery_report=facts.pop("delivery_report") or self.delivery_report,
            **facts,
        )

    # -- headers -------------------------------------------------------------------

    def _sender(self, msg: Message) -> tuple[str | None, str | None]:
        raw = _raw_header(msg, "From")
        if raw is None:
            self.note("no From header")
            return None, None
        name, address = _first_address(msg, raw)
        if not address:
            self.note("the From header has no usable address")
            return None, name
        return address, name

    def _date(self, msg: Message) -> datetime | None:
        text = _header(msg, "Date")
        if text is None:
            return None
        try:
            value = parsedate_to_datetime(text.strip())
        except (TypeError, ValueError, IndexError, OverflowError):
            self.note("the Date header could not be read")
            return None
        # "-0000" means "time in UTC, zone unknown": the stdlib returns it naive.
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    # -- MIME tree -----------------------------------------------------------------

    def _walk(self, root: Message) -> None:
        """Visit every part, depth first in document order, without recursion."""
        self.texts.append(([], []))
        stack: list[tuple[Message, int, int]] = [(root, 0, 0)]
        visited = 0
        while stack:
            part, depth, msg_no = stack.pop()
            visited += 1
            if visited > self.limits.max_parts:
                self.note(f"more than {self.limits.max_parts} MIME parts; the rest ignored")
                return
            if depth > MAX_DEPTH:
                self.note("MIME parts nested too deep; the innermost ignored")
                continue
            self._defect_notes(part)
            children = self._children(part, depth)
            if children is None:
                self._leaf(part, msg_no)
                continue
            if _content_type(part) in _REPORT_TYPES and depth <= 1 and msg_no == 0:
                self.delivery_report = True  # a bounce's report part, not a forwarded one
            if _content_type(part).startswith("message/"):
                # A forwarded mail attached whole: its text and PDFs belong to the claim.
                self.texts.append(([], []))
                msg_no = len(self.texts) - 1
            stack.extend((child, depth + 1, msg_no) for child in reversed(children))

    def _children(self, part: Message, depth: int) -> list[Message] | None:
        """Sub-parts of a container part, or None for a leaf."""
        if part.is_multipart():
            payload = part.get_payload()
            if not isinstance(payload, list):
                return []
            return [p for p in payload if isinstance(p, Message)]
        if _content_type(part).startswith("multipart/") and depth < MAX_DEPTH:
            return self._recover_multipart(part)
        return None

    def _recover_multipart(self, part: Message) -> list[Message] | None:
        """A multipart whose boundary is missing or wrong: guess it from the first
        ``--something`` line followed by a header, and parse the body again."""
        body = part.get_payload()
        if not isinstance(body, str):
            return None
        match = _BOUNDARY_GUESS.search(body)
        if not match:
            self.note("a multipart part has no usable boundary; read as plain text")
            return None
        boundary = match.group(1).encode("ascii", "replace")
        data = part.get_payload(decode=True) or b""
        header = b'Content-Type: multipart/mixed; boundary="' + boundary + b'"\r\n\r\n'
        inner = message_from_bytes(header + data, policy=part.policy)
        if not inner.is_multipart():
            self.note("a multipart part has no usable boundary; read as plain text")
            return None
        self.note("a multipart part had a missing or wrong boundary; recovered from the body")
        return [inner]

    def _leaf(self, part: Message, msg_no: int) -> None:
        ctype = _content_type(part)
        filename = _filename(part)
        disposition = _safe(part.get_content_disposition, None)
        plain, html = self.texts[msg_no]
        is_text = ctype in ("text/plain", "text/html") or ctype.startswith("multipart/")
        if is_text and not filename and disposition != "attachment":
            text = self._decode_text(part)
            (html if ctype == "text/html" else plain).append(text)
        elif _is_pdf(ctype, filename, _head_bytes(part)) or is_payslip_image(ctype, filename):
            # A payslip is a PDF, or a scan or photo of one (read by OCR).
            self._add_pdf(part, ctype, filename)
        elif ctype.startswith("text/") and not filename and disposition != "attachment":
            pass  # inline text/calendar, text/enriched ...: neither body nor attachment
        elif len(self.others) < self.limits.max_attachments:
            self.others.append(filename or f"unnamed {ctype}")
        else:
            self.dropped_others += 1

    def _add_pdf(self, part: Message, ctype: str, filename: str) -> None:
        if len(self.pdfs) >= self.limits.max_attachments:
            self.dropped_pdfs += 1  # counted without decoding: cheap even for 200 of them
            return
        data = _payload_bytes(part)
        self._defect_notes(part)  # base64 damage is only found while decoding
        self.pdfs.append(Attachment(filename=filename, content_type=ctype, data=data))

    def _decode_text(self, part: Message) -> str:
        data = _payload_bytes(part)
        self._defect_notes(part)
        charset = _safe(part.get_content_charset, None)
        text, note = decode_bytes(data, charset)
        if note:
            self.note(note)
        return text

    def _defect_notes(self, part: Message) -> None:
        for defect in getattr(part, "defects", ()):
            name = type(defect).__name__
            if name in _DEFECT_NOTES:
                self.note(_DEFECT_NOTES[name])

    # -- body ----------------------------------------------------------------------

    def _body_text(self) -> str:
        blocks = []
        for msg_no, (plain, html) in enumerate(self.texts):
            chosen = [t for t in plain if t.strip()]
            if not chosen:  # HTML-only mail (or an empty plain part beside the HTML)
                chosen = [self._html_text(h) for h in html]
            text = "\n".join(t.strip("\r\n") for t in chosen if t.strip())
            if not text:
                continue
            blocks.append(f"{FORWARD_MARKER}\n{text}" if msg_no else text)
        body = "\n\n".join(blocks).replace("\r\n", "\n").replace("\r", "\n")
        if len(body) > MAX_BODY_CHARS:
            self.note(f"body text cut to {MAX_BODY_CHARS:,} characters")
            body = body[:MAX_BODY_CHARS]
        return body

    def _html_text(self, html: str) -> str:
        if len(html) > MAX_HTML_CHARS:
            self.note(f"HTML body cut to {MAX_HTML_CHARS:,} characters before conversion")
            html = html[:MAX_HTML_CHARS]
        return html_to_text(html)


# -- header facts (RFC 3834, RFC 8601) ---------------------------------------------

_REPORT_TYPES = frozenset({"multipart/report", "message/delivery-status",
                           "message/disposition-notification"})
_AUTOREPLY_HEADERS = ("x-autoreply", "x-autorespond", "x-autoresponder")
_COMMENT = re.compile(r"\([^()]*\)")
_RESINFO = re.compile(r"^([a-z0-9_-]+)(?:/[0-9]+)?\s*=\s*([a-z]+)", re.I)
MAX_AUTH_HEADERS = 20  # results looked at; a relay chain adds one or two


def header_facts(msg: Message) -> dict[str, Any]:
    """Auto-submitted, list, bounce and authentication facts from the raw headers.

    Read from the raw header values, never through the header parser's structured
    types: cheap for any input and unable to raise.
    """
    items = [(str(k).lower(), str(v)) for k, v in _safe(msg.raw_items, [])]
    names = {k for k, _ in items}

    def first(name: str) -> str | None:
        value = next((v for k, v in items if k == name), None)
        if value is None:
            return None
        words = _COMMENT.sub(" ", _one_line(value)).replace(";", " ").split()
        return words[0].lower()[:64] if words else ""

    auth = tuple(r for k, v in items if k == "authentication-results"
                 for r in parse_authentication_results(v))[:MAX_AUTH_HEADERS * 8]
    return {
        "auto_submitted": first("auto-submitted"),
        "precedence": first("precedence"),
        "mailing_list": bool(names & {"list-id", "list-unsubscribe"}),
        "autoreply_header": any(name in names for name in _AUTOREPLY_HEADERS),
        "delivery_report": _content_type(msg) in _REPORT_TYPES,
        "auth_results": auth,
        "return_path": _return_path(next((v for k, v in items if k == "return-path"), None)),
    }


def _return_path(value: str | None) -> str | None:
    """The Return-Path address, lower case; "" for ``<>``; None when there is none."""
    if value is None:
        return None
    pairs = _safe(lambda: getaddresses([value]), [])
    return pairs[0][1].strip().lower()[:320] if pairs else ""


def parse_authentication_results(value: str) -> tuple[AuthResult, ...]:
    """``mx.k.dk; spf=pass smtp.mailfrom=f.dk; dmarc=fail (p=reject) header.from=f.dk``
    -> one :class:`AuthResult` per method. Comments are dropped; unreadable parts are
    skipped, never guessed."""
    text = _one_line(value)[:8192]
    for _ in range(5):  # nested comments, innermost first
        text = _COMMENT.sub(" ", text)
    head, *resinfos = text.split(";")
    words = head.split()
    if not words:
        return ()
    authserv_id = words[0].lower()
    results = []
    for resinfo in resinfos:
        match = _RESINFO.match(resinfo.strip())
        if match:
            results.append(AuthResult(authserv_id, match.group(1).lower(),
                                      match.group(2).lower()))
    return tuple(results)


# -- charsets ----------------------------------------------------------------------


def decode_bytes(data: bytes, charset: str | None) -> tuple[str, str | None]:
    """Text from ``data`` in the declared ``charset``, and a note when that did not fit.

    Never raises: an unknown or wrong charset falls back to UTF-8, windows-1252, latin-1.
    """
    declared = (charset or "").strip().strip("\"'").lower()[:40]
    if not declared:
        if data.isascii():
            return data.decode("ascii"), None
        text, used = _first_fit(data, FALLBACK_CHARSETS)
        return text, f"text without a declared charset decoded as {used}"
    label = _printable(declared)
    try:
        text = data.decode(declared)
    except LookupError:  # not a codec, or not a text codec ("x-unknown", "base64")
        text, used = _first_fit(data, FALLBACK_CHARSETS)
        return text, f"unknown charset {label}, decoded as {used}"
    except Exception:  # codecs chosen by the sender raise all sorts
        text, used = _first_fit(data, FALLBACK_CHARSETS)
        return text, f"text declared {label} is not valid {label}; decoded as {used}"
    if _codec_name(declared) in _SINGLE_BYTE and not data.isascii():
        try:
            return data.decode("utf-8"), f"text declared {label} is UTF-8; decoded as utf-8"
        except UnicodeDecodeError:
            pass
    return text, None


def _first_fit(data: bytes, charsets: tuple[str, ...]) -> tuple[str, str]:
    for charset in charsets:
        try:
            return data.decode(charset), charset
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def _codec_name(charset: str) -> str:
    try:
        return codecs.lookup(charset).name
    except LookupError:
        return charset


def _printable(text: str) -> str:
    return repr(text) if not text.isprintable() or not text.isascii() else text


def _repair(text: str) -> str:
    """Headers with raw 8-bit bytes arrive as surrogate escapes: decode those bytes."""
    if not _SURROGATE.search(text):
        return text
    try:
        data = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)
    return _first_fit(data, FALLBACK_CHARSETS)[0]


# -- headers -----------------------------------------------------------------------


def _safe(call: Callable[[], T], default: T) -> T:
    """``call()``, or ``default`` when the stdlib trips over a broken header."""
    try:
        return call()
    except MemoryError:
        raise
    except Exception:  # header parsing raises many kinds on hostile input
        return default


def _raw_header(msg: Message, name: str) -> str | None:
    wanted = name.lower()
    for key, value in msg.raw_items():
        if key.lower() == wanted:
            return str(value)
    return None


def _header(msg: Message, name: str) -> str | None:
    """A header's decoded text; falls back to decoding the raw value ourselves."""
    raw = _raw_header(msg, name)
    if raw is None:
        return None
    value = _safe(lambda: msg[name], None)
    if hasattr(value, "defects"):  # policy.default: already decoded
        text = str(value)
        if "\ufffd" in text or _SURROGATE.search(text):
            text = decode_words(raw)
    else:
        text = decode_words(raw)
    return _CONTROL.sub(" ", text)


def decode_words(value: str) -> str:
    """RFC 2047 encoded words (``=?utf-8?q?L=C3=B8n?=``) and raw 8-bit bytes -> text."""
    value = re.sub(r"\r?\n[ \t]", " ", value)
    try:
        chunks = decode_header(value)
    except MemoryError:
        raise
    except Exception:  # e.g. bad base64 inside an encoded word
        return _repair(value)
    out = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            out.append(_repair(chunk))
        elif charset:
            out.append(decode_bytes(chunk, charset)[0])
        else:  # decode_header's own encoding of the plain runs between encoded words
            out.append(_repair(chunk.decode("raw-unicode-escape", "replace")))
    return "".join(out)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _first_address(msg: Message, raw: str) -> tuple[str | None, str | None]:
    """(name, lower-cased address) of the first From address with an ``@``."""
    header = _safe(lambda: msg["From"], None)
    pairs = [(a.display_name, a.addr_spec) for a in _safe(lambda: header.addresses, ())]
    if not pairs:
        pairs = _safe(lambda: getaddresses([raw]), [])
    for name, address in pairs:
        address = _repair(address or "").strip().strip("<>").lower()
        if "@" in address and not any(c.isspace() for c in address):
            return _one_line(decode_words(name or "")) or None, address
    return None, None


def _content_type(part: Message) -> str:
    # Kept on the part: the stdlib parses the header again on every call, and a part's
    # type is asked for several times.
    cached = part.__dict__.get("_assistant_content_type")
    if cached is None:
        cached = _safe(part.get_content_type, "application/octet-stream").lower()
        part.__dict__["_assistant_content_type"] = cached
    return cached


def _filename(part: Message) -> str:
    """The decoded attachment name (RFC 2231, RFC 2047, or raw 8-bit), without any path."""
    name = _safe(part.get_filename, None) or ""
    if "\ufffd" in name or _SURROGATE.search(name) or "=?" in name:
        name = _raw_filename(part) or name
    name = _CONTROL.sub("", _one_line(_repair(name)))
    # "C:\Users\x\Lønseddel.pdf" or "../x.pdf": keep the last path element only.
    return re.split(r"[\\/]", name)[-1]


def _raw_filename(part: Message) -> str | None:
    for header in ("Content-Disposition", "Content-Type"):
        raw = _raw_header(part, header) or ""
        match = re.search(r'(?:file)?name\s*=\s*(?:"([^"]*)"|([^\s;]+))', raw, re.I)
        if match:
            return decode_words(match.group(1) or match.group(2))
    return None


# -- payloads ----------------------------------------------------------------------


def _payload_bytes(part: Message) -> bytes:
    data = _safe(lambda: part.get_payload(decode=True), None)
    if isinstance(data, bytes):
        return data
    payload = _safe(part.get_payload, "")
    return payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else b""


def _head_bytes(part: Message, size: int = 1024) -> bytes:
    """The first bytes of a part's content, decoding only a prefix (for %PDF sniffing)."""
    payload = _safe(part.get_payload, "")
    if not isinstance(payload, str):
        return b""
    cte = str(_safe(lambda: part.get("Content-Transfer-Encoding", ""), "")).strip().lower()
    prefix = payload[: size * 2]
    try:
        if cte == "base64":
            chars = re.sub(r"[^A-Za-z0-9+/]", "", prefix)
            return base64.b64decode(chars[: len(chars) // 4 * 4])
        if cte == "quoted-printable":
            return quopri.decodestring(prefix.encode("ascii", "replace"))
        return prefix.encode("utf-8", "surrogateescape")
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return b""


def _is_pdf(ctype: str, filename: str, head: bytes) -> bool:
    return (
        ctype in PDF_TYPES
        or filename.lower().endswith(".pdf")
        or head.lstrip(b"\x00\t\r\n ").startswith(b"%PDF")
    )


# -- HTML --------------------------------------------------------------------------

_SKIP_TAGS = frozenset({"script", "style", "title", "noscript", "template"})
_PARAGRAPH_TAGS = frozenset({"p", "table", "ul", "ol", "hr", "h1", "h2", "h3", "h4", "h5", "h6"})
_LINE_TAGS = frozenset({"div", "tr", "li", "dt", "dd", "section", "article", "header", "footer"})
_CELL_TAGS = frozenset({"td", "th"})


class _HtmlText(HTMLParser):
    """HTML -> text lines. Block tags break lines; table cells are joined by a space, so
    ``CPR-nr.:</td><td>010190-1234`` reads as one line even when each cell wraps its text
    in ``<p>`` (Outlook does). ``<blockquote>`` lines get a ``> `` prefix so quoted
    replies look as they do in plain text.

    Breaks are applied lazily, when the next text arrives: a ``</p>`` that closes a cell
    is then forgotten at ``</td>`` instead of splitting the table row.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._parts: list[str] = []
        self._pending = 0  # break owed before the next text: 0 none, 1 line, 2 paragraph
        self._skip = 0
        self._quote = 0
        self._pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        else:
            self._boundary(tag, opening=True)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _SKIP_TAGS:
            self._boundary(tag, opening=True)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag != "br":
            self._boundary(tag, opening=False)

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if not self._pre:
            if data.strip():
                self._pay_break()
            self._parts.append(data)
            return
        self._pay_break()
        first, *rest = data.split("\n")
        self._parts.append(first)
        for line in rest:
            self.flush(force=True)
            self._parts.append(line)

    def _boundary(self, tag: str, opening: bool) -> None:
        step = 1 if opening else -1
        if tag == "br":
            self.flush(force=True)
        elif tag in _CELL_TAGS:
            self._parts.append(" ")
            if not opening:
                self._pending = 0  # the cell's own </p> or </div> does not end the row
        elif tag in ("blockquote", "pre"):
            self.flush()  # now, not lazily: the lines before keep their quote level
            self._pending = 2
            if tag == "blockquote":
                self._quote = max(0, self._quote + step)
            else:
                self._pre = max(0, self._pre + step)
        elif tag in _LINE_TAGS:
            self._pending = max(self._pending, 1)
        elif tag in _PARAGRAPH_TAGS:
            self._pending = 2

    def _pay_break(self) -> None:
        if self._pending:
            self.flush()
            if self._pending == 2 and self.lines and self.lines[-1]:
                self.lines.append("")
            self._pending = 0

    def flush(self, force: bool = False) -> None:
        raw = "".join(self._parts)
        text = raw.rstrip() if self._pre else " ".join(raw.split())
        self._parts = []
        if text or force:
            self.lines.append("> " * self._quote + text if text else "")


def html_to_text(html: str) -> str:
    """Readable text of an HTML body (stdlib html.parser; regex strip if that fails)."""
    parser = _HtmlText()
    try:
        parser.feed(html)
        parser.close()
        parser.flush()
        lines = parser.lines
    except Exception:  # html.parser has raised on odd markup in old versions
        text = re.sub(r"(?i)<br\s*/?>|</(?:p|div|tr|li)>", "\n", html)
        lines = [" ".join(unescape(re.sub(r"<[^>]*>", " ", line)).split())
                 for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# Header fields that relays and the receiving server put on top of a message. A copy of
# the same message that reached us another way differs only in these.
_TRACE_FIELD = re.compile(
    rb"(received|return-path|delivered-to|x-original-to|x-received|authentication-results"
    rb"|arc-[a-z-]+|x-spam-[a-z-]+|x-virus-[a-z-]+)[ \t]*:", re.I)


def content_key(raw: bytes) -> str:
    """SHA-256 (hex) that is equal for copies of one message, for de-duplication.

    Copies differ only in the trace fields on top (``Received``, ``Return-Path``,
    ``Delivered-To`` ...) and line ends (SMTP sends CRLF, a maildir may keep LF): both
    are left out. Everything else, Message-ID and body included, is hashed.
    """
    data = raw.replace(b"\r\n", b"\n")
    start = 0
    while True:
        end = data.find(b"\n", start)
        if end < 0 or not _TRACE_FIELD.match(data, start):
            break
        start = end + 1
        while data[start:start + 1] in (b" ", b"\t"):  # folded continuation lines
            end = data.find(b"\n", start)
            if end < 0:
                break
            start = end + 1
    return hashlib.sha256(data[start:]).hexdigest()
