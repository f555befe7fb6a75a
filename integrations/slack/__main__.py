"""Run the Slack emulator on its own: `python -m integrations.slack --port 9090`.

Starts a workspace with a few demo people and a channel, prints the sandbox URL and the
WebClient settings, and serves until interrupted. The tracker's `make run` embeds the emulator
instead; this is for trying the page or an adapter by hand.
"""

from __future__ import annotations

import argparse
import time

from integrations.slack.emulator import SlackEmulator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=9090)
    parser.add_argument("--bot-token", default="xoxb-emulator-bot-token")
    parser.add_argument("--signing-secret", default="emulator-signing-secret")
    parser.add_argument("--interactivity-url")
    parser.add_argument("--slash-command-url")
    args = parser.parse_args()
    slack = SlackEmulator(
        bot_token=args.bot_token,
        signing_secret=args.signing_secret,
        interactivity_url=args.interactivity_url,
        slash_command_url=args.slash_command_url,
    )
    people = [
        slack.add_user("ana", email="ana@example.com", real_name="Ana Silva"),
        slack.add_user("ben", email="ben@example.com", real_name="Ben Okafor"),
        slack.add_user("chloe", email="chloe@example.com", real_name="Chloe Martin"),
    ]
    slack.add_channel("cx-findings", members=[p.id for p in people])
    slack.start(args.port)
    print(f"Sandbox:   {slack.url}/sandbox")
    print(f"WebClient: WebClient({args.bot_token!r}, base_url={slack.url + '/api/'!r})")
    print(f"Signing secret: {args.signing_secret}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        slack.stop()


if __name__ == "__main__":
    main()
