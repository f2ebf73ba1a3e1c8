"""Explainable cues for customer emotion: lexicons, signal phrases and complaint phrases, each
found as a span of the text so the reason for every finding can be shown to an agent."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

LABELS = ("angry", "frustrated", "anxious", "sad", "neutral", "satisfied", "grateful")
NEGATIVE = frozenset({"angry", "frustrated", "anxious", "sad"})
POSITIVE = frozenset({"satisfied", "grateful"})
TO_COARSE_CUE = {
    "angry": "anger",
    "frustrated": "anger",
    "anxious": "fear",
    "sad": "sadness",
    "satisfied": "joy",
    "grateful": "joy",
}


@dataclass(frozen=True)
class Span:
    """Where in the message a finding comes from, and which finding it supports."""

    start: int
    end: int
    text: str
    reason: str


def _alternation(alternatives: tuple[str, ...]) -> str:
    # Grouped by first letter: the regex engine otherwise tries every alternative at every word.
    by_letter: dict[str, list[str]] = {}
    others = []
    for alternative in alternatives:
        head, rest = alternative[:1], alternative[1:]
        if head.isalnum() and not rest.startswith(("?", "*", "+", "{")):
            by_letter.setdefault(head, []).append(rest)
        else:
            others.append(alternative)
    grouped = [f"{head}(?:{'|'.join(rests)})" for head, rests in by_letter.items()]
    return "|".join(grouped + others)


def _words(*alternatives: str) -> re.Pattern[str]:
    """A whole-word pattern for lower-cased text (matching folded text is much faster than
    matching with IGNORECASE)."""
    return re.compile(r"\b(?:" + _alternation(alternatives) + r")\b")


def _labelled(table: dict[str, tuple[str, ...]]) -> re.Pattern[str]:
    """One pattern for several word lists; the name of the matching group is the label."""
    groups = (f"(?P<{name}>{_alternation(words)})" for name, words in table.items())
    return re.compile(r"\b(?:" + "|".join(groups) + r")\b")


def fold(text: str) -> str:
    """Lower-case the text without changing its length, so offsets stay valid."""
    folded = text.lower()
    if len(folded) == len(text):
        return folded
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


# fmt: off
LEXICON = {
    "angry": (
        r"furious", r"fuming", r"livid", r"outraged?", r"angry", r"anger", r"rage",
        r"unacceptable", r"disgrace(?:ful)?", r"disgusting", r"disgusted", r"shocking",
        r"shameful", r"pathetic", r"scam", r"rip[- ]?off", r"daylight robbery", r"incompetent?",
        r"incompetence", r"useless", r"worst", r"hate", r"a joke", r"what a joke", r"liars?",
        r"lied", r"lying", r"dishonest", r"appalling", r"appalled", r"atrocious", r"outrageous",
        r"ridiculous", r"shambles", r"rubbish", r"rude(?:ly)?", r"how dare", r"don't you dare",
        r"last straw", r"sick (?:and tired )?of", r"damn", r"bloody", r"f+u+c+k\w*", r"shit\w*",
        r"bullshit", r"wtf", r"crap", r"are you kidding", r"unbelievable", r"fed up",
        r"had enough", r"done with you",
    ),
    "frustrated": (
        r"frustrat\w+", r"annoy\w*", r"irritat\w+", r"tired of", r"waste of (?:time|money)",
        r"still (?:no|not|waiting)", r"yet again", r"once again", r"again!+", r"happened again",
        r"(?:broken|broke|failed|down|late|wrong) again", r"keeps? (?:\w+ing|on)",
        r"round and round", r"no one", r"nobody", r"no reply", r"no response", r"not good enough",
        r"give up", r"seriously", r"honestly", r"surely", r"why (?:is|does|do|can't|won't)",
        r"confus\w+", r"impossible", r"hassle", r"not impressed", r"not happy", r"on hold",
        r"stuck", r"chas(?:e|ing)",
    ),
    "anxious": (
        r"worr(?:y|ied|ying)", r"concern(?:ed)?", r"nervous", r"anxious", r"anxiety", r"scared",
        r"afraid", r"fear", r"panic\w*", r"stress(?:ed|ful)?", r"unsure", r"not sure",
        r"is (?:that|this|it) (?:normal|safe|genuine)", r"what happens", r"am i covered",
        r"hacked", r"scam(?:med)?", r"urgent(?:ly)?", r"please help", r"help!",
        r"what should i do", r"is something wrong", r"in time",
    ),
    "sad": (
        r"sad(?:ly|dened)?", r"upset(?:ting)?", r"disappoint\w*", r"heartbr\w+", r"gutted",
        r"devastated", r"let down", r"unfortunately", r"shame", r"pity", r"miss (?:it|you|them)",
        r"i'll miss", r"ruined", r"spoiled", r"heavy heart", r"passed away", r"funeral",
        r"deflated", r"disheartening", r"depress\w*", r"cry(?:ing)?", r"tears", r"lonely",
        r"feel awful", r"sorry to say", r"loved", r"waste",
    ),
    "satisfied": (
        r"great", r"good(?! (?:morning|afternoon|evening|day))", r"excellent", r"perfect(?:ly)?",
        r"brilliant", r"fantastic", r"amazing", r"awesome", r"wonderful", r"superb",
        r"outstanding", r"impressed", r"happy", r"pleased", r"glad", r"love(?:ly)?", r"nice",
        r"works?(?: now| fine| perfectly)", r"working (?:again|now|fine|well)", r"all good",
        r"sorted", r"resolved", r"solved", r"fixed", r"smooth", r"easy", r"quick(?:ly)?", r"fast",
        r"five stars", r"5 stars", r"top marks", r"well done", r"no complaints", r"no problem",
        r"not bad", r"like a charm", r"delighted",
    ),
    "grateful": (
        r"thank(?:s| you)?", r"thankyou", r"thx", r"ty", r"grateful", r"gratitude",
        r"appreciat\w+", r"cheers", r"kudos", r"lifesaver", r"life saver", r"you'?re a star",
        r"above and beyond", r"so kind", r"so helpful", r"much obliged", r"🙏",
    ),
}
_LEXICON_RE = _labelled(LEXICON)

_NEGATOR = re.compile(
    r"\b(?:not|no|never|nothing|hardly|barely|without|isn't|wasn't|aren't|don't|doesn't|didn't"
    r"|won't|can't|cannot|nor|neither|n't)\W+(?:\w+\W+){0,2}$",
    re.IGNORECASE,
)
# Sentence-starting politeness ("Thanks, but ...") and sign-offs are not an emotion.
_PLEASANTRY = re.compile(
    r"^\W*(?:thanks?(?: you)?(?: in advance)?|many thanks|kind regards|best|cheers)\W*(?:\w+\W*)?$",
    re.IGNORECASE,
)
_SARCASM = _words(
    r"thanks for nothing", r"oh (?:great|fantastic|brilliant|wonderful|lovely|perfect)",
    r"just (?:great|brilliant|lovely|perfect|what i needed)", r"(?:great|brilliant|excellent)"
    r" (?:service|job|work) as (?:always|usual)", r"love how", r"nice to know",
    r"yeah,? (?:right|really helpful)", r"really helpful, thanks", r"(?:brilliant|great) system",
    r"outstanding work", r"incredible\. truly", r"brilliant\. absolutely brilliant",
    r"wow\. great", r"lovely\.?$",
)

SIGNALS = {
    "churn_threat": (
        r"cancel(?:l?ing)? (?:my|our|the|this)? ?(?:account|subscription|membership|contract"
        r"|service|plan|policy)", r"close (?:my|our) account", r"cancel everything",
        r"switching (?:to|providers?|suppliers?)", r"switch (?:providers?|suppliers?)",
        r"switch to (?:a|another|your) (?:provider|supplier|competitor|company|bank|network)",
        r"i'm cancelling(?! (?:the|my|this|an|one) order)",
        r"moving (?:everything )?to (?:a |your )?" r"(?:competitor|another)",
        r"tak(?:e|ing) my business elsewhere",
        r"(?:find|found) (?:another|a new) (?:provider|company|supplier)",
        r"(?:not|won't|will not) be (?:renewing|coming back)", r"done with you", r"i'm done",
        r"consider this my notice", r"leaving (?:you|for)", r"avoid you",
    ),
    "escalation_threat": (
        r"lawyers?", r"solicitors?", r"attorneys?", r"legal action", r"sue", r"suing", r"court",
        r"small claims", r"ombudsman", r"regulators?", r"trading standards",
        r"consumer (?:protection|rights|programme|group)", r"cfpb", r"ftc", r"fca", r"ofcom",
        r"ofgem", r"bbb", r"better business bureau", r"data protection authority", r"ico",
        r"which(?=\? )", r"the press", r"journalists?", r"newspapers?", r"the media", r"bbc",
        r"my mp", r"local mp", r"twitter", r"facebook", r"instagram", r"tiktok", r"reddit",
        r"trustpilot", r"yelp", r"social media", r"one[- ]star review", r"1[- ]star review",
        r"go(?:ing)? public", r"chargeback", r"formal (?:notice|complaint)",
    ),
    "repeat_contact": (
        r"(?:second|third|fourth|fifth|sixth|\d+(?:st|nd|rd|th)|umpteenth|nth|last) time"
        r" (?:i'm |i am |i've |i have )?(?:writing|telling|asking|reporting|calling|contacting"
        r"|emailing|chasing|explaining|called|written|contacted|emailed|asked|chased|rung)",
        r"second time asking", r"(?:three|four|five|six|several|multiple|many|\d+) (?:emails|calls"
        r"|messages)",
        r"(?:called|emailed|written|contacted|asked|rang|chased|told you)(?: \w+){0,3}"
        r" (?:twice|three times|four times|five times|several times|multiple times|many times"
        r"|\d+ times)", r"follow(?:ing)? up for the \w+ time",
        r"following up on (?:the|my) (?:message|email)",
        r"already (?:told|sent|explained|asked|called|contacted|emailed|raised)",
        r"i've (?:already )?(?:told|explained|asked|raised|called|contacted|emailed) (?:this|you)"
        r"(?: \w+)? (?:twice|times|before|already|again)", r"(?:my )?(?:third|fourth|fifth) email",
        r"called every single day", r"keep (?:having to )?(?:chase|chasing|asking|calling)",
        r"i have now explained", r"previous (?:emails|ticket|messages|calls)",
        r"(?:three|two|several) emails, zero", r"last two emails", r"sending this again",
        r"how many times", r"as i (?:said|mentioned) (?:before|previously)",
        r"asked (?:about this |by email, by phone)", r"on the \d+(?:st|nd|rd|th), the \d+",
        r"contacted you on", r"following up on my (?:email|message)", r"called last \w+",
        r"i've raised this", r"every time i call",
    ),
    "urgency": (
        r"urgent(?:ly)?", r"asap", r"emergency", r"immediately", r"right now", r"now!+",
        r"(?:by|before|until|out here|resolved|fixed|sorted|need (?:this|it)|help|call me) (?:today"
        r"|tonight)", r"today please",
        r"by (?:tomorrow|tonight|friday|monday|tuesday|wednesday|thursday"
        r"|saturday|sunday|end of (?:the )?day|eod|noon)", r"deadline", r"time[- ]sensitive",
        r"within the hour", r"in an hour", r"is tomorrow", r"(?:site|server|system|website"
        r"|service|platform|shop|everything) (?:is|has been|went) down", r"outage", r"unreachable",
        r"locked out", r"losing (?:money|sales|orders|customers|business|revenue)",
        r"lost (?:money|sales|orders|£|\$|€)", r"overdrawn", r"overdraft",
        r"(?:can't|cannot|can only) (?:process|take) (?:payments|cash)", r"payroll",
        r"won't get paid", r"stolen", r"before someone", r"gas leak", r"smells of gas",
        r"dangerous", r"running low", r"panicking", r"failing since", r"wages",
        r"can it be stopped",
        r"(?:freeze|block|stop|cancel) (?:it|this|the \w+) (?:now|immediately)",
        r"(?:travel|fly|flight)(?: \w+){0,2} (?:tomorrow|on \w+day)", r"help!", r"block the sim",
    ),
}
_SIGNALS_RE = _labelled(SIGNALS)

_NOT_URGENT = _words(r"not urgent", r"no rush", r"no hurry", r"whenever you (?:get a chance|can)")
_ANY_URGENT = _words(r"urgent(?:ly)?", r"asap", r"today", r"immediately", r"right now")

_COMPLAINT = _words(
    r"(?:has|have|had|did|does|do|is|was|were|are|could|can|ca|wo|will|would)(?:n't| not| never)"
    r" (?:\w+ ){0,2}(?:arrived?|arriving|turned up|come|came|shown up"
    r"|been (?:delivered|refunded|processed"
    r"|fixed|resolved|paid|received)|received?|got(?:ten)?|heard|shipped|work(?:ed|ing)?|fit"
    r"|load|connect|help|reply|replied|respond(?:ed)?|show(?:ed)? up|turn(?:ed)? up|called"
    r"|accept(?:ed)?|see|find|access|get into|log ?in|arrive|contain|match|answer(?:ed)?)",
    r"still (?:(?:no|not|hasn't|haven't|isn't|doesn't|can't)(?: \w+)?|waiting|says|shows?"
    r"|showing|freezes"
    r"|missing|broken|the same|appearing)", r"never (?:arrived|came|called|turned up|received)",
    r"(?:is|was|were|are|arrived|came) (?:\w+ )?(?:broken|damaged|cracked|smashed|shattered"
    r"|torn|faulty|defective|dead|empty|missing|wilted|squashed|defrosted|late|wrong|open)",
    r"broken", r"damaged", r"cracked", r"smashed", r"shattered", r"faulty", r"defective",
    r"in pieces", r"fell apart", r"leaks?", r"leaking", r"missing", r"wrong", r"incorrect",
    r"mistake", r"error", r"bug", r"crash(?:es|ed|ing)?", r"freez(?:es|ing)", r"fail(?:s|ed|ing)?",
    r"outage", r"down for", r"lost", r"delayed", r"overcharged",
    r"(?:arrived|came|was|were|is|running|delivered|days?|weeks?|hours?|too|very|so) late",
    r"late (?:again|delivery)", r"(?:double|twice) charged",
    r"charged (?:me )?(?:twice|for|£|\$|€|\d)", r"billed (?:in|for)", r"refund", r"reimburse\w*",
    r"compensation", r"cancel(?:l)?ed (?:my|our|all|without)",
    r"no (?:reply|response|answer|refund|tracking|record|explanation|hot water|heating)",
    r"nobody (?:came|called|has|ever|will|at)", r"no one (?:came|called|has|ever|will)",
    r"on hold", r"unacceptable", r"not (?:happy|good enough|impressed)", r"disappoint\w*",
    r"problem", r"issue", r"fault", r"complain\w*", r"locked out", r"hacked", r"unauthori[sz]ed",
    r"(?:didn't|did not|never) (?:order|place|book|change|ask|make|choose)", r"stopped working",
    r"keeps (?:\w+ing)", r"keep (?:getting|having|crashing|failing|logging|asking)", r"doubled",
    r"bounced", r"suspended", r"restricted", r"lapsed", r"pending", r"estimate",
    r"(?:late|admin|restocking|cancellation|delivery) fee", r"only (?:received|got)",
    r"different (?:shade|answer|colour|color|size)", r"too (?:small|big|late)", r"waited",
    r"waiting", r"been (?:\w+ )?(?:days|weeks|months)", r"hung up", r"rude", r"access denied",
    r"404", r"without (?:telling|asking|any)", r"blinking", r"drops", r"slower", r"noisy", r"cold",
    r"crooked", r"off by", r"degrees off", r"returned to sender", r"backordered", r"in transit",
    r"out for delivery since", r"held at customs", r"price rise", r"put my price up", r"increase",
    r"unexpected charge", r"scam", r"rip[- ]?off", r"robbery", r"lied", r"liar", r"shambles",
    r"disgrace", r"ridiculous", r"what a joke", r"joke", r"useless", r"worse", r"worst",
    r"not (?:fixed|sorted)", r"doesn't (?:exist|understand|help)", r"didn't (?:fix|help|work)",
    r"same fault", r"loops", r"goes to a", r"lost my", r"ruined", r"went up", r"disappeared",
    r"came off", r"never (?:shows?|works?|arrives?)", r"not (?:very )?helpful", r"stolen",
    r"scammed", r"breaks", r"cut off", r"beeps", r"wouldn't", r"tired of", r"unavailable",
    r"someone else's", r"full price", r"stop (?:sending|calling|making)", r"i paid", r"downhill",
    r"exception", r"round and round", r"broke",
    r"where is my (?:money|refund|order|parcel|package)", r"unreachable", r"lose (?:a|my|the)",
    r"(?:is|are|was|went|been) down", r"that was \w+ (?:days|weeks|months) ago", r"\w+ days later",
    r"(?:it's|it is) not here", r"even though i", r"shouldn't (?:have to|take)", r"defrosted",
    r"wilted", r"squashed", r"(?:two|2) withdrawals", r"only ordered once",
    r"nobody (?:\w+ )?(?:did|replied|answered)", r"left (?:it|the parcel) (?:with|in|at)",
    r"former employee",
)
_NOUN_CUE = re.compile(
    r"^(?:problem|issue|fault|complain\w*|refund|mistake|error|scam|compensation)$", re.IGNORECASE
)
# A question about how things work, or thanks for a refund, is not a report of a failure.
_ASKING_OR_THANKING = re.compile(
    r"^\W*(?:how|what|when|do|does|will i|can i|is there|are there)\b|\bthank|\bappreciate",
    re.IGNORECASE,
)
_NO_BEFORE = re.compile(r"\b(?:no|not|any|without|never)\s+(?:\w+\s+)?$", re.IGNORECASE)
_RESOLVED = _words(
    r"fixed", r"resolved", r"solved", r"sorted", r"works? now", r"working (?:again|now|fine)",
    r"all good", r"turned up", r"arrived (?:today|this morning)", r"came through",
    r"refund (?:has )?(?:arrived|came|landed|is showing)", r"is showing", r"went through",
    r"landed",
)
_STILL_BAD = _words(r"not", r"n't", r"still", r"again", r"worse", r"no longer")

_INTENSIFIER = _words(
    r"very", r"so", r"really", r"extremely", r"absolutely", r"totally", r"completely", r"utterly",
    r"incredibly", r"seriously", r"truly", r"beyond", r"deeply", r"most",
)
_CAPS_WORD = re.compile(r"\b[A-Z][A-Z']{2,}\b")
_ACRONYMS = frozenset({
    "USA", "UK", "EU", "PDF", "VAT", "API", "SIM", "PIN", "ETA", "EOD", "SKU", "CSV", "BBC", "MP",
    "FAQ", "CFPB", "BBB", "FCA", "ICO", "FTC", "GBP", "USD", "EUR", "CRM", "SSO", "URL", "ID",
    "SMS", "XL", "XXL", "TV", "PC", "DIY", "IT", "HR", "NHS", "DPD", "UPS", "DHL", "OK", "AM",
    "PM", "GB", "INV", "ASAP",
})
_EXCLAMATION = re.compile(r"[!?]*![!?]+|!")
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
# fmt: on


def find_spans(pattern: re.Pattern[str], text: str, reason: str) -> list[Span]:
    return [Span(m.start(), m.end(), m.group(), reason) for m in pattern.finditer(text)]


_CLAUSE_BREAK = re.compile(r"[.,;:!?\n]|\bbut\b")


def negated(text: str, start: int) -> bool:
    window = text[max(0, start - 40) : start]
    clause = _CLAUSE_BREAK.split(window)[-1]
    return bool(_NEGATOR.search(clause + " ")) or clause.rstrip().lower().endswith("n't")


def label_cues(text: str, sarcasm: list[Span] | None = None) -> tuple[list[Span], list[Span]]:
    """Lexicon hits per label after negation, and the negated hits of negative words.

    "not happy" counts for frustrated; "not worried" counts for nothing and is returned apart so
    that it can overrule a model that only saw the word "worried". Takes folded text (see fold),
    as do the other span finders unless they say otherwise; `sarcasm` saves finding it again."""
    if sarcasm is None:
        sarcasm = find_spans(_SARCASM, text, "sarcasm")
    reason = "angry" if "!" in text else "frustrated"
    cues = [Span(s.start, s.end, s.text, reason) for s in sarcasm]
    sarcastic = [(c.start, c.end) for c in cues]
    denied = []
    opening = len(text) - len(text.lstrip())
    for m in _LEXICON_RE.finditer(text):
        label = m.lastgroup
        if any(s <= m.start() < e for s, e in sarcastic) or _is_pleasantry(text, m, opening):
            continue
        if not negated(text, m.start()):
            cues.append(Span(m.start(), m.end(), m.group(), label))
        elif label in POSITIVE:
            cues.append(Span(m.start(), m.end(), m.group(), "frustrated"))
        else:
            denied.append(Span(m.start(), m.end(), m.group(), label))
    return sorted(cues, key=lambda span: span.start), denied


def _is_pleasantry(text: str, match: re.Match[str], opening: int) -> bool:
    """`opening` is where the text's first non-blank character is (see label_cues)."""
    line_start = text.rfind("\n", 0, match.start()) + 1
    if line_start <= opening:  # nothing but blanks before this line
        return False
    line_end = text.find("\n", match.end())
    line = text[line_start : len(text) if line_end < 0 else line_end]
    return bool(_PLEASANTRY.match(line))


