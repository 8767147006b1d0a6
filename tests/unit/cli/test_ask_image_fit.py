"""The `visionrouter ask` command fits local images to the model by default, and says what it saved."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import pytest

from langchain_visionrouter._cli import ask as cli
from langchain_visionrouter._media.header import image_dimensions
from tests import wire
from tests.fakerouter import FakeRouter

_ANSWER = wire.completion(gen="gen-cli", model="anthropic/claude-sonnet-4.5", provider="Anthropic", content="ok")


@pytest.mark.parametrize(("flag", "sent_size"), [([], (1264, 948)), (["--image-fit", "off"], (2400, 1800))])
def test_ask_fits_images_to_the_model_unless_told_not_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flag: list[str], sent_size: tuple[int, int]
) -> None:
    pil = pytest.importorskip("PIL.Image")
    photo = tmp_path / "photo.jpg"
    pil.effect_noise((2400, 1800), 30).convert("RGB").save(photo, quality=85)
    monkeypatch.setenv("OPENROUTER_API_KEY", "k")
    out, err = io.StringIO(), io.StringIO()
    with FakeRouter() as router:
        router.reply(json=_ANSWER)
        argv = ["ask", "What?", str(photo), "-m", "anthropic/claude-sonnet-4.5", "--base-url", router.url]
        code = cli.main([*argv, "--no-stream", "--json", *flag], out=out, err=err)
        url = router.requests[0].json["messages"][0]["content"][1]["image_url"]["url"]
    assert (code, err.getvalue()) == (0, "")
    sent = base64.b64decode(url.split(",", 1)[1])
    assert image_dimensions(sent) == sent_size
    report = json.loads(out.getvalue())["image_fit"]
    if flag:
        assert report is None
    else:
        assert report == {"images": 1, "bytes_before": photo.stat().st_size, "bytes_after": len(sent)}
