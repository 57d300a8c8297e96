"""The nginx configuration in front of the portal (issue #17, docs/deployment.md).

One source for the production site file (``flask deploy nginx-conf``), the load
benchmark (``bench/loadkit.py``) and the reliability tests, so that what is
measured and tested is what a bureau installs.

Besides proxying, nginx is the exam day's first admission control: autosaves and
heartbeats (``POST /exams/attempts/<id>/answers|events``) pass a concurrency limit
(``limit_conn``) *before* Python. When ``save_concurrency`` of them are already
in flight to the application nodes, the next one is answered by nginx at once —
503, ``Retry-After`` and the same JSON body as the application's own busy reply
(``busy_message``: the caller passes
:data:`exams.attempts.admission.BUSY_MESSAGE`; the shell imports no feature) — which costs microseconds,
while a 503 written by a gunicorn worker costs a Python request cycle and waits
behind the requests queued in its socket backlog. The exam page keeps the answer
in the browser and retries with back-off and jitter. Size the limit to the
workers that serve it: about four requests per gunicorn worker process of all
nodes (a sync worker then has at most three waiting behind the one it serves).
"""

import json

# Autosave and heartbeat/focus events of an attempt: the exam day's hot path.
SAVE_LOCATION = r"^/exams/attempts/[0-9]+/(answers|events)$"


def busy_body(message):
    """The body of nginx's busy reply: the application's own 503 body."""
    return json.dumps(
        {"ok": False, "error": message, "busy": True},
        ensure_ascii=False,
        separators=(", ", ": "),
    )


def _proxy_block(upstream, read_timeout):
    return f"""            proxy_pass http://{upstream};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            # Lets the application refuse (503) a request that already waited
            # longer than EXAM_SAVE_MAX_WAIT_MS before it (docs/deployment.md).
            proxy_set_header X-Request-Start "t=${{msec}}";
            proxy_connect_timeout 2s;
            proxy_read_timeout {read_timeout};
            proxy_next_upstream error timeout http_502 http_503 http_504;
            proxy_next_upstream_tries 2;
            proxy_next_upstream_timeout 10s;"""


def render_site(
    upstreams,
    *,
    busy_message,
    listen="127.0.0.1:8080",
    server_name="_",
    save_concurrency=24,
    retry_after=3,
    keepalive=32,
    client_max_body_size="210m",
    tls=None,
    upstream_name="zhifa_portal",
):
    """The ``upstream``, ``limit_conn_zone`` and ``server`` blocks (the contents of
    an ``http {}`` block, e.g. ``/etc/nginx/conf.d/zhifa.conf``).

    :param upstreams: ``host:port`` of every gunicorn node.
    :param busy_message: the text of the application's busy reply.
    :param save_concurrency: autosaves/heartbeats in flight before nginx answers
        503 itself (0: no limit in nginx).
    :param tls: ``(certificate, key)`` paths to listen with TLS and HSTS, else plain
        HTTP (a test, or TLS ended by a balancer in front).
    """
    servers = "\n".join(
        f"    server {address} max_fails=1 fail_timeout=30s;" for address in upstreams
    )
    if tls:
        certificate, key = tls
        listen_line = f"listen {listen} ssl http2;"
        tls_lines = (
            f"\n        ssl_certificate {certificate};"
            f"\n        ssl_certificate_key {key};"
            '\n        add_header Strict-Transport-Security "max-age=31536000; '
            'includeSubDomains" always;'
        )
        # A location's add_header replaces the server's: the busy reply repeats it.
        hsts = (
            '\n            add_header Strict-Transport-Security "max-age=31536000; '
            'includeSubDomains" always;'
        )
        redirect = (
            "\nserver {\n        listen 80;\n"
            "        return 301 https://$host$request_uri;\n}\n"
        )
    else:
        listen_line, tls_lines, hsts, redirect = f"listen {listen};", "", "", ""
    limit = ""
    if save_concurrency:
        limit = f"""
            # Admission control before Python: at most {save_concurrency} autosaves and
            # heartbeats in flight; the next one gets 503 + Retry-After at once.
            limit_conn zhifa_exam_saves {save_concurrency};
            limit_conn_status 503;
            limit_conn_log_level warn;
            error_page 503 = @zhifa_exam_busy;"""
    body = busy_body(busy_message).replace("'", "\\'")
    return f"""# Zhifa Portal — written by `flask deploy nginx-conf` (portal/nginx.py).
upstream {upstream_name} {{
{servers}
    keepalive {keepalive};
}}
# One counter for the whole site: the exam day's autosaves in flight.
limit_conn_zone $server_name zone=zhifa_exam_saves:1m;

server {{
        {listen_line}
        server_name {server_name};{tls_lines}
        client_max_body_size {client_max_body_size};

        location ~ {SAVE_LOCATION} {{{limit}
{_proxy_block(upstream_name, "30s")}
        }}

        # nginx's own busy reply: the application's 503 body, not cached.
        location @zhifa_exam_busy {{
            default_type "application/json; charset=utf-8";
            add_header Retry-After {retry_after} always;
            add_header Cache-Control "no-store" always;{hsts}
            return 503 '{body}';
        }}

        location / {{
{_proxy_block(upstream_name, "60s")}
        }}
}}
{redirect}"""


def render_standalone(
    prefix, site, *, worker_processes=1, worker_connections=4096, rlimit_nofile=None
):
    """A complete ``nginx.conf`` that runs in the foreground under ``prefix`` (logs,
    pid and temporary files there) around ``site`` — for tests and the benchmark.
    ``rlimit_nofile``: the workers' open-file limit (one per client connection)."""
    temp = "\n".join(
        f"    {name}_temp_path {prefix}/{name};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    limit = f"\nworker_rlimit_nofile {rlimit_nofile};" if rlimit_nofile else ""
    return f"""daemon off;
master_process on;
worker_processes {worker_processes};{limit}
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;
events {{ worker_connections {worker_connections}; }}
http {{
    log_format upstream '$request_method $uri $status $upstream_addr';
    access_log {prefix}/logs/access.log upstream;
{temp}
{site}
}}
"""


TEMP_DIRS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi", "logs")
