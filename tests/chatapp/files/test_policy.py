"""The upload rate limits: per IP and per user, the yaml over the variables."""

from __future__ import annotations

import pytest

from accounts.models import Violation
from chatapp.files import policy, uploads
from chatapp.files.policy import Refused, Window
from tests.chatapp.files.conftest import png_bytes, upload

pytestmark = pytest.mark.django_db


def test_the_variables_set_the_windows(settings, file_config):
    settings.FILE_UPLOAD_IP_MAX, settings.FILE_UPLOAD_IP_WINDOW = 7, 2
    settings.FILE_UPLOAD_USER_MAX, settings.FILE_UPLOAD_USER_WINDOW = 3, 5
    assert policy.windows() == (Window(7, 2), Window(3, 5))


def test_rate_limits_file_uploads_wins_over_the_variables(settings, file_config):
    settings.FILE_UPLOAD_USER_MAX = 3
    file_config("rateLimits:\n  fileUploads:\n    userMax: 2\n    ipWindowInMinutes: 1\n")
    ip, user = policy.windows()
    assert (user.max, ip.minutes, ip.max) == (2, 1, settings.FILE_UPLOAD_IP_MAX)


def test_many_tiny_files_hit_the_user_limit_and_record_a_violation(user, file_config):
    file_config("rateLimits:\n  fileUploads:\n    userMax: 3\n")
    for _ in range(3):
        uploads.store(user, upload("a.png", png_bytes()), endpoint="openAI", ip="198.51.100.1")
    with pytest.raises(Refused) as refused:
        uploads.store(user, upload("a.png", png_bytes()), endpoint="openAI", ip="198.51.100.1")
    assert (refused.value.code, refused.value.status) == ("upload_limit", 429)
    assert "at most 3 per 15 minute(s)" in refused.value.message
    assert Violation.objects.get(user=user).kind == "file_upload_limit"


def test_the_ip_limit_counts_every_user_of_the_ip(user, stranger, file_config):
    file_config("rateLimits:\n  fileUploads:\n    ipMax: 1\n")
    uploads.store(user, upload("a.png", png_bytes()), endpoint="openAI", ip="198.51.100.2")
    with pytest.raises(Refused, match="from this IP"):
        uploads.store(stranger, upload("a.png", png_bytes()), endpoint="openAI", ip="198.51.100.2")
