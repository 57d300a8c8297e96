"""`flask deploy nginx-conf`: the production nginx site (portal/nginx.py, issue #17).

The shedding itself is tested through a real nginx in
tests/reliability/test_two_nodes.py; here the command's output is checked, and
``nginx -t`` accepts it when nginx is installed."""

import os
import shutil
import subprocess

import pytest

from exams.attempts.admission import BUSY_MESSAGE
from portal.nginx import TEMP_DIRS, render_standalone


def _nginx():
    return shutil.which("nginx") or (
        "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None
    )


def test_nginx_conf_lists_every_node_and_limits_the_save_urls(app):
    result = app.test_cli_runner().invoke(
        args=[
            "deploy",
            "nginx-conf",
            "--upstream",
            "10.0.0.11:8000",
            "--upstream",
            "10.0.0.12:8000",
            "--listen",
            "8080",
            "--save-concurrency",
            "40",
            "--start-click-rate",
            "5",
        ]
    )
    assert result.exit_code == 0, result.output
    conf = result.output
    assert "server 10.0.0.11:8000 max_fails=1" in conf
    assert "server 10.0.0.12:8000 max_fails=1" in conf
    assert "listen 8080;" in conf
    assert "location ~ ^/exams/attempts/[0-9]+/(answers|events)$" in conf
    assert "limit_conn zhifa_exam_saves 40;" in conf
    retry = app.config["EXAM_SAVE_RETRY_AFTER"]
    assert f"add_header Retry-After {retry} always;" in conf
    assert BUSY_MESSAGE in conf  # the page shows the same message either way
    assert "Strict-Transport-Security" not in conf  # no TLS asked for
    # First clicks on 开始答题: 5 a second pass, the rest get nginx's 排队中 page;
    # the admitted entry (/enter) is not limited.
    assert "limit_req_zone $server_name zone=zhifa_exam_starts:1m rate=300r/m;" in conf
    assert "location ~ ^/exams/(?<zhifa_arrangement>[0-9]+)/start$" in conf
    assert "limit_req zone=zhifa_exam_starts burst=5 nodelay;" in conf
    assert "url=/exams/$zhifa_arrangement/notice" in conf
    assert "/enter" not in conf


def test_nginx_conf_without_limit_and_with_tls(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "deploy",
            "nginx-conf",
            "--save-concurrency",
            "0",
            "--start-click-rate",
            "0",
            "--cert",
            "/etc/zhifa/cert.pem",
            "--key",
            "/etc/zhifa/key.pem",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "limit_conn " not in result.output
    assert "limit_req" not in result.output
    assert "listen 443 ssl http2;" in result.output
    assert "ssl_certificate /etc/zhifa/cert.pem;" in result.output
    assert "return 301 https://$host$request_uri;" in result.output

    half = runner.invoke(args=["deploy", "nginx-conf", "--cert", "/etc/c.pem"])
    assert half.exit_code != 0
    assert "--cert 与 --key 须同时给出" in half.output


@pytest.mark.parametrize("tls", [False, True])
def test_nginx_accepts_the_configuration(app, tmp_path, tls):
    binary = _nginx()
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is required (make nginx)")
        pytest.skip("nginx not installed (make nginx)")
    args = ["deploy", "nginx-conf", "--listen", "127.0.0.1:8443"]
    if tls:
        key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
        subprocess.run(  # noqa: S603 - fixed arguments
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=zhifa",
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
        args += ["--cert", str(cert), "--key", str(key)]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    prefix = str(tmp_path / "nginx")
    for name in TEMP_DIRS:
        os.makedirs(os.path.join(prefix, name))
    conf = os.path.join(prefix, "nginx.conf")
    with open(conf, "w", encoding="utf-8") as fh:
        fh.write(render_standalone(prefix, result.output))
    check = subprocess.run(  # noqa: S603 - our nginx, fixed arguments
        [binary, "-t", "-p", prefix, "-c", conf],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert check.returncode == 0, check.stderr
