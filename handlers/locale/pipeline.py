"""The inbox pipeline's own mail texts (``assistant.pipeline``): what the consultants get
when a mail is not a claim or cannot be read, and how a reply names each claim.
Section ``pipeline``."""

from __future__ import annotations

from handlers.i18n import Catalogue

PIPELINE: Catalogue = {
    "enquiry.subject": {"da": "Henvendelse: {subject}", "en": "Enquiry: {subject}"},
    "enquiry.intro": {"da": "En mail til jobcentret var ikke et refusionskrav og videresendes.",
                      "en": "A mail to the jobcenter was not a refund claim and is forwarded."},
    "enquiry.from": {"da": "Fra: {sender}", "en": "From: {sender}"},
    "enquiry.subject_line": {"da": "Emne: {subject}", "en": "Subject: {subject}"},
    "enquiry.attached": {"da": "Vedhæftet (ikke videresendt; mailen er gemt som indgående "
                               "besked {number}):",
                         "en": "Attached (not forwarded; the mail is stored as inbound "
                               "message {number}):"},
    "no_subject": {"da": "(intet emne)", "en": "(no subject)"},
    "no_name": {"da": "(uden navn)", "en": "(no name)"},
    "unreadable.subject": {"da": "Ulæselig mail til jobcentret",
                           "en": "Unreadable mail to the jobcenter"},
    "unreadable.body": {"da": "En mail fra {sender} kunne ikke læses: {reason}",
                        "en": "A mail from {sender} could not be read: {reason}"},
    "unknown_sender": {"da": "ukendt afsender", "en": "unknown sender"},
    # How a reply about several claims heads each one.
    "heading.body": {"da": "Kravet ({reference})", "en": "The claim ({reference})"},
    "heading.payslip": {"da": "Lønseddel \"{name}\" ({reference})",
                        "en": "Payslip \"{name}\" ({reference})"},
}
