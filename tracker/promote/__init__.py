"""Promote a friction point or moment of truth into an investigation and action items,
and walk the chain journey -> friction -> moment -> investigation -> action -> checklist."""
