"""Demo friction points (with evidence and affected customers) and the moments of truth."""

from __future__ import annotations

from typing import Any

_PRIYA = ("Priya Raman", "priya@harbor-design.example.com", "SMB annual EU")
_KOFI = ("Kofi Mensah", "kofi.mensah@tallgrass.example.com", "Mid-market monthly")
_ELENA = ("Elena Rossi", "+39 02 5555 0142", "SMB annual EU")
_BEN = ("Ben Carter", "ben@carter-and-co.example.com", "SMB monthly US")
_AMARA = ("Amara Eze", "amara.eze@brightpath.example.com", "Mid-market annual")
_LARS = ("Lars Johansson", "lars@nordfjell.example.com", "SMB annual EU")
_HANNAH = ("Hannah Schmidt", "h.schmidt@kreativwerk.example.com", "SMB annual EU")


def _fp(key: str, journey: str, step: str, moment: str | None, title: str, description: str,
        upstream: str, evidence: list[tuple[str, str, str | None]],
        customers: list[tuple[str, str, str]] | None = None) -> dict[str, Any]:
    return {"key": key, "journey": journey, "step": step, "moment": moment, "title": title,
            "description": description, "upstream_cause": upstream,
            "evidence": [{"source": s, "note": n, "link": link} for s, n, link in evidence],
            "customers": [{"name": n, "contact": c, "segment": s} for n, c, s in customers or []]}


FRICTION: list[dict[str, Any]] = [
    _fp("plan_codes", "invoice", "c.pdf", "first_look",
        "Invoice shows internal plan codes instead of plan names",
        "Line items read 'PLN-PRO-ANN-S' rather than 'Pro, annual'. Customers cannot match the "
        "invoice to what they bought.", "billing",
        [("workshop", "4 of 6 workshop participants could not name their plan from the PDF", None),
         ("support_tickets", "212 tickets in Q3 quote a plan code verbatim",
          "https://helpdesk.example.com/views/plan-codes")],
        [_PRIYA, _HANNAH]),
    _fp("deactivated_seats", "invoice", "c.pdf", "first_look",
        "Deactivated users still counted as billable seats",
        "Seats are counted at the start of the period, so users deactivated mid-cycle are billed "
        "for the whole month.", "product",
        [("support_tickets", "Most common billing contact reason in Q3 (31%)", None),
         ("interview", "Kofi: 'We removed six leavers and paid for them anyway'", None)],
        [_PRIYA, _KOFI, _ELENA, _BEN, _AMARA, _LARS]),
    _fp("vat_missing", "invoice", "c.vat", "first_look",
        "EU customers' VAT ID missing from the invoice",
        "The VAT ID entered in settings is not printed on the PDF, so accountants reject it.",
        "billing",
        [("survey", "18% of EU respondents had an invoice rejected by their accountant", None)],
        [_HANNAH, _LARS]),
    _fp("search_nothing", "invoice", "c.search", "self_serve",
        "Help center search finds nothing for 'invoice wrong'",
        "Search matches titles only; no article title contains 'wrong' or 'incorrect'.", "docs",
        [("analytics", "'invoice wrong' is the top zero-result search, 1,900 a month", None)]),
    _fp("stale_article", "invoice", "c.article", "self_serve",
        "Proration article is two years out of date",
        "Screenshots and the seat rules in 'How billing works' predate the 2023 pricing change.",
        "docs",
        [("workshop", "Participants called the article 'about a different product'", None)]),
    _fp("sales_promise", "invoice", "c.pricing", "promise",
        "Sales promised 'you only pay for active users'",
        "Account executives describe seat billing as usage-based; it is not.", "sales",
        [("interview", "3 of 5 interviewees quoted the promise from their sales emails", None),
         ("support_tickets", "Tickets quoting sales emails tripled in renewal season", None)],
        [_AMARA, _BEN]),
    _fp("true_up_hidden", "invoice", "c.pricing", "promise",
        "Pricing page never mentions the annual seat true-up", "", "marketing",
        [("workshop", "Nobody in the workshop knew a true-up existed", None)]),
    _fp("bot_loop", "invoice", "c.bot", "reach_human",
        "Chat assistant loops instead of handing off to a person",
        "The bot has no billing intent and never offers a human after failed answers.", "support",
        [("support_tickets", "41% of billing chats end with the customer closing the window",
          None),
         ("workshop", "Priya re-enacted the loop; the room went quiet", None)],
        [_PRIYA]),
    _fp("form_login", "invoice", "c.form", "reach_human",
        "Billing contact form requires a product login",
        "Finance admins often have no seat of their own, so they cannot reach the form.",
        "product",
        [("interview", "2 of 5 finance admins had no login", None)], [_KOFI]),
    _fp("general_queue", "invoice", "c.wait", "reach_human",
        "Billing emails wait two days in the general queue",
        "No routing rule sends billing emails to agents who can handle them.", "support",
        [("support_tickets", "Median first reply on billing tickets: 47 hours vs 6 overall",
          None)],
        [_PRIYA, _ELENA]),
    _fp("pdf_asked_again", "invoice", "c.reply", "reach_human",
        "Customers are asked to re-send the invoice they attached", "", "support",
        [("survey", "Top verbatim in billing CSAT comments: 'asked me twice'", None)]),
    _fp("credit_slow", "invoice", "c.credit", "money_back",
        "Credit notes take 5-7 business days",
        "Credit notes are approved by finance in a weekly batch, whatever the amount.", "billing",
        [("support_tickets", "Median 6.5 business days from escalation to credit note", None),
         ("interview", "Elena: 'Our books close on Friday, your credit note came the week after'",
          None)],
        [_ELENA, _KOFI, _LARS]),
    _fp("no_explanation", "invoice", "c.corrected", "money_back",
        "Corrected invoice arrives without saying what changed", "", "billing",
        [("workshop", "Participants checked every line again by hand", None)]),
    _fp("no_line_items", "agent", "a.lookup", "reach_human",
        "Agents cannot see invoice line items in the helpdesk",
        "The helpdesk billing panel shows totals only.", "product",
        [("workshop", "Agents' workshop: the number one ask", None)]),
    _fp("slack_dm_escalation", "agent", "a.escalate", "money_back",
        "Escalations to billing go by Slack DM and get lost",
        "No queue, no owner, no SLA: a DM to whoever is online.", "billing",
        [("interview", "Agents keep a personal spreadsheet of escalations to chase", None)]),
    _fp("wrong_tags", "agent", "a.wrapup", None,
        "Contact-reason tags have no billing sub-reasons",
        "'Billing - other' hides what customers contact us about.", "support",
        [("analytics", "'Billing - other' is 64% of billing tickets", None)]),
]

