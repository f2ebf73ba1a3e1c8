"""Compliment detection: bad input first, then precision on real-looking sentences (sarcasm,
politeness and complaints must never become kudos) and which agent a compliment is about."""

from __future__ import annotations

import pytest

from regard.insight.kudos import find_compliments, has_praise

AGENTS = ["Dana Reyes", "Sam Lee", "Mx. Robin Ortiz"]


def test_text_that_is_not_a_string_is_refused():
    with pytest.raises(TypeError, match="text must be str"):
        find_compliments(None, AGENTS)


def test_empty_and_huge_texts_are_fine():
    assert find_compliments("", AGENTS) == []
    assert find_compliments("x" * 100_000 + " Dana was brilliant.", AGENTS) == []


COMPLIMENTS = [
    ("Dana was absolutely brilliant, she sorted it all out in one call!", "Dana Reyes"),
    ("Kudos to Sam Lee for being so patient with my dad.", "Sam Lee"),
    ("Please pass on my thanks to Robin, who went above and beyond.", "Mx. Robin Ortiz"),
    ("The lady on the phone was so helpful and kind.", "Dana Reyes"),  # the helper
    ("You have been incredibly helpful, thank you!", "Dana Reyes"),
    ("Sam deserves a raise, honestly.", "Sam Lee"),
    ("Thank you so much for sorting this, Dana", "Dana Reyes"),
    ("Excellent service from start to finish.", None),
]
NOT_COMPLIMENTS = [
    "Thanks in advance.",
    "Thanks Dana.",
    "Thanks for nothing.",
    "Sam was not very helpful.",
    "Great, another week of waiting for Dana to call back.",
    "It would be great if someone could call me.",
    "Dana said she'd call and never did.",
    "I really appreciate the reply but the kettle is still broken.",
    "Oh great, the worst service I have ever had.",
    "Your colleague was hardly helpful at all.",
    "Robin was far from helpful.",
]


@pytest.mark.parametrize(("text", "agent"), COMPLIMENTS)
def test_compliments_are_found_with_the_agent_they_are_about(text, agent):
    [found] = find_compliments(text, AGENTS, helper="Dana Reyes")
    assert found.agent == agent
    assert found.quote == text.strip()
    assert text[found.start : found.end] == found.quote


@pytest.mark.parametrize("text", NOT_COMPLIMENTS)
def test_sarcasm_politeness_and_complaints_are_not_kudos(text):
    assert find_compliments(text, AGENTS, helper="Dana Reyes") == []


def test_precision_over_the_whole_set_is_perfect_and_recall_high():
    found = [bool(find_compliments(t, AGENTS, helper="Dana Reyes")) for t, _ in COMPLIMENTS]
    false = [t for t in NOT_COMPLIMENTS if find_compliments(t, AGENTS, helper="Dana Reyes")]
    assert false == []
    assert sum(found) / len(found) >= 0.85


def test_only_the_praising_sentence_is_quoted():
    text = "My parcel came late again. But Sam was a star on the phone! Please fix the courier."
    [found] = find_compliments(text, AGENTS)
    assert found.quote == "But Sam was a star on the phone!"
    assert found.agent == "Sam Lee"


def test_without_a_name_or_a_helper_the_agent_is_unknown():
    [found] = find_compliments("You were so helpful!", AGENTS)
    assert found.agent is None


def test_a_name_must_be_written_as_a_name():
    assert find_compliments("The sam was so helpful", AGENTS)[0].agent is None


def test_the_quick_look_matches_the_full_detection():
    assert has_praise("Dana was brilliant")
    assert not has_praise("Where is my order?")
