"""Loyalty in `regard export` / `regard import`: how each record is written and read back (the
shared modules in `regard.system` list these beside every other kind). Health scores are not
exported: the clock recomputes them within the hour."""

from __future__ import annotations

from regard.loyalty.models import GratitudeDraft, Kudos, LoyaltyPolicy, Survey, SurveyAnswer

FILES = (
    "loyalty_policy.jsonl",
    "surveys.jsonl",
    "survey_answers.jsonl",
    "gratitude_drafts.jsonl",
    "kudos.jsonl",
)
MODELS = (LoyaltyPolicy, Survey, SurveyAnswer, GratitudeDraft, Kudos)
NOT_EXPORTED = ("loyalty.CustomerHealth",)
POLICY_FLAGS = (
    "nps_enabled",
    "invite_promoters",
    "thank_first_conversation",
    "thank_feedback",
    "thank_anniversary",
    "thank_long_wait",
    "send_thanks_automatically",
)


def _copy(row, *fields):
    from regard.system.portability_serializers import _copy as copy

    return copy(row, *fields)


def kinds(Kind) -> dict:  # noqa: N803 - the shared Kind class is passed in
    def policy(row, names, related):
        return {
            **_copy(row, "id", "after_solve", *POLICY_FLAGS, "review_url"),
            **_copy(row, "long_wait_hours", "silence_days", "swept_at"),
            **_copy(row, "thank_question_without_purchase", "question_tag", "purchase_tag"),
            **_copy(row, "question_days"),
        }

    def survey(row, names, related):
        return {
            **_copy(row, "id", "kind", "customer_id", "conversation_id"),
            "agent": names.agents.get(row["agent_id"]),
            **_copy(row, "nonce", "created_at", "sent_at"),
        }

    def answer(row, names, related):
        return _copy(row, "id", "survey_id", "score", "comment", "answered_at", "follow_up_id")

    def draft(row, names, related):
        return {
            **_copy(row, "id", "customer_id", "occasion", "occasion_key"),
            "owner": names.agents.get(row["owner_id"]),
            **_copy(row, "text", "detail", "state", "flag_reason", "conversation_id"),
            **_copy(row, "created_at", "sent_at"),
        }

    def kudos(row, names, related):
        return {
            **_copy(row, "id"),
            "agent": names.agents[row["agent_id"]],
            **_copy(row, "customer_id", "message_id", "survey_id", "quote", "created_at"),
        }

    serializers = (policy, survey, answer, draft, kudos)
    return {
        name: Kind(model.objects.values(), serialize)
        for name, model, serialize in zip(FILES, MODELS, serializers, strict=True)
    }


def _policy(r, refs):
    yield LoyaltyPolicy(
        id=r.int("id"),
        after_solve=r.text("after_solve"),
        review_url=r.text("review_url"),
        long_wait_hours=r.int("long_wait_hours"),
        silence_days=r.int("silence_days"),
        swept_at=r.when("swept_at", optional=True),
        # Added later: older exports lack them, and get the defaults.
        thank_question_without_purchase=r.flag("thank_question_without_purchase", absent=False),
        question_tag=r.text("question_tag", absent="pre-sales"),
        purchase_tag=r.text("purchase_tag", absent="order"),
        question_days=r.int("question_days", absent=14),
        **{flag: r.flag(flag) for flag in POLICY_FLAGS},
    )


def _survey(r, refs):
    yield Survey(
        id=r.int("id"),
        kind=r.text("kind"),
        customer_id=r.int("customer_id"),
        conversation_id=r.ref("conversation_id"),
        agent_id=refs.agent(r.name("agent")),
        nonce=r.text("nonce"),
        created_at=r.when("created_at"),
        sent_at=r.when("sent_at", optional=True),
    )


def _answer(r, refs):
    yield SurveyAnswer(
        id=r.int("id"),
        survey_id=r.int("survey_id"),
        score=r.int("score"),
        comment=r.text("comment"),
        answered_at=r.when("answered_at"),
        follow_up_id=r.ref("follow_up_id"),
    )


def _draft(r, refs):
    yield GratitudeDraft(
        id=r.int("id"),
        customer_id=r.int("customer_id"),
        occasion=r.text("occasion"),
        occasion_key=r.text("occasion_key"),
        owner_id=refs.agent(r.name("owner")),
        text=r.text("text"),
        detail=r.text("detail"),
        state=r.text("state"),
        flag_reason=r.text("flag_reason"),
        conversation_id=r.ref("conversation_id"),
        created_at=r.when("created_at"),
        sent_at=r.when("sent_at", optional=True),
    )


def _kudos(r, refs):
    agent = refs.agent(r.text("agent"))
    yield Kudos(
        id=r.int("id"),
        agent_id=agent,
        customer_id=r.int("customer_id"),
        message_id=r.ref("message_id"),
        survey_id=r.ref("survey_id"),
        quote=r.text("quote"),
        created_at=r.when("created_at"),
    )


LOADERS = dict(zip(FILES, (_policy, _survey, _answer, _draft, _kudos), strict=True))
