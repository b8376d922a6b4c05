"""Who may do what on the jobcenter desk. Pure: a role and an action in, yes or no out.

Roles: ``consultant`` (virksomhedskonsulent: claims, the pool and its employments,
intakes, the workplaces' senders), ``economy``
(Økonomigruppen: claims, paying, the export, revealing a CPR number), ``admin`` (all).
Every route of the web app names its action; the app refuses (403) what the role may not.
"""

from __future__ import annotations

ROLES = ("consultant", "economy", "admin")

PERMISSIONS: dict[str, frozenset[str]] = {
    "view": frozenset(ROLES),  # today, claims, a claim, the pool, the workplaces, follow-up
    "decide": frozenset(ROLES),  # approve, reject, correct a claim
    "pay": frozenset({"economy", "admin"}),  # mark a claim paid
    "reveal_cpr": frozenset({"economy", "admin"}),
    "export": frozenset({"economy", "admin"}),
    "intakes": frozenset({"consultant", "admin"}),  # see, approve, ask about, decline intakes
    "register": frozenset({"consultant", "admin"}),  # add, end, extend employments
    "senders": frozenset({"consultant", "admin"}),  # add, remove a workplace's senders
    "audit": frozenset({"economy", "admin"}),
    "followup": frozenset({"consultant", "admin"}),  # run the follow-up now
}


def allowed(role: str, action: str) -> bool:
    """May ``role`` do ``action``? An unknown action is never allowed."""
    return role in PERMISSIONS.get(action, frozenset())
