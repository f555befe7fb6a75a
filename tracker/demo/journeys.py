"""Demo journey maps: the customer's broken-invoice journey and the agent's side of it.

Emotion scores dip where the friction points (tracker/demo/friction.py) sit, so a map view
shows the low points at a glance.
"""

from __future__ import annotations

from typing import Any


def _step(key: str, name: str, channel: str, emotion: int, doing: str, thinking: str,
          feeling: str, people: list[str], systems: list[str],
          minutes: int | None) -> dict[str, Any]:
    return {"key": key, "name": name, "channel": channel, "emotion_score": emotion,
            "doing": doing, "thinking": thinking, "feeling": feeling, "people_met": people,
            "systems_met": systems, "duration_minutes": minutes}


CUSTOMER_MAP: dict[str, Any] = {
    "key": "invoice",
    "name": "Getting help with a broken invoice",
    "kind": "customer",
    "persona": "Priya, finance admin at a 40-person design agency (annual plan, EU)",
    "scope_start": "The monthly invoice email arrives",
    "scope_end": "A corrected invoice is paid and the customer decides whether to renew",
    "objectives": [
        "Understand why finance admins contact support about invoices",
        "Find the upstream causes of wrong or unreadable invoices",
    ],
    "success_metrics": [
        "Billing contacts per 1,000 invoices drop from 38 to under 15",
        "Median time to a corrected invoice under 2 business days",
        "Billing CSAT above 4.2/5",
    ],
    "stages": [
        ("Noticing the problem", [
            _step("c.email", "Receives the invoice email", "email", 1,
                  "Opens the monthly invoice email", "Routine, should take a minute",
                  "Neutral", [], ["Billing email"], 2),
            _step("c.pdf", "Reads the invoice PDF", "email", -2,
                  "Compares line items with last month",
                  "What is 'PLN-PRO-ANN-S'? Why 46 seats, we have 40 people?",
                  "Confused", [], ["Invoice PDF"], 10),
            _step("c.vat", "Checks tax details for the accountant", "email", -3,
                  "Looks for the agency's VAT ID on the invoice",
                  "Our accountant will reject this without the VAT ID",
                  "Worried", [], ["Invoice PDF"], 5),
        ]),
        ("Looking for an answer", [
            _step("c.search", "Searches the help center", "web", -2,
                  "Types 'invoice wrong seats' into help center search",
                  "Surely this is a common question", "Impatient", [], ["Help center"], 8),
            _step("c.article", "Reads the proration article", "web", -3,
                  "Reads 'How billing works' (last updated 2 years ago)",
                  "The screenshots don't match what I see", "Frustrated", [], ["Help center"], 6),
            _step("c.pricing", "Re-reads the pricing page and sales email", "web", -3,
                  "Looks for the 'pay only for active users' promise",
                  "Sales told us we'd only pay for active users", "Misled",
                  ["Account executive (by email)"], ["Pricing page", "Email"], 10),
        ]),
        ("Contacting support", [
            _step("c.bot", "Asks the chat assistant", "chat", -4,
                  "Explains the problem to the chat bot three times",
                  "Let me talk to a human!", "Angry", [], ["Chat assistant"], 12),
            _step("c.form", "Tries the billing contact form", "web", -4,
                  "The form asks her to log in; she has no Brightdesk seat of her own",
                  "I pay for this product and can't even ask a question", "Shut out",
                  [], ["Contact form", "Login page"], 7),
            _step("c.email_support", "Emails support", "email", -3,
                  "Sends an email with the PDF attached", "Now I wait, I guess",
                  "Resigned", [], ["Support mailbox"], 5),
        ]),
        ("Waiting for a fix", [
            _step("c.wait", "Waits for a first reply", "email", -4,
                  "Checks her inbox for two days", "Is anyone reading this?",
                  "Ignored", [], ["Support mailbox"], 2880),
            _step("c.reply", "Gets a reply asking for the invoice again", "email", -3,
                  "Re-sends the PDF she already attached",
                  "Did they even open my first email?", "Annoyed",
                  ["Support agent"], ["Helpdesk"], 10),
            _step("c.credit", "Waits for the credit note", "email", -4,
                  "Is told a credit note takes 5-7 business days", "Our books close Friday",
                  "Stressed", ["Support agent", "Billing specialist"], ["Billing system"], 10080),
        ]),
        ("Settling and deciding", [
            _step("c.corrected", "Receives the corrected invoice", "email", 0,
                  "Opens a new invoice with no explanation of what changed",
                  "Is this one right? What changed?", "Uncertain", [], ["Invoice PDF"], 10),
            _step("c.renewal", "Thinks about the renewal", "email", -1,
                  "Notes the episode in the vendor review for the renewal",
                  "Do we want this every month?", "Wary", ["Account manager"], ["Email"], 30),
        ]),
    ],
}

EMPLOYEE_MAP: dict[str, Any] = {
    "key": "agent",
    "name": "Resolving a billing-dispute ticket",
    "kind": "employee",
    "persona": "Tier-1 support agent, six months in the role, not billing-trained",
    "scope_start": "A billing ticket lands in the general queue",
    "scope_end": "The ticket is solved and the customer has a corrected invoice",
    "objectives": [
        "Line up the agent's hand-offs with the customer's waiting time",
        "Find what the agent cannot see or do without billing",
    ],
    "success_metrics": [
        "Billing tickets solved without escalation above 60%",
        "Escalations answered by billing within 4 business hours",
    ],
    "stages": [
        ("Triage", [
            _step("a.queue", "Picks the ticket from the general queue", "other", 0,
                  "Sorts the general queue by age",
                  "Another billing one, I'm not trained for these",
                  "Reluctant", [], ["Helpdesk"], 5),
            _step("a.routing", "Checks whether billing should take it", "other", -1,
                  "Looks for a billing queue; there is none", "Who owns this?",
                  "Unsure", ["Team lead"], ["Helpdesk"], 10),
        ]),
        ("Investigating", [
            _step("a.lookup", "Looks up the customer's invoice", "other", -3,
                  "Asks the customer for the PDF because the helpdesk can't show line items",
                  "I can't see what she sees", "Blind", [], ["Helpdesk", "Admin console"], 15),
            _step("a.seats", "Works out the seat count", "other", -2,
                  "Counts users in the admin console, including deactivated ones",
                  "Deactivated users still count? Is that a bug?", "Confused",
                  [], ["Admin console"], 20),
        ]),
        ("Escalating to billing", [
            _step("a.escalate", "Asks billing for a credit note", "chat", -3,
                  "DMs a billing specialist on Slack", "Hope someone sees this",
                  "Anxious", ["Billing specialist"], ["Slack"], 5),
            _step("a.chase", "Chases the escalation", "chat", -4,
                  "Re-posts the request two days later", "The customer is going to explode",
                  "Powerless", ["Billing specialist", "Team lead"], ["Slack"], 15),
        ]),
        ("Resolving", [
            _step("a.reply", "Replies with the corrected invoice", "email", 1,
                  "Forwards billing's PDF with a short apology", "Done, finally",
                  "Relieved", [], ["Helpdesk"], 10),
            _step("a.wrapup", "Tags and closes the ticket", "other", 0,
                  "Picks 'Billing - other' as the contact reason", "None of the tags fit",
                  "Indifferent", [], ["Helpdesk"], 3),
        ]),
    ],
}

MAPS: list[dict[str, Any]] = [CUSTOMER_MAP, EMPLOYEE_MAP]
