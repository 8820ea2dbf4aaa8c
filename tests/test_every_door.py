"""The Procfile's one app with every door configured: the web chat and text messages side by side.

Runs once the SMS door (``resource_bot.channels.sms``, with Twilio's library) is in the tree;
until then it skips and says so.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from resource_bot.channels.doors import build_app
from resource_bot.config import load_settings
from resource_bot.runtime import open_runtime
from tests.test_telegram_bot import STATE_SECRET
from tests.webpage import Person

pytest.importorskip("resource_bot.channels.sms", reason="the SMS door is not in this tree yet")
validator = pytest.importorskip("twilio.request_validator", reason="twilio is not installed")

AUTH_TOKEN = "twilio-auth-token-for-tests-0123"
PUBLIC_URL = "https://doors.example.org"


def test_one_app_answers_a_signed_text_and_the_web_chat_and_refuses_a_forged_text(
    template_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "bot.sqlite3"
    shutil.copy(template_db, copy)
    env = {
        "DATABASE_URL": f"sqlite:///{copy}",
        "RESOURCE_BOT_HOME": str(tmp_path),
        "STATE_SECRET": STATE_SECRET,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "PUBLIC_URL": PUBLIC_URL,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    runtime = open_runtime(load_settings(env))
    try:
        with TestClient(build_app(runtime, env), base_url=PUBLIC_URL) as client:
            assert client.get("/healthz").json() == {"database": "ok", "doors": ["web", "sms"]}
            text = {"From": "+15550100123", "To": "+15550100199", "Body": "human trafficking", "MessageSid": "SM1"}
            signature = validator.RequestValidator(AUTH_TOKEN).compute_signature(f"{PUBLIC_URL}/sms", text)
            assert client.post("/sms", data=text, headers={"X-Twilio-Signature": "forged"}).status_code == 403
            answer = client.post("/sms", data=text, headers={"X-Twilio-Signature": signature})
            assert answer.status_code == 200 and "1-888-373-7888" in answer.text
            page = Person(client).open()
            assert page.status == 200 and page.has_quick_exit
    finally:
        runtime.db.dispose()
