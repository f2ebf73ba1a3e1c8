"""Word lists and patterns the reply coach looks for in drafts and customer messages."""

from __future__ import annotations

import re


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


GREETING_RE = re.compile(
    r"^\W*(?:hi|hello|hey|dear|good\s+(?:morning|afternoon|evening)|hiya|greetings|kia\s+ora"
    r"|aloha|namaste|bonjour|hallo|hola|g'day)\b[ \t,]*(?P<rest>(?:[^\W\d_][\w'’.-]*[ \t]*){0,3})",
    re.IGNORECASE | re.MULTILINE,
)
THANKS_RE = re.compile(
    r"\b(?:thank\s+you|thanks|many\s+thanks|i\s+(?:really\s+)?appreciate|we\s+(?:really\s+)?"
    r"appreciate)\s+(?:so\s+much\s+|very\s+much\s+|a\s+lot\s+)?(?:you\s+)?(?:for\s+)?"
    r"(?:raising|flagging|reporting|letting\s+(?:me|us)\s+know|bringing|telling|pointing"
    r"|getting\s+in\s+touch|reaching\s+out|contacting|writing|taking\s+the\s+time|sharing"
    r"|your\s+(?:feedback|message|email|honesty|report|note|candou?r)|this\s+feedback"
    r"|the\s+(?:report|feedback|message|email|note|info)|spotting|noticing|catching"
    r"|making\s+us\s+aware|the\s+heads[\s-]up|being\s+so\s+clear|explaining|the\s+detail)",
    re.IGNORECASE,
)
COMPLAINT_RE = re.compile(
    r"\b(?:not\s+working|doesn'?t\s+work|didn'?t\s+work|won'?t|isn'?t|wasn'?t|hasn'?t|haven'?t"
    r"|never\s+\w+|keeps?\s+\w+ing|drop(?:s|ped|ping)|tried|broken|broke|faulty|damaged|defective|missing|wrong"
    r"|late|delay(?:ed)?|still|again|worst|terrible|awful|horrible|disappointed|disappointing"
    r"|angry|furious|frustrat\w*|unacceptable|ridiculous|rude|useless|waste|complain\w*"
    r"|charged\s+(?:twice|me\s+twice|double)|overcharged|double\s+charged|scam|cancel\w*"
    r"|problem|issue|error|fail\w*|crash\w*|stopped|lost|refund|nobody|no\s+one|ignored|poor"
    r"|unhappy|upset|fed\s+up|sick\s+of|leaking|cold|dead|can'?t|cannot|stuck|overdue|cracked"
    r"|scratched|dented|torn|noise|noisy|smell\w*|unfair|not\s+fair|mistake|incorrect|outage|down"
    r"|slow|dirty|stained|rude|i'?m\s+not|i\s+am\s+not|disgrace\w*|locked)\b",
    re.IGNORECASE,
)
GENERIC_APOLOGY_RE = re.compile(
    r"\b(?:sorry|apologi[sz]e)\s+for\s+(?:any|the)\s+inconvenience(?:\s+caused)?"
    r"|\bwe\s+apologi[sz]e\s+for\s+any\s+(?:trouble|issues?)|\bsorry\s+to\s+hear\s+that\b",
    re.IGNORECASE,
)
PASSIVE_RE = re.compile(
    r"\b(?:will\s+be|has\s+been|have\s+been|had\s+been|is\s+being|are\s+being|was|were|is|are"
    r"|gets?|got|will\s+get)\s+(?:now\s+|already\s+|being\s+)?(?:looked\s+into|investigated"
    r"|escalated|reviewed|handled|dealt\s+with|addressed|passed\s+on|forwarded|raised|logged"
    r"|noted|taken\s+care\s+of|considered|actioned|followed\s+up|checked|sorted|referred"
    r"|flagged|assigned|arranged|sent\s+to\s+the\s+relevant\s+team|passed\s+to\s+the\s+relevant\s+team)\b"
    r"(?!\s+by\s+(?:me|us|myself|our\s|my\s|the\s+(?!relevant|appropriate|responsible)\w+\s+(?:team|department)\b))",
    re.IGNORECASE,
)
DEFENSIVE_RE = re.compile(
    r"\b(?:(?:that|this|it)\s+(?:wasn'?t|was\s+not|isn'?t|is\s+not)\s+(?:my|our)\s+fault"
    r"|not\s+(?:my|our)\s+(?:fault|problem|responsibility)"
    r"|(?:it'?s|it\s+has|we'?ve|it\s+is)\s+always\s+been\s+(?:done\s+)?(?:that|this|like\s+th(?:at|is))"
    r"|(?:nobody|no\s+one|no\s+other\s+customers?)\s+(?:else\s+)?(?:has|have|had)\s+(?:ever\s+)?"
    r"(?:had\s+)?(?:a\s+|any\s+|this\s+|that\s+)?(?:problem|issue|complain\w*|trouble)"
    r"|as\s+per\s+(?:our|the)\s+(?:policy|terms|t&cs)|(?:it'?s|that'?s)\s+(?:our|company)\s+policy"
    r"|you\s+should\s+have\s+(?:known|read|checked|told|called|contacted|ordered|kept|followed"
    r"|noticed|reported|asked|sent|looked|waited)|you\s+(?:should|ought\s+to)\s+(?:read|check)"
    r"|no\s+other\s+(?:guests?|customers?|users?|clients?|people)\s+(?:has|have)"
    r"|(?:wasn'?t|was\s+not)\s+(?:intentional|deliberate)|(?:it'?s|that'?s|it\s+is)\s+(?:probably"
    r"|likely|most\s+likely)\s+(?:your|on\s+your)|as\s+i\s+(?:already\s+)?"
    r"(?:said|mentioned|explained|stated)|as\s+(?:previously|already)\s+(?:stated|mentioned|explained)"
    r"|calm\s+down|there'?s\s+nothing\s+(?:i|we)\s+can\s+do|you\s+must\s+have|user\s+error"
    r"|if\s+you\s+had\s+(?:read|followed|checked)|clearly\s+stated|(?:i|we)\s+can'?t\s+help\s+(?:it|that)"
    r"|that'?s\s+just\s+how\s+it\s+is|the\s+system\s+doesn'?t\s+allow"
    r"|clearly\s+(?:says|states|stated|explained|mentioned|written)|as\s+it\s+says\s+on"
    r"|(?:are|is|were|was|we'?re|they'?re)\s+(?:very\s+|extremely\s+|really\s+|so\s+)?busy"
    r"|\b(?!it)\w+['’]s\s+fault\b)",
    re.IGNORECASE,
)
SUPERVISOR_RE = re.compile(
    r"\b(?:supervisor|manager|team\s+lead(?:er)?|someone\s+more\s+senior|senior\s+colleague"
    r"|escalat\w+\s+(?:this\s+|it\s+|you\s+)?to\s+(?:my|a|our)\s+(?:manager|supervisor|senior))\b",
    re.IGNORECASE,
)
OWN_ACTION_RE = re.compile(
    r"\b(?:I(?:'ve|\s+have)\s+(?:already\s+|just\s+)?(?:refunded|sent|issued|re-?sent|booked"
    r"|arranged|credited|fixed|reset|cancelled|rebooked|replaced|updated|added|removed|applied"
    r"|processed|corrected|reversed|waived|restored|ordered|dispatched|changed)"
    r"|I\s+(?:just\s+)?(?:refunded|sent|issued|booked|arranged|credited|fixed|reset|rebooked"
    r"|corrected|reversed|waived|restored|dispatched))\b"
    r"|\battached\s+is\b|\bhere(?:'s|\s+is)\s+(?:a\s+copy|the|your)\b|\bplease\s+find\s+attached\b",
    re.IGNORECASE,
)
CAPS_WORD_RE = re.compile(r"\b[A-Z][A-Z'’]{1,}\b")
SHOUTED_SHORT = _word_set(
    "NOT YOU ALL NOW DID WAS ARE THE AND CAN HAS HAD DO NO YES WHY ANY OUR YOUR WE ME MY SO IS "
    "IT HOW OFF BUT FOR GET PAY HI"
)
ACRONYMS = _word_set(
    "ASAP FAQ PIN SMS URL PDF USB UK US USA EU GDPR VAT API OK EOD ETA FYI CEO UPS DHL FEDEX "
    "IBAN SIM WIFI WI-FI HDMI GPS NHS BBC IOS ANDROID HTML CSV IMEI CVV ATM DNS VPN LED LCD "
    "SSD HDD RAM CPU GPU NASA EUR USD GBP NZD AUD CAD INR JPY SKU RMA TNT DPD GLS USPS ISBN "
    "PAYPAL IT HR PS PPS AM PM FAQS QR NFC POS SLA RSVP TBC TBD UTC GMT CET EST PST BST"
)
STOPWORDS = _word_set(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    out over own same she should so some such than that the their theirs them then there these
    they this those through to too under until up very was we were what when where which while
    who whom why will with would you your yours yourself yourselves im ive id ill dont didnt
    doesnt isnt wasnt cant wont hasnt havent also still again even ever really please thanks
    thank hi hello dear regards best cheers sorry apologies get got getting go going went
    want wanted need needed know said say one two yet since week day days today yesterday
    tomorrow time times hours now already us ago back without within across around via every
    much many lot lots just like well"""
)
GENERIC_CONTENT = _word_set(
    """order orders issue issues problem problems help service account customer support team
    company experience thing things something anything way message email contact inconvenience
    situation matter request question case complaint look looking try tried send sent
    receive received make made take took come came give gave ask asked think
    fix fixed sort sorted"""
)
IN_PROGRESS_RE = re.compile(
    r"\bI(?:'m|’m|\s+am)\s+(?:now\s+|personally\s+|already\s+)?"
    r"(?!hoping|wondering|writing|trying|afraid|sorry|going\s+to)[a-z]+ing\b",
    re.IGNORECASE,
)
