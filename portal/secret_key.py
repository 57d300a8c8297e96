"""The session-signing key: configured, or generated once into the instance folder.

There is no built-in key. When neither the environment nor ``instance/config.py``
sets ``SECRET_KEY``, a random key is written once to ``instance/secret_key`` (mode
0600) and read from there on every start, so ``make run`` needs no configuration,
sessions survive restarts, and all gunicorn workers share one key: the file is
created atomically (temporary file + ``os.link``) and a worker that loses the race
reads the winner's key. A configured key that is short or a known placeholder stops
the start-up with a clear error.
"""

import os
import secrets
import tempfile

MIN_LENGTH = 32
FILE_NAME = "secret_key"

# Keys published in this repository or commonly copied from examples.
KNOWN_WEAK_KEYS = frozenset(
    {
        "dev-only-change-me",
        "change-me-to-a-long-random-string",
        "change-me",
        "changeme",
        "secret",
        "secret-key",
        "your-secret-key",
        "your-secret-key-here",
        "dev",
        "development",
        "test-secret",
        "please-change-me",
        "replace-me",
        "supersecretkey",
    }
)


class SecretKeyError(RuntimeError):
    """The configured SECRET_KEY must not be used."""


def check_configured_key(key):
    """Raise :class:`SecretKeyError` when ``key`` is a placeholder or too short."""
    text = key.decode("utf-8", "replace") if isinstance(key, bytes) else str(key)
    if text.strip().lower() in KNOWN_WEAK_KEYS:
        raise SecretKeyError(
            "SECRET_KEY 是公开的示例/默认值，不能使用。请设置至少 "
            f'{MIN_LENGTH} 位的随机字符串（例如 python -c "import secrets; '
            'print(secrets.token_urlsafe(48))"），或不设置以自动生成。'
        )
    if len(text) < MIN_LENGTH:
        raise SecretKeyError(
            f"SECRET_KEY 过短（{len(text)} 位），至少需要 {MIN_LENGTH} 位随机字符；"
            "或不设置，由系统在实例目录自动生成。"
        )


def _read(path):
    with open(path, encoding="ascii") as handle:
        return handle.read().strip()


def instance_key(instance_path):
    """Return the key stored in the instance folder, creating it once if missing."""
    path = os.path.join(instance_path, FILE_NAME)
    if os.path.exists(path):
        key = _read(path)
        if len(key) >= MIN_LENGTH:
            return key
        raise SecretKeyError(f"{path} 中的密钥无效（过短），请删除该文件后重启。")
    os.makedirs(instance_path, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".secret_key.", dir=instance_path)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, path)  # atomic; fails if another process won the race
        except FileExistsError:
            pass
    finally:
        os.unlink(tmp)
    return _read(path)


def resolve(app):
    """The key to sign sessions with for ``app`` (see the module docstring)."""
    key = app.config.get("SECRET_KEY")
    if key:
        check_configured_key(key)
        return key
    return instance_key(app.instance_path)
