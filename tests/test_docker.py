"""The container recipe: Dockerfile, .dockerignore and compose.yaml read as text, the
Dockerfile's install steps run in virtual environments (no container engine needed), and
the health-check client against a stub server."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath

import pytest

from bot.config import DEFAULT_DATABASE
from bot.healthcheck import TIMEOUT_SECONDS, check, health_url, main

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text()
DOCKERIGNORE = (ROOT / ".dockerignore").read_text()
COMPOSE = (ROOT / "compose.yaml").read_text()
README = (ROOT / "README.md").read_text()
CONSTRAINTS = (ROOT / "constraints.txt").read_text()
# Names a secret would have; such a setting must come from the environment at run time.
SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|CREDENTIAL", re.IGNORECASE)
TOKEN = "123456789:" + "A" * 35
BOTFATHER_TOKEN = re.compile(r"[0-9]{5,20}:[A-Za-z0-9_-]{30,60}")


@dataclass(frozen=True)
class Instruction:
    """One Dockerfile instruction, its continuation lines joined."""

    keyword: str
    args: str
    stage: int


def parse_dockerfile(text: str) -> list[Instruction]:
    """The instructions in order; `stage` counts FROM lines from 0."""
    result: list[Instruction] = []
    pending = ""
    stage = -1
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, args = (pending + line).partition(" ")
        pending = ""
        keyword = keyword.upper()
        if keyword == "FROM":
            stage += 1
        result.append(Instruction(keyword, " ".join(args.split()), stage))
    return result


INSTRUCTIONS = parse_dockerfile(DOCKERFILE)
FINAL_STAGE = [i for i in INSTRUCTIONS if i.stage == INSTRUCTIONS[-1].stage]


def env_pairs(args: str) -> list[tuple[str, str]]:
    """The names and values an ENV or ARG sets, in both the `a=b c=d` and `a b` forms."""
    words = shlex.split(args)
    if words and "=" not in words[0]:
        return [(words[0], " ".join(words[1:]))]
    return [(name, value) for name, _, value in (word.partition("=") for word in words)]


def base_images() -> list[str]:
    """Each stage's base image, with the ARGs declared before the first FROM filled in."""
    args = dict(
        pair
        for i in INSTRUCTIONS
        if i.keyword == "ARG" and i.stage < 0
        for pair in env_pairs(i.args)
    )
    fill = re.compile(r"\$\{?(\w+)\}?")
    return [
        fill.sub(lambda m: args[m[1]], i.args.split()[0])
        for i in INSTRUCTIONS
        if i.keyword == "FROM"
    ]


def normalized(name: str) -> str:
    """A distribution's name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pins() -> dict[str, str]:
    """constraints.txt as name -> exact version; every line must be `name==version`."""
    pinned: dict[str, str] = {}
    for line in CONSTRAINTS.splitlines():
        if line.strip() and not line.startswith("#"):
            match = re.fullmatch(r"([A-Za-z0-9][\w.-]*)==([\w.!+-]+)", line.strip())
            assert match, f"constraints.txt: {line!r} is not an exact pin"
            assert normalized(match[1]) not in pinned, f"constraints.txt: {match[1]} twice"
            pinned[normalized(match[1])] = match[2]
    return pinned


def final(keyword: str) -> list[str]:
    """The arguments of every `keyword` instruction in the runtime stage."""
    return [i.args for i in FINAL_STAGE if i.keyword == keyword]


def final_env() -> dict[str, str]:
    """The runtime stage's ENV settings, values as written."""
    return dict(pair for args in final("ENV") for pair in env_pairs(args))


def exec_form(args: str) -> list[str]:
    """A JSON-array command such as ENTRYPOINT's or HEALTHCHECK's CMD."""
    command = json.loads(args)
    assert isinstance(command, list), f"use the exec form, not a shell string: {args}"
    return [str(word) for word in command]


def healthcheck_parts() -> tuple[dict[str, str], list[str]]:
    """The runtime HEALTHCHECK's --options and its command."""
    (args,) = final("HEALTHCHECK")
    options, _, command = args.partition(" CMD ")
    flags = dict(word.removeprefix("--").partition("=")[::2] for word in options.split())
    return flags, exec_form(command)


# Static checks


