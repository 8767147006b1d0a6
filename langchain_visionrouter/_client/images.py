"""``VisionRouterImages``: image generation and editing through the router's Image API (``POST /images``)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

from langchain_core.messages import AIMessage
from langchain_core.tools import BaseTool, StructuredTool
from pydantic import Field, model_validator

from langchain_visionrouter._client.connection import RouterClient
from langchain_visionrouter._client.usage import report_call
from langchain_visionrouter._media.checks import require_pillow
from langchain_visionrouter._request.images import image_payload, reference_parts
from langchain_visionrouter._response.answers import StreamEnd, judge_answer
from langchain_visionrouter._response.images import ImageStream, image_message
from langchain_visionrouter._router import model_info as _model_info
from langchain_visionrouter._router.presets import get_router
from langchain_visionrouter._wire import http as _http
from langchain_visionrouter.errors import NotFoundError

__all__ = ["VisionRouterImages"]


class VisionRouterImages(RouterClient):
    """Image generation and editing through an OpenRouter-style Image API (``POST /images``).

    Reaches image-only models (FLUX, Seedream, Imagen, gpt-image...) that chat cannot. Key,
    base URL, headers, retries, deadline, size caps, typed errors and secret masking work as
    in :class:`~langchain_visionrouter.ChatVisionRouter`. Answers are ``AIMessage`` objects
    whose ``content`` is LangChain standard image blocks, with ``usage_metadata`` and
    ``response_metadata["cost"]`` (USD), counted by :func:`~langchain_visionrouter.track_usage`.

    Infron's image API lives on another host with another request shape, so
    ``router="infron"`` is refused.

    Setup:
        .. code-block:: bash

            pip install langchain-visionrouter
            export OPENROUTER_API_KEY="sk-or-..."

    Key init args:
        model: str
            Image model id, e.g. ``"black-forest-labs/flux.2-pro"``, ``"openai/gpt-image-1"``.
        n, size, aspect_ratio, resolution, quality, output_format, background, output_compression, seed:
            Defaults for every request, as the Image API documents them (e.g.
            ``aspect_ratio="16:9"``, ``resolution="2K"``, ``quality="high"``); each call may override.
        provider: dict | None
            Provider preferences of the Image API (``only``, ``order``, ``ignore``, ``sort``,
            ``allow_fallbacks``, ``options`` keyed by provider slug), sent as given.
        user, model_kwargs:
            Your end user's id; other body fields, sent as given.

    Generate:
        .. code-block:: python

            from langchain_visionrouter import VisionRouterImages, save_image

            images = VisionRouterImages(model="google/gemini-2.5-flash-image")
            answer = images.generate("A red bicycle against a blue wall", aspect_ratio="16:9")
            save_image(answer.content[0], "bicycle.png")
            answer.response_metadata["cost"]     # USD, as billed

    Edit (reference images: paths, bytes, URLs, PIL images, blocks):
        .. code-block:: python

            answer = images.edit("Make it a watercolor painting", images=["bicycle.png"])

    Stream (partial previews where the provider streams natively):
        .. code-block:: python

            for block in images.stream("A lighthouse at dusk"):
                if block.get("extras", {}).get("partial"):
                    show_preview(block)

    Agents:
        .. code-block:: python

            tool = images.as_tool()       # the next model turn sees the image
    """

    n: int | None = Field(default=None, ge=1, le=10)
    """Images to generate (1-10; providers may return fewer)."""
    size: str | None = None
    """A tier (``"2K"``) or pixels (``"2048x2048"``); explicit pixels are authoritative."""
    aspect_ratio: str | None = None
    """E.g. ``"1:1"``, ``"16:9"``, ``"auto"``; providers clamp to what they support."""
    resolution: str | None = None
    """Resolution tier: ``"512"``, ``"1K"``, ``"2K"``, ``"4K"``."""
    quality: str | None = None
    """``"auto"``, ``"low"``, ``"medium"``, ``"high"``."""
    output_format: str | None = None
    """Encoding of the returned bytes: ``"png"``, ``"jpeg"``, ``"webp"``, ``"svg"``."""
    background: str | None = None
    """``"auto"``, ``"transparent"`` (png or webp), ``"opaque"``."""
    output_compression: int | None = Field(default=None, ge=0, le=100)
    """0-100, for webp and jpeg."""
    seed: int | None = None
    """Seed, where the provider honours one."""
    provider: dict[str, Any] | None = None
    """The Image API's provider preferences, sent as given."""
    user: str | None = Field(default=None, min_length=1)
    """Your end user's id (hashed by the router before it reaches a provider)."""
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Other request-body fields, sent as given."""

    @model_validator(mode="after")
    def _resolve_settings(self) -> VisionRouterImages:
        preset = get_router(self.router)
        if not preset.image_api:
            msg = (
                f"{preset.name}'s image API is not the OpenRouter-style POST /images this class speaks. If your "
                "gateway has one, use router='custom' with its base_url."
            )
            raise ValueError(msg)
        self._resolve_endpoint()
        if self.image_max_side is not None or self.image_max_bytes is not None:
            require_pillow()
        return self

    # -- request building (pure) ---------------------------------------------------------

    def _options(self, overrides: dict[str, Any]) -> dict[str, Any]:
        names = ("n", "size", "aspect_ratio", "resolution", "quality", "output_format", "background")
        options = {name: getattr(self, name) for name in (*names, "output_compression", "seed")}
        options.update({k: v for k, v in overrides.items() if v is not None})
        return options

    def _request(
        self, prompt: Any, images: Any, kwargs: dict[str, Any], *, stream: bool = False, caller: str
    ) -> tuple[_http.Request, str]:
        kwargs = dict(kwargs)
        model = kwargs.pop("model", None) or self.model
        extra = {**self.model_kwargs, **(kwargs.pop("extra_body", None) or {})}
        references = reference_parts(images, self._image_policy(), caller) if images is not None else None
        body = image_payload(
            model,
            prompt,
            self._options(kwargs),
            references=references,
            router_fields={"provider": self.provider, "user": self.user},
            extra=extra,
            stream=stream,
            caller=caller,
        )
        request = self._api_request("/images", body, accept="text/event-stream" if stream else "application/json")
        return request, model

    def _done(self, message: AIMessage, model: str) -> AIMessage:
        report_call(message, model=model)
        return message

    # -- generating and editing -----------------------------------------------------------

    def generate(self, prompt: str, **kwargs: Any) -> AIMessage:
        """Generate images from a text prompt.

        Args:
            prompt: What to draw.
            **kwargs: ``model``, ``n``, ``size``, ``aspect_ratio``, ``resolution``, ``quality``,
                ``output_format``, ``background``, ``output_compression``, ``seed`` (over the
                constructor's), ``extra_body`` (other body fields).

        Returns:
            An ``AIMessage``: ``content`` the image blocks (``{"type": "image", "base64",
            "mime_type"}``), ``usage_metadata``, ``response_metadata`` (``cost``, ``id``, ``model_name``).

        Raises:
            InvalidInputError: a bad argument, before any request.
            VisionRouterError: the router's typed error (a generation that did not complete is a 502, not billed).
        """
        request, model = self._request(prompt, None, kwargs, caller="generate")
        answer = _http.request(self._clients, request, judge_answer)
        return self._done(self._message(answer, model), model)

    async def agenerate(self, prompt: str, **kwargs: Any) -> AIMessage:
        """Async :meth:`generate`."""
        request, model = self._request(prompt, None, kwargs, caller="agenerate")
        answer = await _http.arequest(self._clients, request, judge_answer)
        return self._done(self._message(answer, model), model)

    def edit(self, prompt: str, images: Any, **kwargs: Any) -> AIMessage:
        """Edit images, or generate from reference images (``input_references``).

        Args:
            prompt: The edit, e.g. ``"make it a watercolor painting"``.
            images: One image or a list (at most 16; each model takes its own number), as
                :func:`~langchain_visionrouter.image_block` takes them, or blocks it made. Each is
                checked (type, size; downscaled per ``image_max_side``) before any request.
            **kwargs: As :meth:`generate`.
        """
        request, model = self._request(prompt, images, kwargs, caller="edit")
        answer = _http.request(self._clients, request, judge_answer)
        return self._done(self._message(answer, model), model)

    async def aedit(self, prompt: str, images: Any, **kwargs: Any) -> AIMessage:
        """Async :meth:`edit` (images read and resized off the event loop)."""
        request, model = await asyncio.to_thread(self._request, prompt, images, kwargs, caller="aedit")
        answer = await _http.arequest(self._clients, request, judge_answer)
        return self._done(self._message(answer, model), model)

    def _message(self, answer: Any, model: str) -> AIMessage:
        return image_message(answer, requested_model=model, provider_label=self.preset.provider_label)

    # -- streaming ------------------------------------------------------------------------

    def stream(self, prompt: str, *, images: Any = None, **kwargs: Any) -> Iterator[dict[str, Any]]:
        """Stream image blocks: previews (``extras["partial"]``) as they come, then the final images.

        Only providers with native streaming send previews; the others answer whole, and
        the final images are yielded at once. Usage and cost reach ``track_usage()`` when
        the stream ends. Errors as :meth:`generate` (``StreamError`` after the stream began).
        """
        request, model = self._request(prompt, images, kwargs, stream=True, caller="stream")
        reader = ImageStream(model, self.preset.provider_label)
        stream = _http.open_stream(self._clients, request, judge_answer)
        reader.generation_id = stream.generation_id
        for event in stream:
            block = reader.feed(event)
            if block is not None:
                yield block
        message = self._done(reader.result(stream), model)
        if reader.whole is not None:
            yield from message.content  # type: ignore[misc]

    async def astream(self, prompt: str, *, images: Any = None, **kwargs: Any) -> AsyncIterator[dict[str, Any]]:
        """Async :meth:`stream`."""
        request, model = await asyncio.to_thread(self._request, prompt, images, kwargs, stream=True, caller="astream")
        reader = ImageStream(model, self.preset.provider_label)
        stream = await _http.aopen_stream(self._clients, request, judge_answer)
        reader.generation_id = stream.generation_id
        async for event in stream:
            block = reader.feed(event)
            if block is not None:
                yield block
        end: StreamEnd = stream
        message = self._done(reader.result(end), model)
        if reader.whole is not None:
            for whole_block in message.content:
                yield whole_block  # type: ignore[misc]

    # -- catalog --------------------------------------------------------------------------

    def list_models(self, *, refresh: bool = False) -> list[_model_info.ModelInfo]:
        """The router's image models (``GET /images/models``) and their capabilities.

        Each model's :attr:`~langchain_visionrouter.ModelInfo.capabilities` maps the request
        fields it takes to their descriptors (``{"type": "enum", "values": [...]}``...);
        ``raw["supports_streaming"]`` says whether previews stream. Gateways without that
        listing are asked ``GET /models?output_modalities=image``.

        Example:
            .. code-block:: python

                [m.id for m in images.list_models() if "input_references" in m.capabilities]
        """
        try:
            return list(self._model_catalog(path="/images/models").models(refresh=refresh))
        except NotFoundError:
            listed = self._model_catalog(path="/models?output_modalities=image").models(refresh=refresh)
            return [m for m in listed if "image" in m.output_modalities]

    # -- agents ---------------------------------------------------------------------------

    def as_tool(self, *, name: str = "generate_image", description: str | None = None, **defaults: Any) -> BaseTool:
        """A LangChain tool that draws an image; its result is the image itself, so the next
        model turn sees it (a ``ToolMessage`` with an image block).

        Args:
            name: The tool's name.
            description: What the model reads; a default says what it does.
            **defaults: Generation options for every call (``aspect_ratio="1:1"``...).

        Example:
            .. code-block:: python

                from langchain.agents import create_agent

                agent = create_agent(ChatVisionRouter(model="openai/gpt-4o"), [images.as_tool()])
        """

        def draw(prompt: str, aspect_ratio: str | None = None) -> list[dict[str, Any]]:
            return _tool_content(self.generate(prompt, **{**defaults, "aspect_ratio": aspect_ratio}))

        async def adraw(prompt: str, aspect_ratio: str | None = None) -> list[dict[str, Any]]:
            return _tool_content(await self.agenerate(prompt, **{**defaults, "aspect_ratio": aspect_ratio}))

        return StructuredTool.from_function(
            func=draw,
            coroutine=adraw,
            name=name,
            description=description
            or (
                "Generate an image from a text description and look at it. Args: prompt (what to draw, in "
                "detail); aspect_ratio (optional, e.g. '1:1', '16:9')."
            ),
        )


def _tool_content(message: AIMessage) -> list[dict[str, Any]]:
    blocks = [b for b in message.content if isinstance(b, dict)]
    return [{"type": "text", "text": f"Generated {len(blocks)} image(s):"}, *blocks]