MOMENTS: list[dict[str, Any]] = [
    {"key": "first_look", "journey": "invoice", "title": "The first look at a wrong invoice",
     "description": "The moment the finance admin decides whether Brightdesk's billing can be "
     "trusted.", "reach": 5, "severity": 4, "emotional_weight": 4, "business_impact": 4,
     "effort": 3, "confidence": 5},
    {"key": "reach_human", "journey": "invoice", "title": "Reaching someone who can fix billing",
     "description": "Bot loops, login walls and a two-day queue between the customer and help.",
     "reach": 4, "severity": 4, "emotional_weight": 5, "business_impact": 3, "effort": 2,
     "confidence": 4},
    {"key": "money_back", "journey": "invoice", "title": "Getting the money back in time",
     "description": "Whether the credit lands before the customer's books close.",
     "reach": 3, "severity": 5, "emotional_weight": 4, "business_impact": 4, "effort": 4,
     "confidence": 4},
    {"key": "self_serve", "journey": "invoice", "title": "Finding the answer without contacting us",
     "description": "Search and articles that should make the contact unnecessary.",
     "reach": 4, "severity": 2, "emotional_weight": 2, "business_impact": 2, "effort": 1,
     "confidence": 3},
    {"key": "promise", "journey": "invoice", "title": "What sales promised versus what we bill",
     "description": "Expectations set before the contract that the first invoice breaks.",
     "reach": 3, "severity": 3, "emotional_weight": 4, "business_impact": 5, "effort": 3,
     "confidence": 2, "rank_override": 1,
     "rank_override_reason": "Renewal season: 'billing not as promised' was the top reason in "
     "the Q3 churn survey, so leadership asked to treat it first despite low confidence."},
]
