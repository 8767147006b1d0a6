"""One prepared call: messages, stop and call arguments -> a frozen value holding all a call needs.

As langchain-openai's ``_get_request_payload`` and openai-python's ``FinalRequestOptions``:
the body is built once, by pure code, and never changed after. What the rest of the call
needs to know (stream usage, list content, the audio format, the image-fit report, which
models may serve it, whether the catalog must be read) is decided here and carried on the
value, so no later step reads the body back to recover a fact.

Two facts can change the body after the first build, and each gives a *new* value:

* the catalog: ``modalities`` derived for an image-output model (:meth:`PreparedCall.with_catalog`);
* audio output, which the router only streams: a whole call is sent as a stream
  (:meth:`PreparedCall.as_stream`), reusing the converted messages, so images are
  checked and converted once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_visionrouter._response.expect import Expect
from langchain_visionrouter._router.modalities import derived_modalities
from langchain_visionrouter._router.model_info import ModelInfo
from langchain_visionrouter._wire.body import encode_body
from langchain_visionrouter._wire.http import Request

__all__ = ["Draft", "PreparedCall", "RequestTemplate", "body_fields"]


@dataclass(frozen=True, slots=True)
class RequestTemplate:
    """Where and how a call goes, but for its body: one per model and call."""

    url: str
    headers: Mapping[str, str] = field(repr=False)  # carries the API key
    stream_headers: Mapping[str, str] = field(repr=False)
    timeout: float | None
    max_retries: int
    deadline: float | None
    max_response_bytes: int


@dataclass(frozen=True, slots=True)
class Draft:
    """A call's body before its flavour (stream or not) and its catalog facts are known."""

    #: ``model``, ``messages``, parameters and router fields, in wire order.
    fields: Mapping[str, Any]
    #: ``extra_body`` (constructor's, then the call's): merged last, over everything.
    extras: tuple[Mapping[str, Any], ...]
    #: Streamed answers should report usage (``stream_usage``).
    stream_usage: bool
    #: The router counts usage only when asked (Infron's ``usage: {"include": true}``).
    usage_opt_in: bool
    #: The field that names fallback models (``models``, or Infron's ``fallback_models``).
    fallback_field: str
    #: ``image_fit`` saving: images downscaled, decoded bytes before and after; ``None``: none fitted.
    fit: Mapping[str, int] | None
    #: The input modalities the messages' parts need beyond text (``"image"``, ``"video"``, ``"audio"``).
    media: frozenset[str]
    #: The router's name in LangChain metadata (``model_provider``).
    provider_label: str

    @property
    def has_images(self) -> bool:
        """Some message carries an image part."""
        return "image" in self.media


def body_fields(
    model: str,
    messages: list[dict[str, Any]],
    params: Mapping[str, Any],
    router_fields: Mapping[str, Any],
) -> dict[str, Any]:
    """The body's fields but for the stream flavour and ``extra_body``, in wire order."""
    fields: dict[str, Any] = {"model": model, "messages": messages}
    fields.update(params)
    fields.update(router_fields)
    return fields


def _assemble(draft: Draft, *, stream: bool, modalities: list[str] | None) -> dict[str, Any]:
    body = dict(draft.fields)
    if stream:
        body["stream"] = True
        if draft.stream_usage:
            body["stream_options"] = {"include_usage": True}
    if draft.usage_opt_in and (draft.stream_usage or not stream):
        body.setdefault("usage", {"include": True})  # model_kwargs / a per-call value wins
    for extra in draft.extras:
        body.update(extra)
    if body.get("usage", ...) is None:  # usage=None asks for no usage field at all
        del body["usage"]
    if modalities is not None and "modalities" not in body:
        body["modalities"] = modalities
    return body


def _listed(body: Mapping[str, Any], name: str) -> bool:
    modalities = body.get("modalities")
    return isinstance(modalities, list) and name in modalities


@dataclass(frozen=True, slots=True)
class PreparedCall:
    """One call to the chat-completions endpoint, prepared once and frozen.

    ``body`` is final; ``request`` carries it to the HTTP layer; ``expect`` is what reading
    the answer needs. :meth:`with_catalog` and :meth:`as_stream` return new values.
    """

    draft: Draft
    template: RequestTemplate
    stream: bool
    #: ``modalities`` derived from the catalog for an image-output model (``None``: not derived).
    derived_modalities: list[str] | None = None
    body: Mapping[str, Any] = field(init=False, repr=False)
    request: Request = field(init=False, repr=False)
    expect: Expect = field(init=False)

    def __post_init__(self) -> None:
        body = _assemble(self.draft, stream=self.stream, modalities=self.derived_modalities)
        t = self.template
        request = Request(
            url=t.url,
            headers=t.stream_headers if self.stream else t.headers,
            body=encode_body(body),
            timeout=t.timeout,
            max_retries=t.max_retries,
            deadline=t.deadline,
            max_response_bytes=t.max_response_bytes,
        )
        audio = body.get("audio")
        audio_format = audio.get("format") if isinstance(audio, Mapping) else None
        object.__setattr__(self, "body", body)
        object.__setattr__(self, "request", request)
        object.__setattr__(
            self,
            "expect",
            Expect(
                provider_label=self.draft.provider_label,
                include_usage=self.stream and "stream_options" in body,
                output_blocks=_listed(body, "image") or _listed(body, "audio"),
                audio_format=audio_format if isinstance(audio_format, str) else None,
                fit=self.draft.fit,
            ),
        )

    # -- facts of the final body (its source: extra_body, merged last, may set any of them) ---

    @property
    def model(self) -> str:
        model = self.body.get("model")
        return model if isinstance(model, str) else ""

    @property
    def models(self) -> list[str]:
        """The model and fallback models the call may be served by."""
        found = [self.model] if self.model else []
        fallbacks = self.body.get(self.draft.fallback_field)
        if isinstance(fallbacks, list):
            found += [m for m in fallbacks if isinstance(m, str) and m not in found]
        return found

    @property
    def wants_audio(self) -> bool:
        """Audio output was asked for: the router sends it only in a stream."""
        return _listed(self.body, "audio")

    @property
    def needs_derivation(self) -> bool:
        """Images asked for (``image_config``) without ``modalities``: the catalog says which."""
        return "modalities" not in self.body and bool(self.body.get("image_config")) and bool(self.model)

    def needs_catalog(self, vision_check: str) -> bool:
        """Whether the catalog must be read before sending (one listing serves every check)."""
        return (vision_check != "off" and bool(self.draft.media)) or self.needs_derivation

    # -- new values ------------------------------------------------------------------------

    def with_catalog(self, models: Sequence[ModelInfo] | None) -> PreparedCall:
        """The call with ``modalities`` derived from the catalog, when it needs them (else itself)."""
        if models is None or not self.needs_derivation:
            return self
        derived = derived_modalities(self.model, models)
        return self if derived is None else PreparedCall(self.draft, self.template, self.stream, derived)

    def as_stream(self) -> PreparedCall:
        """The same call, streamed (for audio output, which the router only streams)."""
        return self if self.stream else PreparedCall(self.draft, self.template, True, self.derived_modalities)
