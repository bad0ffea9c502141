"""`python -m bot.healthcheck`: exit 0 when the bot's GET /healthz answers 200, else 1."""

from __future__ import annotations

import http.client
import os
import sys
import urllib.error
import urllib.request

from bot.config import DEFAULT_WEBHOOK_PORT, ConfigError, parse_port

TIMEOUT_SECONDS = 3.0
# Addresses that mean "every interface": the bot is then reachable on loopback.
_WILDCARDS = frozenset({"", "0.0.0.0", "::"})
# Enough of a 503's body to name the part that is down, and still one short line.
_MAX_DETAIL = 200
# No proxy: an HTTP(S)_PROXY set for the bot's outbound traffic must not carry this request.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def health_url(port: int, listen_address: str = "") -> str:
    """The /healthz address of a bot listening on `listen_address` and `port`."""
    host = "127.0.0.1" if listen_address in _WILDCARDS else listen_address
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/healthz"


def check(url: str, timeout: float = TIMEOUT_SECONDS) -> tuple[bool, str]:
    """GET `url`: (True, "") on 200, else (False, one line saying what went wrong)."""
    try:
        with _OPENER.open(url, timeout=timeout) as response:
            status = response.status
            body = response.read(_MAX_DETAIL)
    except urllib.error.HTTPError as error:
        with error:
            status, body = error.code, error.read(_MAX_DETAIL)
    except urllib.error.URLError as error:
        return False, f"{url}: {error.reason}"
    except (OSError, http.client.HTTPException) as error:
        return False, f"{url}: {type(error).__name__} {error}".rstrip()
    if status == 200:
        return True, ""
    detail = " ".join(body.decode("utf-8", "replace").split())
    return False, f"{url}: HTTP {status} {detail}".rstrip()


def main() -> None:
    """Check the bot on PORT and LISTEN_ADDRESS from the environment; exit 0 or 1."""
    try:
        port = parse_port(os.environ.get("PORT", "")) or DEFAULT_WEBHOOK_PORT
    except ConfigError as error:
        print(f"healthcheck: {error}", file=sys.stderr)
        raise SystemExit(1) from None
    url = health_url(port, os.environ.get("LISTEN_ADDRESS", "").strip())
    healthy, problem = check(url)
    if not healthy:
        print(f"healthcheck: unhealthy: {problem}", file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
