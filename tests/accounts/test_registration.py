"""registration.allowedDomains: LibreChat's isEmailDomainAllowed, read from librechat.yaml."""

import pytest

from accounts.registration import allowed_domains, domain_allowed


@pytest.mark.parametrize(
    ("email", "allowed", "expected"),
    [
        ("ada@example.com", None, True),  # nothing listed: every address
        ("ada@example.com", [], True),
        ("ada@example.com", ["example.com"], True),
        ("Ada@EXAMPLE.com", ["Example.COM"], True),  # the domain, case-insensitively
        ("ada@mail.example.com", ["example.com"], False),  # a subdomain is another domain
        ("ada@example.com.evil.test", ["example.com"], False),
        ("ada@other.test", ["example.com", "parley.test"], False),
        ("ada@parley.test", ["example.com", "parley.test"], True),
        ("example.com", ["example.com"], False),  # no @: no domain
        ("", ["example.com"], False),
    ],
)
def test_domain_allowed(email, allowed, expected):
    assert domain_allowed(email, () if allowed is None else allowed) is expected


def test_the_list_comes_from_librechat_yaml(allowed_domains):
    allowed_domains("Example.com", "parley.test")
    assert domain_allowed("bob@EXAMPLE.COM") and domain_allowed("grace@parley.test")
    assert not domain_allowed("eve@evil.test")


def test_an_empty_list_allows_everyone(allowed_domains):
    allowed_domains()
    assert domain_allowed("eve@evil.test")


def test_without_a_config_file_everyone_is_allowed(settings, tmp_path):
    from endpoints import config

    settings.CONFIG_PATH = str(tmp_path / "absent.yaml")
    config.current.cache_clear()
    try:
        assert allowed_domains() == () and domain_allowed("eve@evil.test")
    finally:
        config.current.cache_clear()