def signal_spans(text: str) -> list[Span]:
    spans: list[Span] = []
    not_urgent = None  # whether the text says "not urgent", looked up at the first urgency
    for m in _SIGNALS_RE.finditer(text):
        name = m.lastgroup
        if name in {"churn_threat", "escalation_threat"} and negated(text, m.start()):
            continue
        if name == "urgency":
            if not_urgent is None:
                not_urgent = bool(_NOT_URGENT.search(text))
            if not_urgent and _ANY_URGENT.search(m.group()):
                continue
        spans.append(Span(m.start(), m.end(), m.group(), name))
    return spans


def complaint_spans(text: str) -> list[Span]:
    """Phrases that report something went wrong, skipping "no problem" and fixed issues."""
    spans = []
    sentences: list[re.Match[str]] | None = None
    for m in _COMPLAINT.finditer(text):
        if _NOUN_CUE.match(m.group()) and _NO_BEFORE.search(
            text[max(0, m.start() - 30) : m.start()]
        ):
            continue
        if sentences is None:
            sentences = list(_SENTENCE.finditer(text))
        sentence = _sentence_at(sentences, m.start())
        if _RESOLVED.search(sentence) and not _STILL_BAD.search(sentence):
            continue
        if _NOUN_CUE.match(m.group()) and _ASKING_OR_THANKING.search(sentence):
            continue
        spans.append(Span(m.start(), m.end(), m.group(), "complaint"))
    return spans