def test_build_and_runtime_are_separate_stages_on_a_slim_base() -> None:
    bases = base_images()
    assert len(bases) >= 2, "a build stage and a runtime stage"
    assert re.search(r":[\w.]*-slim\b", bases[-1]), f"runtime base {bases[-1]} is not slim"
    runtime_runs = " ".join(final("RUN"))
    assert not re.search(r"\b(gcc|g\+\+|build-essential)\b", runtime_runs), "no compilers"
    assert any(i.keyword == "COPY" and "--from=" in i.args for i in FINAL_STAGE)


def test_runs_as_an_unprivileged_user_with_data_on_a_volume() -> None:
    users = final("USER")
    assert users, "the runtime stage must set USER"
    assert users[-1].partition(":")[0] not in ("root", "0")
    (volume,) = final("VOLUME")
    assert "/data" in (json.loads(volume) if volume.startswith("[") else volume.split())
    # Docker drops whatever a step after VOLUME writes under it, ownership included.
    volume_at = next(n for n, i in enumerate(FINAL_STAGE) if i.keyword == "VOLUME")
    prepared_at = max(
        n for n, i in enumerate(FINAL_STAGE) if i.keyword == "RUN" and "/data" in i.args
    )
    assert prepared_at < volume_at
    env = final_env()
    assert PurePosixPath(env["DATABASE_PATH"]).parent == PurePosixPath("/data")
    assert env["PYTHONUNBUFFERED"] == "1"


def test_serves_and_checks_health_on_the_exposed_port() -> None:
    port = final_env()["PORT"]
    assert port in " ".join(final("EXPOSE")).replace("/tcp", "").split()
    options, command = healthcheck_parts()
    assert command[-2:] == ["-m", "bot.healthcheck"]
    # The client must give up before Docker kills it, so it can say why.
    assert float(options["timeout"].removesuffix("s")) > TIMEOUT_SECONDS
    assert {"interval", "start-period", "retries"} <= options.keys()


def test_entrypoint_is_the_projects_console_script() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    (entrypoint,) = final("ENTRYPOINT")
    assert exec_form(entrypoint)[0] in scripts
    assert final("STOPSIGNAL") == ["SIGTERM"]


def test_base_image_is_one_precise_tag_for_both_stages() -> None:
    bases = set(base_images())
    # The virtual environment built in the first stage runs on the second one's Python.
    assert len(bases) == 1, f"stages on different bases: {bases}"
    (base,) = bases
    # python:3.11.14-slim-bookworm: the patch release and the Debian release both fixed.
    assert re.fullmatch(r"python:3\.11\.[0-9]+-slim-[a-z]+", base), base


def test_constraints_pin_every_direct_dependency_exactly() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    direct = {
        normalized(re.split(r"[\[<>=!~;\s]", d, maxsplit=1)[0]) for d in project["dependencies"]
    }
    assert direct <= pins().keys(), f"not pinned: {sorted(direct - pins().keys())}"
    pip_runs = [i.args for i in INSTRUCTIONS if i.keyword == "RUN" and "pip " in i.args]
    for args in pip_runs:
        for command in shell_commands(args):
            if command[0] == "pip":
                assert "-c" in command, f"resolve through constraints.txt: {shlex.join(command)}"
                assert command[command.index("-c") + 1] == "constraints.txt"


def test_one_volume_and_database_path_across_dockerfile_compose_and_readme() -> None:
    (volume,) = json.loads(final("VOLUME")[0])
    run_examples = re.findall(rf"-v ([\w.-]+):{volume}\b", DOCKERFILE + README)
    mounted = re.findall(rf"^\s+- ([\w.-]+):{volume}$", COMPOSE, re.M)
    declared = re.search(
        r"^volumes:\n(?:\s+#.*\n)*\s+([\w.-]+):\n\s+name: ([\w.-]+)$", COMPOSE, re.M
    )
    assert declared, "compose.yaml: declare the volume with a fixed `name`, unprefixed"
    names = {*run_examples, *mounted, *declared.groups()}
    # Docker and Compose would each make a new, empty volume under another name.
    assert len(names) == 1, f"volume names differ: {sorted(names)}"
    assert len(run_examples) >= 3, "the Dockerfile's and the README's `docker run` examples"
    image_database = final_env()["DATABASE_PATH"]
    assert PurePosixPath(image_database).parent == PurePosixPath(volume)
    row = re.search(r"^\| `DATABASE_PATH` \| `([^`]+)` \(image: `([^`]+)`\)", README, re.M)
    assert row, "README's settings table: DATABASE_PATH with its default in the image"
    assert row.groups() == (DEFAULT_DATABASE, image_database)


