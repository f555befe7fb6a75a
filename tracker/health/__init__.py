"""Integration health: what each connection (Jira, GitHub, Slack) did last, what waits, what failed."""
