import pytest

from langchain_visionrouter._router.presets import ROUTERS, get_router


def test_known_presets() -> None:
    assert get_router("openrouter").base_url == "https://openrouter.ai/api/v1"
    assert get_router("infron").base_url == "https://llm.onerouter.pro/v1"
    assert "image/gif" not in get_router("infron").image_types
    assert "image/gif" in get_router("openrouter").image_types


def test_unknown_router_lists_known_ones() -> None:
    with pytest.raises(ValueError) as info:
        get_router("openrotuer")
    for name in ROUTERS:
        assert repr(name) in str(info.value)