def test_no_secret_is_baked_into_the_image() -> None:
    for instruction in INSTRUCTIONS:
        if instruction.keyword in ("ENV", "ARG"):
            for name, _ in env_pairs(instruction.args):
                assert not SECRET_NAME.search(name), f"{instruction.keyword} {name} in image"
    assert not BOTFATHER_TOKEN.search(DOCKERFILE)


def test_build_context_leaves_out_secrets_state_and_tooling() -> None:
    ignored = {line.strip() for line in DOCKERIGNORE.splitlines()} - {""}
    expected = {".git", ".env", ".venv", "data", "tests", "bench", "**/__pycache__"}
    assert expected <= ignored
    assert {".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis"} <= ignored
    # What the build stage copies must exist and must not be ignored.
    for instruction in INSTRUCTIONS:
        if instruction.keyword == "COPY" and "--from=" not in instruction.args:
            *sources, _ = shlex.split(instruction.args)
            for source in sources:
                assert (ROOT / source).exists(), source
                assert PurePosixPath(source).parts[0] not in ignored, source


def test_compose_example_takes_the_token_from_the_environment() -> None:
    settings = {
        match["key"]: match["value"].strip()
        for match in re.finditer(r"^\s*#?\s*(?P<key>[\w-]+):(?P<value>.*)$", COMPOSE, re.M)
    }
    assert settings["build"] == "."
    assert settings["BOT_TOKEN"].startswith("${BOT_TOKEN:?")
    for key, value in settings.items():
        if SECRET_NAME.search(key):
            assert value.startswith("${"), f"{key} must come from the environment"
    assert not BOTFATHER_TOKEN.search(COMPOSE)
    assert settings["restart"] == "unless-stopped"
    assert settings["stop_grace_period"] == "30s"
    assert "\t" not in COMPOSE


# The Dockerfile's steps, replayed: `root` stands for the image's file system and a fresh
# virtual environment for the base image's Python.

Completed = subprocess.CompletedProcess[str]


@dataclass(frozen=True)
class Image:
    """The replayed image: where its file system lives and how to run a command in it."""

    root: Path

    def path(self, image_path: str | PurePosixPath) -> Path:
        """Where an absolute path inside the image lives here."""
        return self.root / str(image_path).lstrip("/")

    def env(self, **extra: str) -> dict[str, str]:
        """The container's environment: the runtime stage's ENV, paths mapped, plus `extra`."""
        env = {"PATH": os.environ["PATH"]}
        for name, value in final_env().items():
            parts = [str(self.path(p)) if re.match(r"/[^/]", p) else p for p in value.split(":")]
            env[name] = ":".join(parts).replace("${PATH}", "$PATH").replace("$PATH", env["PATH"])
        return env | extra

    def start(self, command: list[str], **extra: str) -> subprocess.Popen[str]:
        """Start an exec-form command as the container would: its ENV, in its WORKDIR."""
        env = self.env(**extra)
        program = command[0]
        found = str(self.path(program)) if program.startswith("/") else None
        found = found or shutil.which(program, path=env["PATH"])
        assert found is not None, f"{program} is not in the image"
        assert Path(found).is_relative_to(self.root), f"{program} is not the image's"
        return subprocess.Popen(
            [found, *command[1:]],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=self.path((final("WORKDIR") or ["/"])[-1]),
            text=True,
        )

    def run(self, command: list[str], stdin: str = "", **extra: str) -> Completed:
        """Run an exec-form command to its end, `stdin` as its input."""
        with self.start(command, **extra) as process:
            try:
                out, err = process.communicate(stdin, timeout=120)
            except subprocess.TimeoutExpired:
                process.kill()
                raise
        return Completed(process.args, process.returncode, out, err)


def shell_commands(args: str) -> list[list[str]]:
    """A RUN line's commands, split at `&&`."""
    commands: list[list[str]] = [[]]
    for word in shlex.split(args):
        if word == "&&":
            commands.append([])
        else:
            commands[-1].append(word)
    return commands


def map_word(word: str, image: Image) -> list[str]:
    """A command's word with image paths put under the image's root and globs expanded."""
    option, equals, value = word.partition("=") if word.startswith("--") else ("", "", word)
    if not value.startswith("/"):
        return [word]
    mapped = image.path(value)
    if "*" in value:
        return sorted(str(match) for match in mapped.parent.glob(mapped.name))
    return [f"{option}{equals}{mapped}"]


