"""The closed-loop queue: every customer still owed news about a shipped fix, across items.

- queue.py: who is still to be told, grouped by customer (one person, several fixes) or by
  item, with set-based queries over an index of pending entries.
- messages.py: the message drafted for each customer from the item's template.
- marks.py: marking many entries at once, each through tracker.actions.checklist.update_entry.
- endpoints.py: the JSON API (GET /closed-loop/queue, POST /closed-loop/marks, the templates).
The browser page is tracker/web/closed_loop/.
"""
