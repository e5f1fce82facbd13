"""A real OpenID provider (the `oidc-provider` npm package on Node) on a loopback port."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import requests

HERE = Path(__file__).parent / "oidc"
CLIENT_ID, CLIENT_SECRET = "parley", "parley-client-secret"
PARLEY = "http://testserver"


@dataclass
class OpenIDProvider:
    issuer: str
    process: subprocess.Popen

    def stats(self) -> dict[str, int]:
        return requests.get(f"{self.issuer}/_stats", timeout=5).json()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(5)


def start(**options: object) -> OpenIDProvider:
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        raise RuntimeError(
            f"oidc-provider is not installed: run `make test-deps` (npm ci in {HERE})"
        )
    config = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uri": f"{PARLEY}/oauth/openid/callback",
        "post_logout_redirect_uri": f"{PARLEY}/accounts/login/",
        **options,
    }
    process = subprocess.Popen(
        ["node", str(HERE / "provider.mjs"), json.dumps(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = process.stdout.readline()  # "listening <port>", printed once the socket is bound
    if not line.startswith("listening "):
        process.kill()
        raise RuntimeError(f"the OpenID provider did not start: {line!r}")
    return OpenIDProvider(issuer=f"http://127.0.0.1:{line.split()[1]}", process=process)


class Browser:
    """The user's browser on the provider's side: a cookie jar that stops at Parley's URLs."""

    def __init__(self) -> None:
        self.session = requests.Session()

    def go(self, url: str, data: dict | None = None) -> requests.Response | str:
        """Follow redirects on the provider; return Parley's URL when one is reached."""
        method = "POST" if data is not None else "GET"
        response = self.session.request(method, url, data=data, allow_redirects=False, timeout=10)
        while response.is_redirect:
            target = urljoin(response.url, response.headers["Location"])
            if target.startswith(PARLEY):
                return target
            response = self.session.get(target, allow_redirects=False, timeout=10)
        return response

    def sign_in(self, authorize_url: str, login: str) -> str:
        """Log in on the provider's page and consent; returns Parley's callback URL."""
        page = self.go(authorize_url)
        result = self.go(page.url, {"prompt": "login", "login": login, "password": "any"})
        if isinstance(result, str):
            return result
        return self.go(result.url, {"prompt": "consent"})
