"""The upset customers' stories: late parcels, double charges and outages, each a repeat contact.

Same message format and placeholders as `stories.py`; ARCS say who lives through which, in order.
"""

from __future__ import annotations

UPSET_STORIES = {
    "late_order": {
        "team": "orders",
        "subject": "Order {order} still not here",
        "channels": ["email"],
        "tags": ["order", "delivery", "late"],
        "priority": 2,
        "messages": [
            (
                "in",
                "Hello,\n\nMy order {order} was supposed to arrive last week. The tracking "
                "hasn't changed in five days. It's a present, so the date matters.\n\n{name}",
            ),
            (
                "out",
                "Hi {name},\n\nSorry for the wait. I've asked the carrier to trace the "
                "parcel and will update you within two working days.\n\n{agent}",
                "pending",
            ),
        ],
    },
    "late_order_again": {
        "team": "orders",
        "subject": "STILL no parcel — second time asking",
        "channels": ["email"],
        "tags": ["order", "delivery", "late", "repeat-contact", "upset"],
        "priority": 3,
        "messages": [
            (
                "in",
                "This is the second time I'm writing. Nobody got back to me in two days "
                "like promised. The birthday has passed. I'm honestly fed up.\n\n{name}",
            ),
            (
                "note",
                "Promise of an update within two days was not kept. Carrier trace shows "
                "the parcel lost at the Poznań hub. Escalating to Tomás.",
            ),
            (
                "out",
                "Hi {name},\n\nYou're right, and I'm sorry: we promised you an update and "
                "didn't send it. The carrier has confirmed the parcel was lost at their "
                "hub. A new {product} ships today by express, and I've refunded the "
                "shipping. I'll write to you myself on {day} with the tracking.\n\n{agent}",
                "pending",
            ),
        ],
    },
    "cancel_threat": {
        "team": "orders",
        "subject": "Cancel my account",
        "channels": ["email"],
        "tags": ["churn-risk", "repeat-contact", "upset"],
        "priority": 4,
        "messages": [
            (
                "in",
                "Third time. The 'express' replacement hasn't moved either. I want a full "
                "refund and I'm cancelling my subscription. This is ridiculous. I'll leave "
                "a review so others know.\n\n{name}",
            ),
            (
                "note",
                "Upset, third contact, cancellation threat. Supervisor taking over "
                "personally. Do not send templates.",
            ),
        ],
    },
    "double_charge_angry": {
        "team": "billing",
        "subject": "CHARGED TWICE — refund now",
        "channels": ["email"],
        "tags": ["billing", "refund", "upset"],
        "priority": 3,
        "messages": [
            (
                "in",
                "You charged me {amount} TWICE this month. I did not authorise this. I "
                "expect the money back today.\n\n{name}",
            ),
            (
                "out",
                "Hello {name},\n\nYou're right to be angry, and I'm sorry. I can see both "
                "charges; the second was our error. I've refunded it just now — you'll see "
                "it in 3 to 5 working days. I'll check on {day} that it has arrived.\n\n"
                "{agent}",
                "pending",
            ),
        ],
    },
    "dispute_threat": {
        "team": "billing",
        "subject": "Refund not received — disputing with my bank",
        "channels": ["email"],
        "tags": ["billing", "refund", "churn-risk", "repeat-contact", "upset"],
        "priority": 4,
        "messages": [
            (
                "in",
                "A week later and NO refund. I'm disputing the charge with my bank and "
                "cancelling. Unacceptable.\n\n{name}",
            ),
            (
                "note",
                "Refund was stuck in 'pending' at the provider. Pushed manually; "
                "reference RF-20931. Call him if he leaves a number.",
            ),
            (
                "out",
                "Hello {name},\n\nI understand, and I'd feel the same. The refund got "
                "stuck at our payment provider; I've pushed it through by hand (reference "
                "RF-20931) and they confirm it's on its way today. If you still want to "
                "cancel I'll do it straight away, no questions — but I'd like the chance "
                "to make this right first.\n\n{agent}",
                None,
            ),
        ],
    },
    "outage_angry": {
        "team": "orders",
        "subject": "Machine offline AGAIN — my café opens at 6",
        "channels": ["chat"],
        "tags": ["outage", "app", "upset", "repeat-contact"],
        "priority": 4,
        "messages": [
            (
                "in",
                "the app is down AGAIN. my machine didn't preheat, I opened 40 minutes "
                "late with customers at the door",
            ),
            ("in", "hello?? is anyone there"),
            (
                "out",
                "Rosa, I'm here — I'm sorry, that's a terrible start to your day. Sync is "
                "down for everyone since 05:10. Your machine works from its buttons: hold "
                "the power key for 3 s to preheat. I'll message you the moment sync is "
                "back, and within the hour either way.",
                "on_hold",
            ),
            ("in", "third time this month. if it happens again I'm switching to another brand"),
        ],
    },
    "cracked_machine": {
        "team": "orders",
        "subject": "Machine arrived cracked — this is unacceptable",
        "channels": ["email"],
        "tags": ["order", "damaged", "upset"],
        "priority": 3,
        "attach": "photo",
        "messages": [
            (
                "in",
                "I paid {amount} for this machine and it arrived with a cracked drip tray "
                "and a dent in the side. Photos attached. I'm really disappointed.\n\n{name}",
            ),
            (
                "out",
                "Hi {name},\n\nI'm so sorry — after saving up for it, that's the last "
                "thing you should open. The photos are all we need. A brand-new machine "
                "ships on {day}; the courier takes the damaged one at the door.\n\n{agent}",
                "pending",
            ),
        ],
    },
    "replacement_late": {
        "team": "orders",
        "subject": "Where is the replacement??",
        "channels": ["email"],
        "tags": ["order", "replacement", "repeat-contact", "upset", "churn-risk"],
        "priority": 4,
        "messages": [
            (
                "in",
                "You said {day}. It's now five days later, no machine, no e-mail. I'm done "
                "chasing you. Either it arrives this week or I want my money back.\n\n{name}",
            ),
            (
                "note",
                "Replacement was held at the warehouse for a stock check nobody flagged. "
                "Marcus is right to be angry. Shipping today with Saturday delivery.",
            ),
        ],
    },
}

# Which upset stories each upset customer lives through, and how many days ago each began.
ARCS = {
    "lukasz.zolc@poczta.example": [
        ("late_order", 24),
        ("late_order_again", 19),
        ("cancel_threat", 1),
    ],
    "gabriel.fontaine@orange-mail.example": [("double_charge_angry", 12), ("dispute_threat", 2)],
    "rosa.delgado@correo-mx.example": [("app_outage", 33), ("outage_angry", 0)],
    "marcus.op@mailbox.example": [("cracked_machine", 9), ("replacement_late", 1)],
}
