"""Telling one story: a conversation opened, written back and forth, tagged and settled."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from regard.accounts.models import Agent, Team
from regard.conversations.actions import (
    add_note,
    assign_conversation,
    change_status,
    open_conversation,
    receive_message,
    send_reply,
    set_tags,
)
from regard.conversations.choices import ACTIVE_STATUSES, Status
from regard.conversations.models import Conversation
from regard.conversations.sanitize import sanitize_html
from regard.customers.choices import IdentityKind
from regard.customers.models import Customer
from regard.demo.mail import build_mail, quote, store_raw, to_html
from regard.demo.people import AGENTS, TEAMS
from regard.demo.stories import AMOUNTS, DAYS, PRODUCTS

# Minutes between two steps, by channel pace and (previous kind, kind).
CHAT_GAPS = {("in", "in"): (0.5, 2), ("in", "out"): (1, 6), ("out", "in"): (1, 8)}
CHAT_GAPS[("out", "out")] = (20, 90)
MAIL_GAPS = {("in", "in"): (60, 1200), ("in", "out"): (40, 540), ("out", "in"): (120, 1800)}
MAIL_GAPS[("out", "out")] = (180, 2880)
OTHER_GAPS = {"note": (5, 40), "out": (60, 240)}


@dataclass
class Scene:
    person: dict
    customer: Customer
    story: dict
    days_ago: float
    agents: dict[str, Agent]
    rng: random.Random
    follows: Conversation | None = None
    thread: dict = field(default_factory=dict)


def tell(scene: Scene) -> Conversation:
    story, rng = scene.story, scene.rng
    channel = _channel(scene)
    agent = _assignee(scene)
    upset = "upset" in story["tags"]
    fresh = scene.days_ago < 1.5 and not upset and rng.random() < 0.5
    steps = _steps(story["messages"], fresh, scene.days_ago < 14 and rng.random() < 0.45)
    times = _timeline([step[0] for step in steps], channel, scene.days_ago, rng)
    values = _values(scene, agent)
    conversation = open_conversation(
        None,
        scene.customer,
        subject=story["subject"].format(**values),
        channel=channel,
        priority=min(4, story.get("priority", 2) + scene.person.get("vip", False)),
        team=Team.objects.get(name=TEAMS[story["team"]]),
        assignee=None if fresh else agent,
        linked_from=scene.follows,
        at=times[0],
    )
    for index, (step, at) in enumerate(zip(steps, times, strict=True)):
        _play(scene, conversation, agent, step, at, values, first=index == 0)
    if not fresh:
        set_tags(agent.user, conversation, story["tags"])
        _settle(scene, conversation, agent, times[-1])
    return conversation


def _steps(messages: list[tuple], fresh: bool, waiting_on_customer: bool) -> list[tuple]:
    """All of the story, only its first message, or up to our first reply (then theirs is due)."""
    if fresh:
        return messages[:1]
    kinds = [step[0] for step in messages]
    if waiting_on_customer and "out" in kinds[:-1]:
        return messages[: kinds.index("out") + 1]
    return messages


def _channel(scene: Scene) -> str:
    channels = scene.story["channels"]
    if scene.person["channel"] in channels and scene.rng.random() < 0.7:
        return scene.person["channel"]
    return scene.rng.choice(channels)


def _assignee(scene: Scene) -> Agent:
    team = scene.story["team"]
    owner = scene.person["owner"]
    # Light agents only comment; everyone else in the team answers, the admin included.
    members = [a["username"] for a in AGENTS if team in a["teams"] and a["role"] != "light_agent"]
    if owner in members and scene.rng.random() < 0.75:
        return scene.agents[owner]
    return scene.agents[scene.rng.choice(members)]


def _values(scene: Scene, agent: Agent) -> dict[str, str]:
    person = scene.person
    # Upset customers write about the same order across their contacts, whatever the seed.
    rng = random.Random(person["email"]) if "mood" in person else scene.rng
    return {
        "name": scene.customer.address_name,
        "sign": person.get("sign") or person.get("preferred") or person["name"].split()[0],
        "agent": agent.display_name.split()[0],
        "order": person.get("order") or f"AC-{rng.randint(300000, 899999)}",
        "product": person.get("product") or rng.choice(PRODUCTS),
        "amount": rng.choice(AMOUNTS),
        "last4": f"{rng.randint(1000, 9999)}",
        "day": rng.choice(DAYS),
    }


def _timeline(kinds: list[str], channel: str, days_ago: float, rng) -> list[datetime]:
    now = timezone.now().replace(microsecond=0)
    start = now - timedelta(days=days_ago)
    start = start.replace(hour=rng.randint(6, 19), minute=rng.randint(0, 59), second=0)
    gaps = CHAT_GAPS if channel == "chat" else MAIL_GAPS
    times = [start]
    for previous, kind in zip(kinds, kinds[1:], strict=False):
        low, high = gaps.get((previous, kind)) or OTHER_GAPS[kind]
        times.append(times[-1] + timedelta(minutes=rng.uniform(low, high)))
    overshoot = times[-1] - (now - timedelta(minutes=3))
    if overshoot > timedelta(0):
        times = [at - overshoot for at in times]
    return times


def _play(scene, conversation, agent, step, at, values, *, first: bool) -> None:
    kind, text = step[0], step[1]
    chat = conversation.channel == "chat"
    if kind == "in":
        text = text.removesuffix("\n\n{name}") if chat else text
        _receive(scene, conversation, text.format(**{**values, "name": values["sign"]}), at, first)
    elif kind == "out":
        text = (text.removesuffix("\n\n{agent}") if chat else text).format(**values)
        status = step[2] if len(step) > 2 else None
        send_reply(agent.user, conversation, text, status=status, at=at)
        scene.thread["reply"] = (text, agent.display_name, at)
    else:
        # Sven, a light agent in the warehouse, chimes in on some order matters.
        warehouse = scene.story["team"] == "orders" and scene.rng.random() < 0.35
        author = scene.agents["sven"] if warehouse else agent
        add_note(author.user, conversation, text.format(**values), at=at)


def _receive(scene: Scene, conversation: Conversation, text: str, at, first: bool) -> None:
    subject = conversation.subject if first else f"Re: {conversation.subject}"
    kind = IdentityKind.CHAT if conversation.channel == "chat" else IdentityKind.EMAIL
    sender = scene.customer.identities.filter(kind=kind).first() or (
        scene.customer.identities.get(kind=IdentityKind.EMAIL)
    )
    if conversation.channel != "email":
        receive_message(
            conversation,
            text_full=text,
            sender=sender,
            channel=conversation.channel,
            subject=subject,
            at=at,
        )
        return
    reply = scene.thread.get("reply")
    full = quote(text, reply[0], reply[1], reply[2], scene.person["tz"]) if reply else text
    html_body = to_html(text, reply[0] if reply else "") if scene.person.get("html") else ""
    message_id = f"<{scene.rng.getrandbits(64):016x}@{sender.value.split('@')[1]}>"
    data = build_mail(
        sender=(scene.person["name"], sender.value),
        subject=subject,
        text=full,
        at=at,
        tz=scene.person["tz"],
        message_id=message_id,
        in_reply_to=scene.thread.get("message_id", ""),
        html_body=html_body,
        attachment=scene.story.get("attach", "") if first else "",
    )
    receive_message(
        conversation,
        text_full=full,
        text_new=text,
        html=sanitize_html(html_body) if html_body else "",
        sender=sender,
        channel="email",
        subject=subject,
        external_id=message_id,
        raw=store_raw(data, message_id, at),
        at=at,
    )
    scene.thread["message_id"] = message_id


def _settle(scene: Scene, conversation: Conversation, agent: Agent, last) -> None:
    """Old matters get solved, older ones closed; upset customers still waiting go up a level."""
    conversation.refresh_from_db()
    now = timezone.now()
    if conversation.status in ACTIVE_STATUSES and "churn-risk" in scene.story["tags"]:
        supervisor = scene.agents["tomas"]
        reason = "Upset customer on a repeat contact: the supervisor takes over"
        assign_conversation(agent.user, conversation, assignee=supervisor, reason=reason)
    solve_at = last + timedelta(hours=scene.rng.uniform(2, 30))
    if conversation.status in ACTIVE_STATUSES and scene.days_ago > 16 and solve_at < now:
        conversation = change_status(agent.user, conversation, Status.SOLVED, at=solve_at)
    if conversation.status == Status.SOLVED and scene.days_ago > 30:
        close_at = conversation.solved_at + timedelta(days=4)
        if close_at < now:
            change_status(None, conversation, Status.CLOSED, at=close_at)
