"""Router presets: where each router lives and how its dialect differs.

Everything router-specific is data here, so the rest of the package asks a preset
instead of testing router names.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["COMMON_IMAGE_TYPES", "ROUTERS", "RouterPreset", "get_router"]

#: The image types every OpenAI-compatible router is expected to take.
COMMON_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/webp", "image/gif"})


@dataclass(frozen=True)
class RouterPreset:
    """What the adapter needs to know about one router."""

    name: str
    #: Default base URL; ``None`` means the user must give one.
    base_url: str | None
    #: The router's own API key variable, tried after ``VISIONROUTER_API_KEY``.
    api_key_env: str | None
    #: Whether a request without an API key makes sense (a local gateway may need none).
    requires_api_key: bool
    #: Image MIME types the router documents as accepted.
    image_types: frozenset[str]
    #: Request field that carries the fallback model list.
    fallback_models_field: str = "models"
    #: Usage is only returned when asked for (``usage.include`` / ``stream_options``).
    usage_opt_in: bool = False
    #: Value of ``response_metadata["model_provider"]`` and LangSmith's ``ls_provider``.
    provider_label: str = ""


ROUTERS: dict[str, RouterPreset] = {
    "openrouter": RouterPreset(
        name="openrouter",
        base_url="https://openrouter.ai/api/v1",
        api_key_env="OPENROUTER_API_KEY",
        requires_api_key=True,
        image_types=COMMON_IMAGE_TYPES,
        provider_label="openrouter",
    ),
    "infron": RouterPreset(
        name="infron",
        base_url="https://llm.onerouter.pro/v1",
        api_key_env="INFRON_API_KEY",
        requires_api_key=True,
        # Infron's image docs list png, jpeg and webp only.
        image_types=frozenset({"image/png", "image/jpeg", "image/webp"}),
        fallback_models_field="fallback_models",
        usage_opt_in=True,
        provider_label="infron",
    ),
    "custom": RouterPreset(
        name="custom",
        base_url=None,
        api_key_env=None,
        requires_api_key=False,
        image_types=COMMON_IMAGE_TYPES,
        # Unknown gateways may also need the opt-in; asking is harmless.
        usage_opt_in=True,
        provider_label="openai-compatible",
    ),
}


def get_router(name: str) -> RouterPreset:
    """Return the preset called ``name``, or raise a ``ValueError`` listing the known ones."""
    try:
        return ROUTERS[name]
    except (KeyError, TypeError):
        known = ", ".join(repr(k) for k in ROUTERS)
        msg = (
            f"Unknown router {name!r}. Known routers: {known}. "
            "For any other OpenAI-compatible gateway use router='custom' with base_url=..."
        )
        raise ValueError(msg) from None