def copy_from_context(args: str, workdir: PurePosixPath, image: Image) -> None:
    """COPY from the build context, the repository, as the build stage does."""
    *sources, target = shlex.split(args)
    destination = image.path(workdir / target)
    for source in sources:
        origin = ROOT / source
        if origin.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
            shutil.copytree(origin, destination, ignore=ignore, dirs_exist_ok=True)
        else:
            destination.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, destination / origin.name)


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Image:
    """The Dockerfile's WORKDIR, COPY and pip, python and mkdir steps, run in order."""
    image = Image(tmp_path_factory.mktemp("image"))
    base = tmp_path_factory.mktemp("base-python")
    subprocess.run([sys.executable, "-m", "venv", str(base)], check=True)
    # What can run without root; useradd and chown only shape the image's users.
    programs = {name: str(base / "bin" / name) for name in ("pip", "python")} | {"mkdir": "mkdir"}
    # The developer's own settings would let the replay import the repository instead.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    workdir = PurePosixPath("/")
    for instruction in INSTRUCTIONS:
        if instruction.keyword == "FROM":
            workdir = PurePosixPath("/")
        elif instruction.keyword == "WORKDIR":
            workdir = workdir / instruction.args
            image.path(workdir).mkdir(parents=True, exist_ok=True)
        elif instruction.keyword == "COPY" and "--from=" not in instruction.args:
            copy_from_context(instruction.args, workdir, image)
        elif instruction.keyword == "RUN":
            for program, *words in shell_commands(instruction.args):
                if program not in programs:
                    continue
                # Leaving pip its cache only saves downloads on the next run.
                args = [m for w in words if w != "--no-cache-dir" for m in map_word(w, image)]
                done = subprocess.run(
                    [programs[program], *args],
                    cwd=image.path(workdir),
                    env=env,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                assert done.returncode == 0, f"RUN {program} {shlex.join(words)}: {done.stderr}"
    return image


class StubHealth(BaseHTTPRequestHandler):
    """Answers GET /healthz with the server's `status`, anything else with 404."""

    server: StubServer

    def do_GET(self) -> None:
        """Answer like the bot's server: a status and a little JSON."""
        status = self.server.status if self.path == "/healthz" else 404
        ready = status == 200
        body = json.dumps({"status": "ok" if ready else "unavailable", "dispatcher": ready})
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


class StubServer(ThreadingHTTPServer):
    """A loopback server standing in for the bot's /healthz."""

    status = 200

    @property
    def port(self) -> int:
        """The port the OS gave it."""
        return int(self.server_address[1])


@pytest.fixture
def stub() -> Iterator[StubServer]:
    """A stub /healthz answering 200 until told otherwise, served from a thread."""
    server = StubServer(("127.0.0.1", 0), StubHealth)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def free_port() -> int:
    """A loopback port nothing listens on (just released by the OS)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_image_holds_exactly_the_pinned_dependencies(image: Image) -> None:
    listing = (
        "import importlib.metadata as m, json; "
        "print(json.dumps([(d.name, d.version) for d in m.distributions()]))"
    )
    done = image.run(["/opt/venv/bin/python", "-c", listing])
    assert done.returncode == 0, done.stderr
    installed = {normalized(name): version for name, version in json.loads(done.stdout)}
    assert installed.pop("cramp-coach")
    # An unpinned dependency (one added to pyproject.toml, or a new one of a dependency's)
    # would show here as installed but missing from constraints.txt.
    assert installed == pins()


def test_installed_console_script_runs_the_offline_console(image: Image) -> None:
    (entrypoint,) = final("ENTRYPOINT")
    done = image.run([*exec_form(entrypoint), "--console"], stdin="/foods magnesium\n")
    assert done.returncode == 0, done.stderr
    assert "Magnesium" in done.stdout
    assert "Pumpkin seeds" in done.stdout
    # A console in the container must not add its made-up chats to the volume's database.
    assert not image.path(final_env()["DATABASE_PATH"]).exists()


def test_image_without_a_token_or_a_terminal_stops_with_one_line(image: Image) -> None:
    # `docker run -d` without -e BOT_TOKEN: no terminal, so no console either.
    (entrypoint,) = final("ENTRYPOINT")
    done = image.run(exec_form(entrypoint))
    assert (done.returncode, done.stdout) == (2, "")
    (line,) = done.stderr.splitlines()
    assert line.startswith("cramp-coach: neither BOT_TOKEN nor DISCORD_TOKEN is set")


def test_image_health_check_fails_in_one_line_when_nothing_listens(image: Image) -> None:
    port = free_port()
    done = image.run(healthcheck_parts()[1], PORT=str(port))
    assert done.returncode == 1
    assert done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert f"127.0.0.1:{port}/healthz" in line


def test_image_health_check_passes_when_healthz_answers_200(
    image: Image, stub: StubServer
) -> None:
    done = image.run(healthcheck_parts()[1], PORT=str(stub.port))
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


@pytest.fixture
def bot_api() -> Iterator[str]:
    """The stand-in Bot API in a process of its own; yields its base URL."""
    command = [sys.executable, "-m", "tests.bot_api_server", "--token", TOKEN]
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True) as server:
        assert server.stdout is not None
        try:
            yield f"http://127.0.0.1:{int(server.stdout.readline())}"
        finally:
            server.terminate()


def test_image_health_check_passes_on_the_running_bot_which_stops_on_its_stopsignal(
    image: Image, bot_api: str
) -> None:
    (entrypoint,) = final("ENTRYPOINT")
    options, health = healthcheck_parts()
    port = str(free_port())
    with image.start(
        exec_form(entrypoint), BOT_TOKEN=TOKEN, BOT_API_URL=bot_api, PORT=port
    ) as bot:
        try:
            deadline = time.monotonic() + float(options["start-period"].removesuffix("s"))
            while (checked := image.run(health, PORT=port)).returncode != 0:
                assert bot.poll() is None, bot.communicate()
                assert time.monotonic() < deadline, checked.stderr
                time.sleep(0.2)
            bot.send_signal(signal.Signals[final("STOPSIGNAL")[0]])
            _, err = bot.communicate(timeout=30)
            assert bot.returncode == 0, err
            assert TOKEN not in err
        finally:
            if bot.poll() is None:
                bot.kill()


# The health-check client itself


def test_health_url_asks_loopback_unless_the_bot_listens_on_one_address() -> None:
    assert health_url(8080) == "http://127.0.0.1:8080/healthz"
    assert health_url(8080, "0.0.0.0") == "http://127.0.0.1:8080/healthz"
    assert health_url(8080, "::") == "http://127.0.0.1:8080/healthz"
    assert health_url(9000, "10.1.2.3") == "http://10.1.2.3:9000/healthz"
    assert health_url(9000, "::1") == "http://[::1]:9000/healthz"


def test_check_is_ok_on_200(stub: StubServer) -> None:
    assert check(health_url(stub.port)) == (True, "")


def test_check_reports_the_status_and_body_when_not_ready(stub: StubServer) -> None:
    stub.status = 503
    healthy, problem = check(health_url(stub.port))
    assert not healthy
    assert "HTTP 503" in problem
    assert '"dispatcher": false' in problem
    assert "\n" not in problem


def test_check_reports_a_wrong_path(stub: StubServer) -> None:
    healthy, problem = check(f"http://127.0.0.1:{stub.port}/other")
    assert not healthy
    assert "HTTP 404" in problem


def test_check_reports_nothing_listening() -> None:
    url = health_url(free_port())
    healthy, problem = check(url)
    assert not healthy
    assert problem.startswith(url)
    assert "refused" in problem.lower()


def test_check_gives_up_on_a_server_that_never_answers() -> None:
    with socket.socket() as silent:
        # Listening without accepting: the connection opens, no answer ever comes.
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        healthy, problem = check(health_url(silent.getsockname()[1]), timeout=0.2)
    assert not healthy
    assert "timed out" in problem


def test_check_ignores_proxy_settings(stub: StubServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("no_proxy", "")
    assert check(health_url(stub.port)) == (True, "")


def test_main_reads_port_and_says_nothing_when_healthy(
    stub: StubServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PORT", str(stub.port))
    monkeypatch.delenv("LISTEN_ADDRESS", raising=False)
    main()
    assert capsys.readouterr() == ("", "")


def test_main_exits_1_with_one_line_and_no_secret_when_not_ready(
    stub: StubServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stub.status = 503
    monkeypatch.setenv("PORT", str(stub.port))
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.delenv("LISTEN_ADDRESS", raising=False)
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("healthcheck: unhealthy:")
    assert err.count("\n") == 1
    assert TOKEN not in err


@pytest.mark.parametrize("port", ["http", "0", "70000"])
def test_main_rejects_a_bad_port(
    port: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PORT", port)
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 1
    assert "PORT" in capsys.readouterr().err
