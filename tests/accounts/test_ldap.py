import ldap
import pytest
from django_auth_ldap.config import LDAPSearch

from accounts.ldap import INSTALL_HINT, attributes, ldap_settings, search_filter
from chatapp.conf.environment import EnvError

BASE = {"LDAP_URL": "ldap://ldap.example.com", "LDAP_USER_SEARCH_BASE": "ou=users,dc=x"}


def test_off_without_ldap_url():
    assert ldap_settings({}) == {}


def test_librechat_placeholder_becomes_django_auth_ldap_s():
    assert search_filter("mail={{username}}") == "mail=%(user)s"
    assert search_filter("(&(uid={{ username }})(memberOf=cn=50%,dc=x))") == (
        "(&(uid=%(user)s)(memberOf=cn=50%%,dc=x))"
    )


def test_settings():
    values = ldap_settings(
        {
            **BASE,
            "LDAP_BIND_DN": "cn=root",
            "LDAP_BIND_CREDENTIALS": "pw",
            "LDAP_SEARCH_FILTER": "uid={{username}}",
            "LDAP_STARTTLS": "true",
            "LDAP_TLS_REJECT_UNAUTHORIZED": "false",
        }
    )
    assert values["AUTH_LDAP_SERVER_URI"] == "ldap://ldap.example.com"
    assert (values["AUTH_LDAP_BIND_DN"], values["AUTH_LDAP_BIND_PASSWORD"]) == ("cn=root", "pw")
    search = values["AUTH_LDAP_USER_SEARCH"]
    assert isinstance(search, LDAPSearch)
    assert (search.base_dn, search.filterstr) == ("ou=users,dc=x", "(uid=%(user)s)")
    assert values["AUTH_LDAP_START_TLS"] is True
    options = values["AUTH_LDAP_CONNECTION_OPTIONS"]
    assert options[ldap.OPT_X_TLS_REQUIRE_CERT] == ldap.OPT_X_TLS_NEVER


def test_ca_cert_must_exist(tmp_path):
    with pytest.raises(EnvError, match="LDAP_CA_CERT_PATH"):
        ldap_settings({**BASE, "LDAP_CA_CERT_PATH": str(tmp_path / "none.crt")})
    ca = tmp_path / "ca.crt"
    ca.write_text("x")
    options = ldap_settings({**BASE, "LDAP_CA_CERT_PATH": str(ca)})["AUTH_LDAP_CONNECTION_OPTIONS"]
    assert options[ldap.OPT_X_TLS_CACERTFILE] == str(ca)


def test_search_base_is_required_and_url_must_be_ldap():
    with pytest.raises(EnvError, match="LDAP_USER_SEARCH_BASE"):
        ldap_settings({"LDAP_URL": "ldap://x"})
    with pytest.raises(EnvError, match="LDAP_URL"):
        ldap_settings({**BASE, "LDAP_URL": "http://x"})


def test_attribute_variables():
    assert attributes({"LDAP_FULL_NAME": "givenName, sn", "LDAP_ID": "employeeID"}) == {
        "id": "employeeID",
        "username": "",
        "email": "",
        "full_name": ["givenName", "sn"],
    }


def test_install_hint_names_the_extra_and_the_debian_packages():
    assert "--extra ldap" in INSTALL_HINT and "libldap2-dev" in INSTALL_HINT


def test_without_the_extra_ldap_url_stops_start_up_with_the_install_hint(tmp_path):
    """An interpreter where python-ldap is absent (a stand-in package that fails to import)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    absent = tmp_path / "site" / "ldap"
    absent.mkdir(parents=True)
    (absent / "__init__.py").write_text("raise ImportError('No module named ldap')\n")
    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env.update(
        PYTHONPATH=str(tmp_path / "site"),
        PARLEY_DATA_DIR=str(tmp_path / "data"),
        LDAP_URL="ldap://127.0.0.1:389",
        LDAP_USER_SEARCH_BASE="ou=users,dc=x",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=root, env=env, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stderr.strip() == f"parley: {INSTALL_HINT}"