def _sentence_at(sentences: list[re.Match[str]], position: int) -> str:
    for sentence in sentences:
        if sentence.start() <= position < sentence.end():
            return sentence.group()
    return ""


def intensity_spans(text: str, folded: str) -> list[Span]:
    """Shouting, exclamation runs and intensifiers; capitals are read from the original text."""
    caps = [
        Span(m.start(), m.end(), m.group(), "caps")
        for m in _CAPS_WORD.finditer(text)
        if m.group().strip("'") not in _ACRONYMS
    ]
    if caps and sum(len(s.text) for s in caps) > 0.6 * sum(map(str.isalpha, text)):
        caps = caps[:3]  # a message typed entirely in capitals counts once, not per word
    marks = [
        Span(m.start(), m.end(), m.group(), "exclamation") for m in _EXCLAMATION.finditer(text)
    ]
    return caps + marks + find_spans(_INTENSIFIER, folded, "intensifier")


@dataclass(frozen=True)
class Findings:
    """Everything the rules find in one message, computed once and shared with the model."""

    cues: list[Span]
    denied: list[Span]
    signals: list[Span]
    complaints: list[Span]
    sarcasm: list[Span]
    boosts: list[Span]
    polarity: dict[str, float]


def collect(text: str) -> Findings:
    folded = fold(text)
    sarcasm = find_spans(_SARCASM, folded, "sarcasm")
    cues, denied = label_cues(folded, sarcasm)
    return Findings(
        cues=cues,
        denied=denied,
        signals=signal_spans(folded),
        complaints=complaint_spans(folded),
        sarcasm=sarcasm,
        boosts=intensity_spans(text, folded),
        polarity=polarity(text),
    )


