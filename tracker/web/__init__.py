"""The browser workspace: server-rendered pages and their pictures."""
