"""Uploads and extraction (issue 15): the web process's memory during a big upload, and
the time to read a long PDF.

    python -m bench.files                     # a 100 MB upload, a 200-page PDF
    python -m bench.files --megabytes 20 --pages 50

The upload runs against a real web process (daphne as `manage.py serve` runs it) on the
embedded default in a temporary data directory: a signed-in session (made through
Django's test client on the shared SQLite file) streams a multipart body of
--megabytes of a zip archive to POST /api/files in 64 KiB pieces, while this process
samples the server's resident memory (VmRSS) every 20 ms. A 1 MB upload first warms
the process (imports, the first request). The target: the rise over that is under 20 MB.
The PDF is written here with pypdf (40 lines of text a page); the upload's checks
(`inspection.check`) and the text extraction (`extraction.extract`) are timed on it,
the extraction both for all of the text and up to the default fileTokenLimit (which is
where an upload's extraction stops), each the best of three runs.
The load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import http.client
import io
import os
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024
PIECE = 64 * 1024


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Sampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0.0, True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, rss_mb(self.pid))
            time.sleep(0.02)


def zip_head() -> bytes:
    """The start of a real zip archive, so the upload is sniffed as application/zip."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("bench.txt", "x")
    return out.getvalue()


def signed_in() -> tuple[str, str]:
    """A session cookie and a CSRF token for a bench user, in the shared database."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    user, _ = get_user_model().objects.get_or_create(email="bench-files@example.invalid")
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value, uuid.uuid4().hex


def upload(port: int, megabytes: int, session: str, csrf: str) -> tuple[int, str]:
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="endpoint"\r\n\r\nopenAI\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="big.zip"\r\nContent-Type: application/zip\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    first = zip_head()
    size = megabytes * MB
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    connection.putrequest("POST", "/api/files")
    connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    connection.putheader("Content-Length", str(len(head) + size + len(tail)))
    connection.putheader("Cookie", f"sessionid={session}; csrftoken={csrf}")
    connection.putheader("X-CSRFToken", csrf)
    connection.putheader("Referer", f"http://127.0.0.1:{port}/")
    connection.endheaders()
    connection.send(head + first)
    sent, filler = len(first), os.urandom(PIECE)
    while sent < size:
        piece = filler[: min(PIECE, size - sent)]
        connection.send(piece)
        sent += len(piece)
    connection.send(tail)
    response = connection.getresponse()
    return response.status, response.read().decode()[:300]


def measure_upload(megabytes: int, env: dict[str, str]) -> dict[str, float]:
    sys.path.insert(0, str(ROOT))
    from tests.webprocess import WebProcess

    session, csrf = signed_in()
    web = WebProcess(env)
    try:
        time.sleep(2)  # let start-up threads (tiktoken, sweepers) settle
        upload(web.port, 1, session, csrf)  # warm: the first request imports and loads
        idle = rss_mb(web.process.pid)
        sampler = Sampler(web.process.pid)
        sampler.start()
        started = time.perf_counter()
        status, body = upload(web.port, megabytes, session, csrf)
        seconds = time.perf_counter() - started
        time.sleep(0.5)
        sampler.running = False
        sampler.join()
        if status != 201:
            raise SystemExit(f"upload failed: {status} {body}\n{web.log()[-2000:]}")
        return {"idle": idle, "peak": sampler.peak, "rise": sampler.peak - idle, "s": seconds}
    finally:
        web.stop()


def long_pdf(pages: int) -> bytes:
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    font = writer._add_object(
        DictionaryObject(
            {NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
             NameObject("/BaseFont"): NameObject("/Helvetica")}
        )
    )  # fmt: skip
    resources = DictionaryObject({NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
    for number in range(pages):
        page = writer.add_blank_page(width=612, height=792)
        page[NameObject("/Resources")] = resources
        lines = " ".join(
            f"BT /F1 11 Tf 50 {740 - 14 * row} Td (Page {number + 1}, line {row + 1}: the "
            f"quarterly figures rose in every region.) Tj ET"
            for row in range(40)
        )
        stream = DecodedStreamObject()
        stream.set_data(lines.encode())
        page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def measure_pdf(pages: int) -> dict[str, float]:
    from chatapp.files import extraction, inspection
    from endpoints import tokens
    from endpoints.files import DEFAULT_TOKEN_LIMIT

    tokens.warm_up()  # the encodings load once per process, not per file
    data = long_pdf(pages)
    started = time.perf_counter()
    inspection.check(io.BytesIO(data), "application/pdf")
    checked = time.perf_counter() - started
    figures = {"mb": len(data) / MB, "check": checked}
    for name, limit in (("all", 10**9), ("limit", DEFAULT_TOKEN_LIMIT)):
        times = []
        for _ in range(3):  # the best of three: pypdf is CPU-bound, the machine shared
            started = time.perf_counter()
            text, count = extraction.extract(io.BytesIO(data), "application/pdf", limit)
            times.append(time.perf_counter() - started)
        figures |= {name: min(times), f"{name}_tokens": count}
    return figures


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.files")
    parser.add_argument("--megabytes", type=int, default=100)
    parser.add_argument("--pages", type=int, default=200)
    args = parser.parse_args(argv)
    for name in ("DATABASE_URL", "REDIS_URI", "USE_REDIS"):
        os.environ.pop(name, None)
    os.environ["PARLEY_DATA_DIR"] = tempfile.mkdtemp(prefix="parley-bench-files-")
    os.environ["CONFIG_PATH"] = str(Path(os.environ["PARLEY_DATA_DIR"]) / "none.yaml")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chatapp.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    env = dict(os.environ)
    load = os.getloadavg()
    upload_figures = measure_upload(args.megabytes, env)
    pdf = measure_pdf(args.pages)
    print(f"files bench ({os.cpu_count()} CPUs, load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f})")
    print(
        f"  upload {args.megabytes} MB: web process RSS {upload_figures['idle']:.1f} MB idle, "
        f"{upload_figures['peak']:.1f} MB peak, rise {upload_figures['rise']:.1f} MB "
        f"(target < 20), {upload_figures['s']:.1f} s"
    )
    print(
        f"  PDF {args.pages} pages ({pdf['mb']:.1f} MB): "
        f"upload check {pdf['check'] * 1000:.0f} ms, "
        f"text extraction {pdf['all']:.2f} s for all of it ({pdf['all_tokens']:,} tokens), "
        f"{pdf['limit']:.2f} s to the default fileTokenLimit ({pdf['limit_tokens']:,} tokens)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
