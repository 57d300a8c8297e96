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

The second limit is on the start wave: first clicks on 开始答题 (``POST
/exams/<id>/start``) pass at ``start_click_rate`` per second (``limit_req``); the
rest are answered 503 + ``Retry-After`` by nginx with a small 排队中 page (the
notice page's script retries by itself with back-off and jitter; without
scripts the page returns to the notice after a few seconds). Candidates whose
turn has come and those who resume use ``/exams/<id>/enter``, which is not
limited, so an admitted candidate never waits behind the wave of first clicks.
"""

import json

# Autosave and heartbeat/focus events of an attempt: the exam day's hot path.
SAVE_LOCATION = r"^/exams/attempts/[0-9]+/(answers|events)$"
# First clicks on 开始答题 (not the admitted entry, /exams/<id>/enter).
START_LOCATION = r"^/exams/(?<zhifa_arrangement>[0-9]+)/start$"
START_BUSY_TITLE = "排队中"
START_BUSY_TEXT = (
    "同时开始考试的考生较多，系统正在按服务器能承受的速度依次放行。"
    "几秒后本页会自动返回考试须知，请再次点击“开始答题”；排队不占用答题时间。"
)


def busy_body(message):
    """The body of nginx's busy reply: the application's own 503 body."""
    return json.dumps(
        {"ok": False, "error": message, "busy": True},
        ensure_ascii=False,
        separators=(", ", ": "),
    )


def start_busy_page(retry_after, notice_url):
    """nginx's 排队中 page for a first click beyond the start rate (a form post
    without the notice page's script): back to the notice after Retry-After."""
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="refresh" content="{retry_after};url={notice_url}">'
        f"<title>{START_BUSY_TITLE}</title></head><body><main>"
        f"<h1>{START_BUSY_TITLE}</h1><p>{START_BUSY_TEXT}</p>"
        f'<p><a href="{notice_url}">返回考试须知</a></p></main></body></html>'
    )


def _start_limit(rate, burst, retry_after, hsts, upstream):
    """The ``map``/``limit_req_zone`` lines and the start location (see the
    module docstring); empty strings when ``rate`` is 0."""
    if not rate:
        return "", ""
    per_minute = max(1, round(rate * 60))
    burst = max(0, int(burst if burst is not None else rate))
    head = f"""
# First clicks on 开始答题 passed to the application per minute (the start wave).
limit_req_zone $server_name zone=zhifa_exam_starts:1m rate={per_minute}r/m;"""
    page = start_busy_page(retry_after, "/exams/$zhifa_arrangement/notice")
    location = f"""
        # The start wave: first clicks beyond the rate get nginx's 排队中 page
        # (503 + Retry-After); the notice page retries by itself.
        location ~ {START_LOCATION} {{
            limit_req zone=zhifa_exam_starts{f" burst={burst}" if burst else ""} nodelay;
            limit_req_status 503;
            limit_req_log_level warn;
            error_page 503 = @zhifa_start_busy;
{_proxy_block(upstream, "60s")}
        }}

        location @zhifa_start_busy {{
            default_type "text/html; charset=utf-8";
            add_header Retry-After {retry_after} always;
            add_header Cache-Control "no-store" always;{hsts}
            return 503 '{page}';
        }}
"""
    return head, location


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
    start_click_rate=0,
    start_click_burst=None,
):
    """The ``upstream``, ``limit_conn_zone`` and ``server`` blocks (the contents of
    an ``http {}`` block, e.g. ``/etc/nginx/conf.d/zhifa.conf``).

    :param upstreams: ``host:port`` of every gunicorn node.
    :param busy_message: the text of the application's busy reply.
    :param save_concurrency: autosaves/heartbeats in flight before nginx answers
        503 itself (0: no limit in nginx).
    :param start_click_rate: first clicks on 开始答题 per second passed to the
        application, site-wide (0: no limit in nginx); ``start_click_burst``
        more may pass at once (default: one second of the rate).
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
    start_head, start_location = _start_limit(
        start_click_rate, start_click_burst, retry_after, hsts, upstream_name
    )
    return f"""# Zhifa Portal — written by `flask deploy nginx-conf` (portal/nginx.py).
upstream {upstream_name} {{
{servers}
    keepalive {keepalive};
}}
# One counter for the whole site: the exam day's autosaves in flight.
limit_conn_zone $server_name zone=zhifa_exam_saves:1m;{start_head}

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
{start_location}
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
    # When each request ended, how long nginx held it and how long the node took
    # (the benchmark's server-side latency), and which node answered (last field).
    log_format upstream '$msec $request_time $upstream_response_time '
                        '$request_method $uri $status $upstream_addr';
    access_log {prefix}/logs/access.log upstream;
{temp}
{site}
}}
"""


TEMP_DIRS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi", "logs")
