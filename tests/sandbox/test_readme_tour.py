"""The README's "Trying it out" and "A short API tour", command by command, in the README's
order, against the app and the sandbox emulators: each answers what the README shows.

Every call here is also checked to be in the README, so neither can drift from the other."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx

from .conftest import Running, wait_for

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
LUIS = ("luis.fernandez@example.com", "luis.fernandez-token")
JONAS = {"Authorization": "token jweber-demo-token"}
JOURNEY = {
    "name": "Getting help with a broken invoice", "kind": "customer", "persona": "SMB finance admin",
    "scope_start": "Invoice arrives", "scope_end": "Corrected invoice paid",
    "objectives": ["Find where trust breaks"], "success_metrics": ["Billing contacts per 1k invoices"],
    "stages": [{"name": "Notice", "steps": [{"name": "Opens the PDF", "channel": "email",
                "doing": "Checks VAT", "thinking": "Why twice?", "feeling": "Annoyed", "emotion_score": -3}]}]}
PROMOTE = {
    "source": {"moment_id": 1}, "investigation": {"owner_id": 5},
    "action_items": [{"title": "Fix the VAT line", "team_id": 3, "owner_id": 5,
                      "deadline": "2026-12-15", "priority": "high", "training_needed": True}]}


def in_readme(*fragments: str) -> None:
    for fragment in fragments:
        assert fragment in README, f"the README no longer shows {fragment!r}: update this test with it"


def in_readme_json(body: dict[str, Any]) -> None:
    """A JSON body the README sends, compared as data (its layout may wrap)."""
    for found in re.finditer(r"-d '(\{.*?\})'", README, re.S):
        try:
            if json.loads(found.group(1)) == body:
                return
        except ValueError:
            continue
    raise AssertionError(f"the README no longer sends {body}")


def test_the_readme_tour_runs_as_shown(running: Running) -> None:
    api, jira, github = running.client, running.sandbox.jira.url, running.sandbox.github.url
    lead = {"Authorization": f"Bearer {running.tokens['lead']}"}
    web = httpx.Client(trust_env=False, timeout=10)

    def link(item: int) -> dict[str, Any]:
        return api.get(f"/action-items/{item}/ticket", headers=lead).json()  # type: ignore[no-any-return]

    def activity(item: int, limit: int) -> list[dict[str, Any]]:
        return api.get(f"/action-items/{item}/activity?limit={limit}", headers=lead).json()["items"]  # type: ignore[no-any-return]

    # -- Trying it out: Jira ---------------------------------------------------------------
    in_readme('"localhost:8000/action-items?overdue=true&limit=5"')
    assert api.get("/action-items?overdue=true&limit=5", headers=lead).status_code == 200
    in_readme("-X POST -H \"$H\" localhost:8000/action-items/1/ticket   # 202, \"state\": \"pending\"")
    pushed = api.post("/action-items/1/ticket", headers=lead)
    assert pushed.status_code == 202 and pushed.json()["state"] == "pending"
    wait_for(lambda: link(1)["state"] == "linked")
    in_readme('"remote_key": "CX-1"')
    assert link(1)["remote_key"] == "CX-1"
    in_readme("-u luis.fernandez@example.com:luis.fernandez-token", "-X PUT localhost:8101/rest/api/2/issue/CX-1",
              "-X POST localhost:8101/rest/api/2/issue/CX-1/transitions")
    retitle = {"fields": {"summary": "Show plan names on invoices"}}
    in_readme_json(retitle)
    assert web.put(f"{jira}/rest/api/2/issue/CX-1", auth=LUIS, json=retitle).status_code == 204
    wait_for(lambda: any(e["action"] == "updated" for e in activity(1, 4)))
    close = {"transition": {"id": "31"}}
    in_readme_json(close)
    assert web.post(f"{jira}/rest/api/2/issue/CX-1/transitions", auth=LUIS, json=close).status_code == 204
    wait_for(lambda: any(e["action"] == "sync_refused" for e in activity(1, 4)))
    in_readme('"localhost:8000/action-items/1/activity?limit=4"', "jira:demo-557058:luis", "closing_loop")
    entries = activity(1, 4)
    moved = next(e for e in entries if e["action"] == "phase_changed")
    assert moved["actor_label"] == "jira:demo-557058:luis" and moved["changes"]["phase"]["to"] == "closing_loop"
    assert any(e["action"] == "updated" and e["actor_label"] == "jira:demo-557058:luis" for e in entries)

    # -- Trying it out: GitHub, and the ticket pages ---------------------------------------
    in_readme("localhost:8000/action-items/7/ticket; sleep 2", '"remote_key": "1"')
    assert api.post("/action-items/7/ticket", headers=lead).status_code == 202
    wait_for(lambda: link(7)["state"] == "linked")
    assert link(7)["remote_key"] == "1" and link(7)["remote_url"].endswith("/brightdesk/product/issues/1")
    in_readme("-H 'Authorization: token jweber-demo-token'",
              "-X PATCH localhost:8102/api/v3/repos/brightdesk/product/issues/1")
    in_readme_json({"state": "closed"})
    closed = web.patch(f"{github}/api/v3/repos/brightdesk/product/issues/1", headers=JONAS, json={"state": "closed"})
    assert closed.status_code == 200
    in_readme('"localhost:8000/action-items/7/activity?limit=3"   # github:jweber-demo moved it')
    wait_for(lambda: any(e["action"] == "phase_changed" and e["actor_label"] == "github:jweber-demo"
                         for e in activity(7, 3)))
    in_readme("http://127.0.0.1:8101/browse/CX-1", "http://127.0.0.1:8102/brightdesk/product/issues/1")
    for url in (link(1)["remote_url"], link(7)["remote_url"]):
        page = web.get(url)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html"), url

    # -- Trying it out: Slack ----------------------------------------------------------------
    in_readme("localhost:8000/action-items/10/nudges   # a lead chases item 10 now (202)")
    assert api.post("/action-items/10/nudges", headers=lead).status_code == 202

    # -- A short API tour ----------------------------------------------------------------------
    in_readme("localhost:8000/journey-maps -d '{")
    in_readme_json(JOURNEY)
    assert api.post("/journey-maps", headers=lead, json=JOURNEY).status_code == 201
    in_readme("--data-binary @tracker/demo/board.csv",
              '"localhost:8000/journey-maps/1/friction-points/import?dry_run=true"')
    board = (ROOT / "tracker" / "demo" / "board.csv").read_bytes()
    imported = api.post("/journey-maps/1/friction-points/import?dry_run=true", content=board,
                        headers={**lead, "Content-Type": "text/csv"})
    assert imported.status_code == 200 and imported.json()["dry_run"] is True, imported.text
    in_readme("localhost:8000/promote -d '{")
    in_readme_json(PROMOTE)
    assert api.post("/promote", headers=lead, json=PROMOTE).status_code == 201
    in_readme('"localhost:8000/action-items?owner_id=5&phase=implementing&sort=deadline&limit=50"')
    listed = api.get("/action-items?owner_id=5&phase=implementing&sort=deadline&limit=50", headers=lead)
    assert listed.status_code == 200
    in_readme('curl -s -H "$H" localhost:8000/my-work\n', '"localhost:8000/board?team_id=3&overdue=true"',
              'curl -s -H "$H" localhost:8000/journey-maps/1/pins\n')
    assert set(api.get("/my-work", headers=lead).json()) == {"rows", "total", "overdue", "finished"}
    columns = api.get("/board?team_id=3&overdue=true", headers=lead).json()["columns"]
    assert [c["phase"] for c in columns][:2] == ["planned", "implementing"]
    pins = api.get("/journey-maps/1/pins", headers=lead).json()
    assert pins and all(p["step_id"] for p in pins)  # the demo map's friction, pinned on its steps
    in_readme("localhost:8000/action-items/4 | grep -i etag      # etag: \"1\"")
    assert api.get("/action-items/4", headers=lead).headers["etag"] == '"1"'
    in_readme("-H 'If-Match: \"1\"'",
              "localhost:8000/action-items/4/phase -d '{\"to\": \"training\"}'       # 200, \"version\": 2")
    moved4 = api.post("/action-items/4/phase", headers={**lead, "If-Match": '"1"'}, json={"to": "training"})
    assert moved4.status_code == 200 and moved4.json()["version"] == 2, moved4.text
    in_readme("-H 'If-Match: \"2\"'", "localhost:8000/action-items/4/phase -d '{\"to\": \"done\"}'",
              "# -> 409 names the allowed next phases")
    refused = api.post("/action-items/4/phase", headers={**lead, "If-Match": '"2"'}, json={"to": "done"})
    assert refused.status_code == 409 and refused.json()["error"]["details"]["allowed"], refused.text
    in_readme("-X POST -H \"$H\" localhost:8000/action-items/11/ticket",
              "-X POST -H \"$H\" localhost:8000/moments/1/tickets")
    assert api.post("/action-items/11/ticket", headers=lead).status_code == 202
    assert api.post("/moments/1/tickets", headers=lead).status_code == 202
    for path in ("/ticket-links?state=broken", "/chain?action_item_id=1", "/activity?moment_id=1"):
        in_readme(f'"localhost:8000{path}"')
        assert api.get(path, headers=lead).status_code == 200, path
    web.close()
