"""A throwaway OpenLDAP server (Debian's slapd) on a loopback port, with a few users.

The configuration is a cn=config LDIF loaded by slapadd into a temporary
directory; the directory holds ou=users,dc=parley,dc=test. With `tls=True` the
server also offers StartTLS with a fresh self-signed certificate (ca.crt).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

SLAPD, SLAPADD = "/usr/sbin/slapd", "/usr/sbin/slapadd"
SUFFIX = "dc=parley,dc=test"
BASE = f"ou=users,{SUFFIX}"
ADMIN_DN, ADMIN_PASSWORD = f"cn=admin,{SUFFIX}", "admin-secret"
USERS = {
    # uid: (given name, surname, mail, password)
    "grace": ("Grace", "Hopper", "grace@parley.test", "grace-pass-1"),
    "alan": ("Alan", "Turing", "alan@parley.test", "alan-pass-1"),
}

CONFIG = """\
dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: {dir}/slapd.pid
{tls}
dn: cn=module{{0}},cn=config
objectClass: olcModuleList
cn: module{{0}}
olcModulePath: /usr/lib/ldap
olcModuleLoad: back_mdb

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

include: file:///etc/ldap/schema/core.ldif
include: file:///etc/ldap/schema/cosine.ldif
include: file:///etc/ldap/schema/inetorgperson.ldif

dn: olcDatabase={{0}}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {{0}}config
olcAccess: {{0}}to * by * none

dn: olcDatabase={{1}}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {{1}}mdb
olcSuffix: {suffix}
olcDbDirectory: {dir}/data
olcRootDN: {admin}
olcRootPW: {password}
olcAccess: {{0}}to attrs=userPassword by anonymous auth by * none
olcAccess: {{1}}to * by users read by * none
"""

TLS = """\
olcTLSCertificateFile: {dir}/server.crt
olcTLSCertificateKeyFile: {dir}/server.key
"""


def _entries() -> str:
    blocks = [
        f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: Parley\ndc: parley\n",
        f"dn: {BASE}\nobjectClass: organizationalUnit\nou: users\n",
    ]
    for uid, (given, surname, mail, password) in USERS.items():
        blocks.append(
            f"dn: uid={uid},{BASE}\nobjectClass: inetOrgPerson\nuid: {uid}\n"
            f"cn: {given} {surname}\ngivenName: {given}\nsn: {surname}\nmail: {mail}\n"
            f"userPassword: {password}\n"
        )
    return "\n".join(blocks)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _certificate(directory: Path) -> None:
    from tests.accounts.servers.smtp import self_signed

    self_signed(directory, "localhost")
    (directory / "smtp.crt").rename(directory / "server.crt")
    (directory / "smtp.key").rename(directory / "server.key")


@dataclass
class Slapd:
    url: str
    directory: Path
    process: subprocess.Popen

    @property
    def ca_cert(self) -> Path:
        return self.directory / "server.crt"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def _wait_until_listening(port: int, process: subprocess.Popen, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"slapd exited with status {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("slapd did not start listening")


def start(directory: Path, tls: bool = False) -> Slapd:
    if not shutil.which(SLAPD) and not Path(SLAPD).exists():
        raise RuntimeError("slapd is not installed: run `make test-deps`")
    (directory / "config").mkdir(parents=True)
    (directory / "data").mkdir()
    if tls:
        _certificate(directory)
    config = CONFIG.format(
        dir=directory,
        tls=TLS.format(dir=directory) if tls else "",
        suffix=SUFFIX,
        admin=ADMIN_DN,
        password=ADMIN_PASSWORD,
    )
    (directory / "config.ldif").write_text(config)
    (directory / "entries.ldif").write_text(_entries())
    load = [SLAPADD, "-q", "-F", str(directory / "config")]
    subprocess.run([*load, "-n", "0", "-l", str(directory / "config.ldif")], check=True)
    subprocess.run([*load, "-b", SUFFIX, "-l", str(directory / "entries.ldif")], check=True)
    port = _free_port()
    url = f"ldap://127.0.0.1:{port}"
    process = subprocess.Popen(
        [SLAPD, "-d", "0", "-h", f"{url}/", "-F", str(directory / "config")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait_until_listening(port, process)
    return Slapd(url=url, directory=directory, process=process)
