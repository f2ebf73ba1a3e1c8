"""What the demo's conversations say: stories told as messages, with placeholders per customer.

Each message is ("in" | "out" | "note", text) or ("out", text, status). Placeholders:
{name} the customer's name as they sign, {agent} the agent's first name, {order}, {amount},
{product}, {last4}, {day}.
"""

from __future__ import annotations

PRODUCTS = [
    "Acme Duo grinder",
    "Acme One espresso machine",
    "Acme Pour-Over kit",
    "Acme Frother Pro",
    "Acme Cold Brew tower",
    "Acme Kettle S",
]
AMOUNTS = ["€24.90", "€39.00", "€59.50", "€129.00", "€349.00", "€18.40"]
DAYS = ["Tuesday", "Wednesday", "Thursday", "Friday", "Monday"]

STORIES = [
    {
        "key": "where_is_order",
        "team": "orders",
        "subject": "Where is my order {order}?",
        "channels": ["email", "web"],
        "tags": ["order", "delivery"],
        "messages": [
            (
                "in",
                "Hi,\n\nI ordered an {product} nine days ago (order {order}) and the tracking "
                "page still says 'label created'. Is it actually on its way?\n\nThanks,\n{name}",
            ),
            (
                "note",
                "Carrier portal: no pickup scan for {order}; it sits in their depot. Chased.",
            ),
            (
                "out",
                "Hi {name},\n\nThank you for checking in, and sorry the tracking hasn't "
                "moved. I looked into order {order}: the parcel left our warehouse on time "
                "but the carrier didn't scan it at pickup, so the page never updated. It is "
                "in their depot now and should reach you by {day}. I'll check the scan "
                "again tomorrow morning and write to you either way.\n\n{agent}",
                "pending",
            ),
            (
                "in",
                "That's reassuring, thank you for actually looking. I'll keep an eye out."
                "\n\n{name}",
            ),
            (
                "out",
                "You're welcome, {name}. The carrier scanned it this morning — it's out "
                "for delivery today. Enjoy the {product}!\n\n{agent}",
                "solved",
            ),
        ],
    },
    {
        "key": "damaged_parcel",
        "team": "orders",
        "subject": "Parcel arrived damaged",
        "channels": ["email"],
        "tags": ["order", "damaged", "replacement"],
        "priority": 3,
        "attach": "photo",
        "messages": [
            (
                "in",
                "Hello,\n\nMy {product} arrived this afternoon with the box crushed on one "
                "corner and the water tank is cracked. Photo attached. What do I do now?"
                "\n\nRegards,\n{name}",
            ),
            (
                "note",
                "Photo shows a clear crack along the tank seam. Carrier damage; no need to "
                "ask for more evidence. Replacement approved.",
            ),
            (
                "out",
                "Hi {name},\n\nI'm sorry — that's not how a new machine should arrive. "
                "Thank you for the photo, it's all we need. A replacement {product} ships "
                "today by express and should be with you by {day}. The courier will collect "
                "the damaged one at the same time, so there's nothing for you to pack or "
                "pay.\n\n{agent}",
                "pending",
            ),
            ("in", "Wow, that was fast. Thank you, {agent}.\n\n{name}"),
            (
                "out",
                "Glad it's sorted, {name}. If the replacement gives you any trouble, just "
                "reply here and it comes straight to me.\n\n{agent}",
                "solved",
            ),
        ],
    },
    {
        "key": "wrong_item",
        "team": "orders",
        "subject": "Wrong item in my order {order}",
        "channels": ["email", "web"],
        "tags": ["order", "wrong-item"],
        "messages": [
            (
                "in",
                "Hi there,\n\nI ordered the {product} but the box contains a milk jug and "
                "two bags of decaf. I think someone else got my parcel?\n\n{name}",
            ),
            (
                "note",
                "Swapped with an order packed the same minute; the other customer is told.",
            ),
            (
                "out",
                "Hi {name},\n\nThank you for telling us, and sorry for the mix-up. You're "
                "right: two orders were packed into each other's boxes. Your {product} "
                "ships today; please keep the jug and decaf with our apologies, no need to "
                "send anything back. Tracking follows by e-mail within the hour.\n\n{agent}",
                "pending",
            ),
            ("in", "Ha, well, free decaf is a first. Thanks for sorting it so quickly.\n\n{name}"),
        ],
    },
    {
        "key": "delivery_address",
        "team": "orders",
        "subject": "Change delivery address for {order}",
        "channels": ["email", "web", "chat"],
        "tags": ["order", "address-change"],
        "messages": [
            (
                "in",
                "Hello, I just placed order {order} and realised it's going to my old "
                "address. Can you change it to my office? Same city, I'll send the details.",
            ),
            ("note", "Not packed yet, address can still change. Checked with the warehouse."),
            (
                "out",
                "Hi {name}, thanks for catching it early! The order hasn't been packed "
                "yet, so yes. Please send the office address, including floor and any "
                "access notes for the courier.\n\n{agent}",
                "pending",
            ),
            ("in", "Great — it's Harbour Building, 3rd floor, reception is open 8 to 6."),
            (
                "out",
                "Done: order {order} now goes to Harbour Building, 3rd floor, and I've "
                "added the reception hours to the courier notes. It ships {day}.\n\n{agent}",
                "solved",
            ),
        ],
    },
    {
        "key": "return_request",
        "team": "orders",
        "subject": "Returning the {product}",
        "channels": ["email", "web"],
        "tags": ["return"],
        "messages": [
            (
                "in",
                "Hi,\n\nI'd like to return the {product} I bought last month. It works "
                "fine, I just don't use it as much as I thought. Is that possible?\n\n{name}",
            ),
            ("note", "Within 60 days, no damage mentioned. Return label approved."),
            (
                "out",
                "Hi {name},\n\nOf course — you're within the 60-day return window. I've "
                "e-mailed a prepaid return label; drop the parcel at any post office. Your "
                "refund of {amount} goes back to the original card within five working days "
                "of it reaching us.\n\nThanks for giving it a try,\n{agent}",
                "pending",
            ),
            ("in", "Dropped it off this morning. Thanks for making it easy.\n\n{name}"),
            (
                "out",
                "It arrived today and the refund of {amount} is on its way. Thank you, "
                "{name}.\n\n{agent}",
                "solved",
            ),
        ],
    },
    {
        "key": "double_charge",
        "team": "billing",
        "subject": "Charged twice this month",
        "channels": ["email", "web"],
        "tags": ["billing", "refund"],
        "priority": 3,
        "messages": [
            (
                "in",
                "Hello,\n\nMy card statement shows two charges of {amount} from Acme on the "
                "same day. I only have one subscription. Can you check?\n\n{name}",
            ),
            (
                "note",
                "Payment provider retried after a timeout and both captures went through. "
                "Second charge refundable.",
            ),
            (
                "out",
                "Hi {name},\n\nThank you for flagging this, and I'm sorry. You were "
                "charged twice: our payment provider retried a payment that had in fact "
                "gone through. I've refunded the second {amount} today; banks usually show "
                "it within 3–5 working days. I'll check on {day} that it has landed.\n\n"
                "{agent}",
                "pending",
            ),
            ("in", "I can see the refund pending already. Thank you.\n\n{name}"),
            ("out", "Thank you for letting me know, {name}. All settled.\n\n{agent}", "solved"),
        ],
    },
    {
        "key": "vat_invoice",
        "team": "billing",
        "subject": "VAT invoice with company details",
        "channels": ["email", "web"],
        "tags": ["billing", "invoice"],
        "attach": "pdf",
        "messages": [
            (
                "in",
                "Good morning,\n\nCould you reissue the attached invoice with our company "
                "name and VAT number? Our accountant can't book it as it is.\n\nBest,\n{name}",
            ),
            ("note", "Invoices can be reissued; the original stays for our audit trail."),
            (
                "out",
                "Good morning {name},\n\nThank you for sending it. Please reply with the "
                "registered company name, address and VAT number exactly as they should "
                "appear, and I'll reissue the invoice the same day.\n\n{agent}",
                "pending",
            ),
            ("in", "Here you go: the details are in our letterhead below. Many thanks.\n\n{name}"),
            (
                "out",
                "The corrected invoice is attached to your account under Billing > "
                "Invoices, and I've saved the company details so future invoices carry "
                "them automatically.\n\n{agent}",
                "solved",
            ),
        ],
    },
    {
        "key": "card_update",
        "team": "billing",
        "subject": "Updating my card",
        "channels": ["email", "chat"],
        "tags": ["billing", "payment-method"],
        "messages": [
            (
                "in",
                "Hi, my card ending {last4} expires this month. If I change it, do I keep "
                "my loyalty discount?",
            ),
            (
                "out",
                "Hi {name}! Yes, the discount belongs to your subscription, not the card, "
                "so it stays. You can change the card under Account > Payment; the next "
                "charge will use the new one.\n\n{agent}",
                "pending",
            ),
            ("in", "Done, and I can see the discount still there. Thanks!"),
        ],
    },
    {
        "key": "subscription_pause",
        "team": "billing",
        "subject": "Pause my subscription while I travel",
        "channels": ["email", "web", "chat"],
        "tags": ["subscription"],
        "priority": 1,
        "messages": [
            (
                "in",
                "Hello! I'm away for six weeks from next month. Can I pause my beans "
                "subscription without cancelling it?\n\n{name}",
            ),
            (
                "out",
                "Hi {name},\n\nYes, you can pause for up to three months. I've paused "
                "yours from the 1st for six weeks; it restarts automatically and I'll send "
                "you a reminder a week before. Safe travels!\n\n{agent}",
                "solved",
            ),
        ],
    },
    {
        "key": "price_question",
        "team": "billing",
        "subject": "Why did my subscription price change?",
        "channels": ["email", "web"],
        "tags": ["billing", "pricing"],
        "messages": [
            (
                "in",
                "Hi,\n\nMy last charge was {amount}, more than before. I didn't get any "
                "notice. What changed?\n\n{name}",
            ),
            (
                "note",
                "The April price notice bounced for some addresses. Honour the old price.",
            ),
            (
                "out",
                "Hi {name},\n\nThank you for asking, and you should have had a clear "
                "notice — I'm sorry it didn't reach you. Green coffee prices rose and we "
                "adjusted the price of the Roaster's Choice bag in the spring. As a "
                "long-standing subscriber you keep the old price for three more months; "
                "I've applied that and refunded the difference today.\n\n{agent}",
                "pending",
            ),
            ("in", "OK, that's fair, thanks for explaining properly.\n\n{name}"),
        ],
    },
    {
        "key": "password_reset",
        "team": "billing",
        "subject": "Can't log in — reset link not arriving",
        "channels": ["email", "chat", "web"],
        "tags": ["account", "login"],
        "messages": [
            (
                "in",
                "I've asked for a password reset three times and nothing arrives. Checked "
                "spam too.",
            ),
            ("note", "Mail provider deferred our reset e-mails this morning; delivery resumed."),
            (
                "out",
                "Hi {name}, sorry about that. Your mail provider was rejecting our reset "
                "e-mails for a few hours this morning; it's fixed now. I've sent a fresh "
                "link just now — it's valid for an hour.\n\n{agent}",
                "pending",
            ),
            ("in", "Got it, I'm in. Thank you!"),
        ],
    },
    {
        "key": "two_factor",
        "team": "billing",
        "subject": "Lost my phone, locked out by two-factor",
        "channels": ["email", "web"],
        "tags": ["account", "2fa", "security"],
        "priority": 3,
        "messages": [
            (
                "in",
                "Hello,\n\nMy phone was stolen and with it my authenticator app. Now I can't "
                "log in to manage my subscription. How can I prove it's me?\n\n{name}",
            ),
            (
                "note",
                "Identity check: confirmed last 4 of card ({last4}) and last order number "
                "by reply. OK to reset 2FA.",
            ),
            (
                "out",
                "Hi {name},\n\nI'm sorry about your phone — what a week. To keep your "
                "account safe, please reply with the last four digits of the card on file "
                "and your most recent order number. Once they match, I'll reset two-factor "
                "and you can set it up on your new phone.\n\n{agent}",
                "pending",
            ),
            ("in", "Card ends {last4}, last order was {order}.\n\n{name}"),
            (
                "out",
                "Thank you, that matches. Two-factor is reset: log in with your password "
                "and you'll be asked to set it up again.\n\n{agent}",
                "solved",
            ),
        ],
    },
    {
        "key": "email_change",
        "team": "billing",
        "subject": "Change the e-mail on my account",
        "channels": ["email", "web"],
        "tags": ["account"],
        "priority": 1,
        "messages": [
            (
                "in",
                "Hi, I'd like my account to use a new e-mail address, but keep my order "
                "history. Is that possible?\n\n{name}",
            ),
            (
                "out",
                "Hi {name},\n\nYes, everything stays with your account. Reply from the new "
                "address (or send it here) and I'll switch it over; you'll get a "
                "confirmation link at the new one.\n\n{agent}",
                "pending",
            ),
        ],
    },
    {
        "key": "data_export",
        "team": "billing",
        "subject": "Request for a copy of my data",
        "channels": ["email"],
        "tags": ["account", "privacy"],
        "messages": [
            (
                "in",
                "Dear Acme,\n\nUnder the GDPR I'd like a copy of the personal data you hold "
                "about me.\n\nKind regards,\n{name}",
            ),
            ("note", "GDPR request: 30-day clock starts today. Export requested from engineering."),
            (
                "out",
                "Dear {name},\n\nThank you for your request. We'll send your data export "
                "to this address within 30 days, usually much sooner. It covers your "
                "account, orders, conversations with us and marketing preferences.\n\n"
                "{agent}",
                "on_hold",
            ),
        ],
    },
    {
        "key": "app_outage",
        "team": "orders",
        "subject": "App says my machine is offline",
        "channels": ["chat", "email"],
        "tags": ["outage", "app"],
        "priority": 3,
        "messages": [
            (
                "in",
                "Hi, the Acme app says my {product} is offline but it's on and connected "
                "to wifi. Schedules aren't running.",
            ),
            ("note", "Part of today's sync outage; status page is up. Reply with the workaround."),
            (
                "out",
                "Hi {name}, thank you for telling us — you're not alone, our sync service "
                "is having an outage since 06:40 UTC. The machine itself is fine and works "
                "from its buttons. I'll message you here as soon as sync is back, and by "
                "noon UTC at the latest with an update.\n\n{agent}",
                "on_hold",
            ),
            (
                "out",
                "Update: sync is restored and your machine shows online again. Schedules "
                "run from the next slot. Sorry for the disruption this morning.\n\n{agent}",
                "solved",
            ),
        ],
    },
    {
        "key": "descaling",
        "team": "orders",
        "subject": "Descaling with very hard water",
        "channels": ["email", "web"],
        "tags": ["how-to", "maintenance"],
        "priority": 1,
        "messages": [
            (
                "in",
                "Hello,\n\nOur water is very hard and the descale light comes on every two "
                "weeks. Is that normal, and is vinegar OK instead of your descaler?\n\n{name}",
            ),
            (
                "out",
                "Hi {name},\n\nGood question. With very hard water, every two to three "
                "weeks is normal. Please don't use vinegar: it attacks the seals. Two things "
                "help more: set the hardness level to 4 under Settings > Water, and use a "
                "filter jug — it roughly halves the descaling.\n\n{agent}",
                "solved",
            ),
            (
                "in",
                "Set to 4, ordered a jug. Thanks for the explanation, not just the rule.\n\n{name}",
            ),
        ],
    },
    {
        "key": "grinder_setting",
        "team": "orders",
        "subject": "Grind setting for moka pot",
        "channels": ["chat"],
        "tags": ["how-to"],
        "priority": 1,
        "messages": [
            ("in", "hey! what setting on the Duo for a moka pot? I'm on 12 and it's bitter"),
            (
                "out",
                "Hi {name}! Bitter usually means too fine for a moka — try 16 to 18, and "
                "take it off the heat as soon as it starts to gurgle.",
                None,
            ),
            ("in", "17 + off the heat early = way better. thank you!!"),
            ("out", "Brilliant, enjoy! 😊", "solved"),
        ],
    },
    {
        "key": "spare_part",
        "team": "orders",
        "subject": "Spare portafilter basket",
        "channels": ["chat", "email"],
        "tags": ["spare-parts"],
        "messages": [
            (
                "in",
                "Hi, do you sell the double basket for the {product} separately? Mine is dented.",
            ),
            ("note", "AC-PF58-2 in stock, 14 left."),
            (
                "out",
                "Hi {name}, we do: part AC-PF58-2, {amount} with free shipping. I can put "
                "the order in for you now if you like.",
                "pending",
            ),
            ("in", "Yes please, same address as last time."),
            ("out", "Ordered — it ships {day}. You'll get tracking by e-mail.", "solved"),
        ],
    },
    {
        "key": "discount_code",
        "team": "billing",
        "subject": "Discount code not working",
        "channels": ["web", "chat"],
        "tags": ["billing", "promo"],
        "priority": 1,
        "messages": [
            ("in", "The code from your newsletter (SPRING15) says invalid at checkout."),
            (
                "out",
                "Hi {name}, sorry about that — the code was set up for beans only by "
                "mistake. I've applied 15% to your basket manually; it's there next time "
                "you open checkout.\n\n{agent}",
                "pending",
            ),
            ("in", "Worked, thanks!"),
        ],
    },
    {
        "key": "praise",
        "team": "orders",
        "subject": "Just wanted to say thank you",
        "channels": ["email", "web", "chat"],
        "tags": ["praise"],
        "priority": 1,
        "messages": [
            (
                "in",
                "Hi,\n\nNo problem to report, just a thank you: {agent} helped me last "
                "month with my {product} and it's been perfect since. Great service.\n\n{name}",
            ),
            (
                "out",
                "Hi {name},\n\nThis made our day — thank you for taking the time. I've "
                "passed it on to the whole team.\n\n{agent}",
                "solved",
            ),
        ],
    },
    {
        "key": "bulk_order",
        "team": "orders",
        "subject": "Office order: 20 bags and 2 grinders",
        "channels": ["email"],
        "tags": ["order", "business"],
        "messages": [
            (
                "in",
                "Hello,\n\nWe'd like 20 bags of Roaster's Choice and 2 {product}s for the "
                "office, delivered before the end of the month. Can you invoice us instead "
                "of card payment?\n\nThanks,\n{name}",
            ),
            ("note", "Business customer, invoice terms OK'd by Maya."),
            (
                "out",
                "Hi {name},\n\nWith pleasure. Yes, we can invoice with 30-day terms. The "
                "order is reserved and ships {day}; the invoice goes to this address.\n\n"
                "{agent}",
                "pending",
            ),
            (
                "in",
                "Perfect. Could you add a note for the driver to use the loading dock?\n\n{name}",
            ),
        ],
    },
    {
        "key": "delivery_window",
        "team": "orders",
        "subject": "Deliveries arriving after opening",
        "channels": ["email"],
        "tags": ["delivery", "business"],
        "priority": 3,
        "messages": [
            (
                "in",
                "Hi,\n\nTwice this week the beans arrived after 7 a.m., when we're already "
                "open. We need them before 6. What changed?\n\n{name}",
            ),
            (
                "note",
                "Carrier moved their route without notice. Same happened to two other bakeries.",
            ),
            (
                "out",
                "Hi {name},\n\nThank you for flagging it straight away. The carrier moved "
                "your route to a later van on Monday without telling us. I've asked them to "
                "put you back on the early run from {day} and I'll confirm once they "
                "have.\n\n{agent}",
                "on_hold",
            ),
        ],
    },
]
