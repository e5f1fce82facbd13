"""Where files are kept: strategies, LibreChat's storage variables and seed 002's aliases."""

from __future__ import annotations

import pytest

from endpoints import config, filestorage
from endpoints.filestorage import S3Settings
from endpoints.problems import ConfigError
from endpoints.sections import LibreChatConfig
from tests.endpoints.management.test_check_config import run

S3 = {"AWS_BUCKET_NAME": "parley", "AWS_REGION": "eu-west-1"}
AZURE = {"AZURE_STORAGE_CONNECTION_STRING": "UseDevelopmentStorage=true"}


def yaml(**sections) -> LibreChatConfig:
    return LibreChatConfig.model_validate({"version": "1.3.14", **sections})


def resolve(env: dict, **sections):
    return filestorage.resolve(yaml(**sections) if sections else None, env)


def errors(problems) -> list[tuple[str, str]]:
    return [(p.path[0], p.message) for p in problems if p.level == "error"]


def test_nothing_set_is_local_with_librechats_defaults() -> None:
    found, problems = resolve({})
    assert problems == [] and found.in_use() == {"local"}
    assert (found.url_expiry, found.upload_limit_mb, found.s3, found.azure) == (
        120,
        None,
        None,
        None,
    )


def test_librechats_s3_variables() -> None:
    env = S3 | {
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9000",
        "AWS_ACCESS_KEY_ID": "id",
        "AWS_SECRET_ACCESS_KEY": "secret",
        "AWS_FORCE_PATH_STYLE": "true",
        "S3_URL_EXPIRY_SECONDS": "300",
    }
    found, problems = resolve(env, fileStrategy="s3")
    assert problems == [] and found.in_use() == {"s3"} and found.url_expiry == 300
    assert found.s3 == S3Settings(
        "parley", "eu-west-1", "http://127.0.0.1:9000", "id", "secret", True
    )


def test_difys_names_are_aliases_and_a_clash_names_both() -> None:
    dify = {"S3_BUCKET_NAME": "parley", "S3_REGION": "eu-west-1", "S3_ENDPOINT": "http://s3.lan"}
    dify |= {"S3_ACCESS_KEY": "id", "S3_SECRET_KEY": "secret", "STORAGE_TYPE": "s3"}
    found, problems = resolve(dify)
    assert problems == [] and found.strategy_for("document") == "s3"
    assert found.s3 == S3Settings("parley", "eu-west-1", "http://s3.lan", "id", "secret")
    same, problems = resolve(dify | {"AWS_BUCKET_NAME": "parley"})
    assert problems == [] and same.s3.bucket == "parley"
    _, problems = resolve(dify | {"AWS_BUCKET_NAME": "other", "AWS_REGION": "us-east-1"})
    assert errors(problems) == [
        ("AWS_BUCKET_NAME", "AWS_BUCKET_NAME and S3_BUCKET_NAME are both set, to different values"),
        ("AWS_REGION", "AWS_REGION and S3_REGION are both set, to different values"),
    ]


def test_storage_type_is_a_file_strategy_for_every_kind() -> None:
    found, problems = resolve(AZURE | {"STORAGE_TYPE": "azure-blob"})
    assert problems == [] and found.in_use() == {"azure_blob"}
    found, problems = resolve({"STORAGE_TYPE": "local"}, fileStrategy="local")
    assert problems == [] and found.in_use() == {"local"}
    # fileStrategies win over fileStrategy (and so over STORAGE_TYPE), as in LibreChat
    found, problems = resolve(S3 | {"STORAGE_TYPE": "s3"}, fileStrategies={"avatar": "local"})
    assert problems == [] and found.strategy_for("avatar") == "local"
    assert found.strategy_for("image") == "s3"
    _, problems = resolve(S3 | {"STORAGE_TYPE": "s3"}, fileStrategy="local")
    assert errors(problems) == [
        ("STORAGE_TYPE", "STORAGE_TYPE=s3 and fileStrategy say different things")
    ]
    _, problems = resolve({"STORAGE_TYPE": "aliyun-oss"})
    assert "'aliyun-oss' is not a storage Parley has" in errors(problems)[0][1]


