"""Saved replies the demo team uses, so the composer has some to insert."""

from __future__ import annotations

from regard.accounts.models import Agent, Team
from regard.conversations.models import SavedReply

SAVED_REPLIES = (
    (
        "Thanks for waiting",
        None,
        "Hi {name},\n\nThank you for your patience, and I'm sorry this took longer than it "
        "should. I have looked into {ticket} myself and will write to you again by tomorrow "
        "at 5pm with the answer.\n\nBest wishes,\n{agent}",
    ),
    (
        "Refund on its way",
        "Orders & Delivery",
        "Hi {name},\n\nThank you for telling us. I've started your refund today; you will see "
        "it on your statement within 5 working days. I'll check on Friday that it arrived.\n\n"
        "{agent} at {company}",
    ),
    (
        "Invoice corrected",
        "Billing & Accounts",
        "Hi {name},\n\nThanks for spotting this. I've corrected the invoice for "
        "{organization} and will email the new copy by the end of today.\n\n{agent}",
    ),
)


def seed_saved_replies() -> int:
    teams = {team.name: team for team in Team.objects.all()}
    author = Agent.objects.order_by("pk").first()
    made = [
        SavedReply(title=title, text=text, team=teams.get(team), created_by=author)
        for title, team, text in SAVED_REPLIES
        if team is None or team in teams
    ]
    return len(SavedReply.objects.bulk_create(made))
