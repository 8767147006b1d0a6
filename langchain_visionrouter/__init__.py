"""LangChain chat model for OpenAI-compatible model routers, with images as first-class input.

Data flows ``messages`` (LangChain messages -> request JSON) -> ``transport`` (HTTP,
SSE, retries, errors) -> ``responses`` (JSON and chunks -> messages), tied together
by :class:`ChatVisionRouter` in ``chat_models``.
"""

from langchain_visionrouter.chat_models import ChatVisionRouter
from langchain_visionrouter.errors import (
    APIConnectionError,
    AuthenticationError,
    BadRequestError,
    ImageInputError,
    InsufficientCreditsError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
    RateLimitError,
    RequestTimeoutError,
    StreamError,
    VisionRouterError,
)
from langchain_visionrouter.images import file_block, image_block
from langchain_visionrouter.routers import ROUTERS, RouterPreset

__version__ = "0.1.0"

__all__ = [
    "ROUTERS",
    "APIConnectionError",
    "AuthenticationError",
    "BadRequestError",
    "ChatVisionRouter",
    "ImageInputError",
    "InsufficientCreditsError",
    "InvalidInputError",
    "NotFoundError",
    "PermissionDeniedError",
    "ProviderError",
    "RateLimitError",
    "RequestTimeoutError",
    "RouterPreset",
    "StreamError",
    "VisionRouterError",
    "__version__",
    "file_block",
    "image_block",
]