def test_upload_file_size_limit_is_the_server_limit_in_mb() -> None:
    found, problems = resolve({"UPLOAD_FILE_SIZE_LIMIT": "15"})
    assert problems == [] and found.upload_limit_mb == 15
    found, problems = resolve(
        {"UPLOAD_FILE_SIZE_LIMIT": "15M"}, fileConfig={"serverFileSizeLimit": 15}
    )
    assert problems == [] and found.upload_limit_mb == 15
    _, problems = resolve({"UPLOAD_FILE_SIZE_LIMIT": "15"}, fileConfig={"serverFileSizeLimit": 20})
    assert errors(problems) == [
        (
            "UPLOAD_FILE_SIZE_LIMIT",
            "UPLOAD_FILE_SIZE_LIMIT and fileConfig.serverFileSizeLimit differ: keep one",
        )
    ]
    _, problems = resolve({"UPLOAD_FILE_SIZE_LIMIT": "lots"})
    assert errors(problems) == [
        ("UPLOAD_FILE_SIZE_LIMIT", "'lots' is not a size in MB, such as 15")
    ]


@pytest.mark.parametrize(
    ("env", "sections", "variable", "words"),
    [
        (
            {},
            {"fileStrategy": "s3"},
            "AWS_BUCKET_NAME",
            "needs AWS_BUCKET_NAME (or S3_BUCKET_NAME)",
        ),
        ({"AWS_BUCKET_NAME": "b"}, {"fileStrategies": {"image": "s3"}}, "AWS_REGION", "AWS_REGION"),
        ({}, {"fileStrategy": {"avatar": "azure_blob"}}, "AZURE_STORAGE_CONNECTION_STRING", ""),
        (
            {"AZURE_STORAGE_ACCOUNT_NAME": "acct"},
            {"fileStrategy": "azure_blob"},
            "AZURE_STORAGE_CONNECTION_STRING",
            "a managed identity is not implemented",
        ),
        (S3 | {"AWS_ACCESS_KEY_ID": "id"}, {}, "AWS_SECRET_ACCESS_KEY", "set both, or neither"),
        ({"S3_URL_EXPIRY_SECONDS": "0"}, {}, "S3_URL_EXPIRY_SECONDS", "1-604800"),
        ({"AWS_FORCE_PATH_STYLE": "maybe"}, {}, "AWS_FORCE_PATH_STYLE", "true or false"),
        ({"AWS_ENDPOINT_URL": "minio:9000"}, {}, "AWS_ENDPOINT_URL", "http"),
    ],
    ids=[
        "s3-bucket",
        "s3-region",
        "azure",
        "managed-identity",
        "key-pair",
        "expiry",
        "path-style",
        "endpoint",
    ],  # fmt: skip
)
def test_missing_or_bad_variables_are_errors_naming_them(env, sections, variable, words) -> None:
    _, problems = resolve(env, **sections)
    ((name, message),) = errors(problems)
    assert name == variable and words in message


def test_check_config_errors_on_missing_variables_and_no_longer_warns(
    tmp_path, capsys, settings
) -> None:
    path = tmp_path / "librechat.yaml"
    path.write_text(
        "version: 1.3.14\nfileStrategy: s3\nfileStrategies:\n  avatar: azure_blob\n"
        "  document: firebase\n"
    )
    settings.ENV = {}
    status, out = run(str(path), capsys)
    assert status == 1
    assert "error: environment: AWS_BUCKET_NAME: files are kept on s3, which needs" in out
    assert (
        "error: environment: AZURE_STORAGE_CONNECTION_STRING: files are kept on azure_blob" in out
    )
    assert "fileStrategies.document: 'firebase' is not implemented by Parley" in out
    settings.ENV = S3 | AZURE
    status, out = run(str(path), capsys)
    assert status == 0, out
    assert "'s3' is not implemented" not in out and "'azure_blob' is not implemented" not in out
    files = "Files: avatar on azure_blob (container files), image on s3 (bucket parley, eu-west-1)"
    assert f"{files}, document on local" in out


def test_a_clash_stops_the_start(tmp_path) -> None:
    path = tmp_path / "librechat.yaml"
    path.write_text("version: 1.3.14\nfileStrategy: s3\n")
    env = S3 | {"S3_BUCKET_NAME": "another"}
    with pytest.raises(ConfigError) as stopped:
        config.load(str(path), env)
    assert "AWS_BUCKET_NAME and S3_BUCKET_NAME are both set, to different values" in str(
        stopped.value
    )
    assert config.load(str(path), S3).storage.s3.bucket == "parley"
