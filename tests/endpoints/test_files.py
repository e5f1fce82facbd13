"""fileConfig, fileStrategy and fileStrategies as LibreChat resolves them."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from endpoints import files
from endpoints.files import MB, FileConfig, FileStrategies, StrategyByKind
from tests.endpoints.management.test_check_config import run


def config(data: dict) -> FileConfig:
    return FileConfig.model_validate(data)


def test_defaults_are_librechats() -> None:
    limits = files.limits_for(None, "openAI")
    assert (limits.disabled, limits.file_limit) == (False, 10)
    assert limits.file_size == limits.total_size == 512 * MB
    assert limits.accepts("image/png") and limits.accepts("application/pdf")
    assert limits.accepts("text/markdown") and not limits.accepts("application/x-msdownload")
    assert files.server_limit(None) == 512 * MB and files.avatar_limit(None) == 2 * MB
    assert files.token_limit(None) == 100_000


def test_client_image_resize_defaults_and_its_formats() -> None:
    assert files.image_resize(None).model_dump() == {
        "enabled": False, "maxWidth": 1900, "maxHeight": 1900, "quality": 0.92,
        "compressFormat": "jpeg",
    }  # fmt: skip
    found = config({"clientImageResize": {"enabled": True, "compressFormat": "webp"}})
    assert files.image_resize(found).compressFormat == "webp"
    for wrong in ({"compressFormat": "png"}, {"quality": 1.5}, {"maxWidth": 0}):
        with pytest.raises(ValidationError):
            config({"clientImageResize": wrong})


def test_an_endpoint_falls_back_to_default_key_by_key() -> None:
    found = config(
        {
            "endpoints": {
                "default": {"fileLimit": 3, "totalSizeLimit": 20},
                "Groq": {"fileSizeLimit": 5, "supportedMimeTypes": ["^image/"]},
            }
        }
    )
    groq = files.limits_for(found, "Groq")
    assert (groq.file_limit, groq.file_size, groq.total_size) == (3, 5 * MB, 20 * MB)
    assert groq.accepts("image/webp") and not groq.accepts("application/pdf")
    other = files.limits_for(found, "anthropic")
    assert (other.file_limit, other.file_size) == (3, 512 * MB)


def test_patterns_are_searched_as_javascript_does_and_invalid_ones_fail_closed() -> None:
    found = config({"endpoints": {"default": {"supportedMimeTypes": ["pdf", "(?<=x)y"]}}})
    limits = files.limits_for(found, "openAI")
    assert limits.accepts("application/pdf") and not limits.accepts("image/png")
    only_bad = config({"endpoints": {"default": {"supportedMimeTypes": ["(?<=x)y", "("]}}})
    assert not files.limits_for(only_bad, "openAI").accepts("application/pdf")
    (problem,) = files.checks(found, None, None)
    assert problem.path == ("fileConfig", "endpoints", "default", "supportedMimeTypes", 1)
    assert problem.level == "warning" and "not an RE2 pattern" in problem.message


def test_strategies_in_librechats_order_and_unimplemented_ones_stay_local() -> None:
    by_kind = StrategyByKind(avatar="firebase", document="s3")
    assert files.strategy_for(None, None, "image") == "local"
    assert files.strategy_for(by_kind, None, "avatar") == "local"  # firebase: not implemented
    assert files.strategy_for(by_kind, None, "document") == "s3"
    strategies = FileStrategies(default="azure_blob", image="cloudfront")
    assert files.strategy_for("s3", strategies, "image") == "local"
    assert files.strategy_for("s3", strategies, "document") == "azure_blob"
    problems = files.checks(None, by_kind, strategies)
    assert [(p.path, p.level) for p in problems] == [
        (("fileStrategy", "avatar"), "warning"),
        (("fileStrategies", "image"), "warning"),
    ]
    assert "'firebase' is not implemented by Parley" in problems[0].message


def test_check_config_no_longer_ignores_file_settings(tmp_path, capsys) -> None:
    path = tmp_path / "librechat.yaml"
    path.write_text(
        "version: 1.3.14\nfileStrategy: local\nrateLimits:\n  fileUploads:\n    userMax: 5\n"
        "fileConfig:\n  serverFileSizeLimit: 100\n  avatarSizeLimit: 2\n"
        "  clientImageResize: {enabled: true, maxWidth: 800}\n"
        "  endpoints:\n    default: {fileLimit: 2, supportedMimeTypes: ['^image/']}\n"
        "  imageGeneration: {percentage: 100}\n"
    )
    status, out = run(str(path), capsys)
    assert status == 0, out
    assert "fileConfig.imageGeneration: accepted but ignored" in out
    assert "fileStrategy" not in out and "fileConfig.endpoints" not in out
    assert "rateLimits" not in out and "serverFileSizeLimit" not in out


def test_a_wrong_strategy_is_an_error_with_a_suggestion(tmp_path, capsys) -> None:
    path = tmp_path / "librechat.yaml"
    path.write_text("version: 1.3.14\nfileStrategy: s4\nfileConfig:\n  fileLimit: 3\n")
    status, out = run(str(path), capsys)
    assert status == 1
    assert "fileStrategy: 's4' must be" in out
    assert "fileConfig.fileLimit: unknown key" in out
