"""What ChatVisionRouter declares to LangChain's standard suites (unit and integration alike)."""

from __future__ import annotations

from langchain_visionrouter import ChatVisionRouter


class VisionRouterCapabilities:
    """Mixed into both standard-suite classes, before the langchain-tests base class."""

    @property
    def chat_model_class(self) -> type[ChatVisionRouter]:
        return ChatVisionRouter

    @property
    def has_tool_calling(self) -> bool:
        return True

    @property
    def has_tool_choice(self) -> bool:
        return True

    @property
    def has_structured_output(self) -> bool:
        return True

    @property
    def returns_usage_metadata(self) -> bool:
        return True

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def supports_image_inputs(self) -> bool:
        return True

    @property
    def supports_image_urls(self) -> bool:
        return True

    @property
    def supports_image_tool_message(self) -> bool:
        return True

    @property
    def supports_pdf_inputs(self) -> bool:
        return True

    @property
    def supports_pdf_tool_message(self) -> bool:
        return True

    @property
    def supports_audio_inputs(self) -> bool:
        return True

    @property
    def supports_video_inputs(self) -> bool:
        return True

    @property
    def supports_anthropic_inputs(self) -> bool:
        return True  # Anthropic-style tools, images and tool_use blocks are translated