_VADER_TOKEN = re.compile(r"[\w']+|[^\w\s]")
_VADER_NEGATIONS = frozenset(
    {
        "not",
        "no",
        "never",
        "none",
        "nobody",
        "nothing",
        "neither",
        "nor",
        "nowhere",
        "cannot",
        "without",
        "hardly",
        "barely",
    }
)


@cache
def _valences() -> dict[str, float]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer().lexicon


def polarity(text: str) -> dict[str, float]:
    """VADER's lexicon with its negation rule, without its slower idiom and clause handling."""
    get = _valences().get
    positive = negative = 0.0
    tokens = _VADER_TOKEN.findall(text)
    lowered = [t.lower() for t in tokens]
    # Most tokens carry no valence: find the few that do in one pass, then score only those.
    scored = [i for i, value in enumerate(map(get, lowered)) if value]
    for i in scored:
        value = get(lowered[i])
        token = tokens[i]
        if token.isupper() and len(token) > 1:
            value *= 1.2
        before = lowered[max(0, i - 3) : i]
        if any(t in _VADER_NEGATIONS or t.endswith("n't") for t in before):
            value *= -0.74
        if value > 0:
            positive += value
        else:
            negative -= value
    neutral = float(len(tokens) - len(scored))
    total = positive - negative
    spread = positive + negative + neutral or 1.0
    return {
        "pos": positive / spread,
        "neg": negative / spread,
        "compound": total / (total * total + 15) ** 0.5,
    }
