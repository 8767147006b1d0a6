"""LangChain's standard tool suites (unit and integration) for ``VisionRouterImages.as_tool()``;
the integration suite's calls are answered by the loopback router in the Image API's format."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.tools import BaseTool
from langchain_tests.integration_tests import ToolsIntegrationTests
from langchain_tests.unit_tests import ToolsUnitTests

from langchain_visionrouter import VisionRouterImages
from tests.fakerouter import FakeRouter, Recorded, Scripted, answer
from tests.wire import png

_ROUTER: dict[str, FakeRouter] = {}


def _draw(request: Recorded) -> Scripted:
    data = base64.b64encode(png(8, 8)).decode()
    return answer(json={"created": 1, "data": [{"b64_json": data, "media_type": "image/png"}], "usage": {"cost": 0.01}})


@pytest.fixture(autouse=True)
def _router() -> Iterator[None]:
    with FakeRouter() as router:
        router.respond(_draw)
        _ROUTER["now"] = router
        yield
    _ROUTER.clear()


def _tool() -> BaseTool:
    url = _ROUTER["now"].url if _ROUTER else "http://127.0.0.1:9/api/v1"
    return VisionRouterImages(model="black-forest-labs/flux.2-pro", api_key="k", base_url=url).as_tool()


class TestImageToolUnit(ToolsUnitTests):
    @property
    def tool_constructor(self) -> BaseTool:
        return _tool()

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"prompt": "a lighthouse at dusk", "aspect_ratio": "1:1"}


class TestImageToolIntegration(ToolsIntegrationTests):
    @property
    def tool_constructor(self) -> BaseTool:
        return _tool()

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"prompt": "a lighthouse at dusk", "aspect_ratio": "1:1"}
