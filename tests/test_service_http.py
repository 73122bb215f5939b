"""The service over real HTTP on 127.0.0.1: uvicorn in a thread, and `translate serve` as a process."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from service_support import docx_article, free_port, live_server, make_service

from translate.cli import main


def test_a_docx_job_over_http(tmp_path):
    import docx

    service = make_service(tmp_path)
    headers = {"Authorization": f"Bearer {service.store.create_token('cms')}"}
    with live_server(service) as base, httpx.Client(base_url=base, timeout=30) as client:
        assert client.get("/health").json()["status"] == "ok"
        assert client.get("/api/jobs").status_code == 401
        files = {"file": ("berita.id.docx", docx_article(), "application/octet-stream")}
        job = client.post("/api/jobs", files=files, headers=headers).json()
        with client.stream("GET", f"/api/jobs/{job['id']}/events", headers=headers) as events:
            last = [json.loads(line[6:]) for line in events.iter_lines() if line.startswith("data: ")][-1]
        assert last["state"] == "translated" and last["done"] == last["total"] == 2
        response = client.get(f"/api/jobs/{job['id']}/document", headers=headers)
    assert "berita.en.docx" in response.headers["content-disposition"]
    paragraphs = docx.Document(io.BytesIO(response.content)).paragraphs
    assert paragraphs[0].text.startswith("[Pŕéšîðéñ Ĵöķö Ŵîðöðö")
    assert [run.text for run in paragraphs[0].runs if run.bold] == ["Ĵöķö Ŵîðöðö"]


def test_token_commands(tmp_path, capsys):
    data = str(tmp_path / "data")
    assert main(["serve", "token", "create", "desk", "--data", data]) == 0
    secret = capsys.readouterr().out.strip()
    assert secret.startswith("tt_") and len(secret) > 40
    assert main(["serve", "--data", data, "token", "create", "desk"]) == 2  # the same folder: name taken
    assert "exists" in capsys.readouterr().err
    assert main(["serve", "token", "list", "--data", data]) == 0
    assert capsys.readouterr().out.startswith("desk\tcreated ")
    assert main(["serve", "token", "revoke", "desk", "--data", data]) == 0
    assert main(["serve", "token", "revoke", "desk", "--data", data]) == 2
    from translate.service.store import Store

    assert Store.in_folder(data).token_for(secret) is None


def test_translate_serve_runs_as_a_process(tmp_path):
    data = str(tmp_path / "data")
    port = free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    command = [sys.executable, "-m", "translate", "serve"]
    create = subprocess.run([*command, "token", "create", "cms", "--data", data],
                            capture_output=True, text=True, env=env, check=True)
    secret = create.stdout.strip()
    server = subprocess.Popen([*command, "--engine", "pseudo", "--no-glossary",
                               "--port", str(port), "--data", data, "-q"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, server.communicate(timeout=5)
            time.sleep(0.1)
        headers = {"Authorization": f"Bearer {secret}"}
        assert httpx.get(f"{base}/api/jobs", timeout=5).status_code == 401
        result = httpx.post(f"{base}/api/translate", json={"text": "Harga naik."}, headers=headers,
                            timeout=30)
        assert result.json()["translation"] == "[Ĥåŕĝå ñåîķ. ~]"
    finally:
        server.send_signal(signal.SIGTERM)
        _out, err = server.communicate(timeout=30)
    # uvicorn shuts down gracefully, then re-raises the signal it caught
    assert server.returncode in (0, -signal.SIGTERM) and "Traceback" not in err


def _subcommand(name: str):
    from translate.cli import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command")
    return parser, commands.choices[name]


def test_serve_takes_every_translation_option_of_run():
    _parser, run = _subcommand("run")
    _parser, serve = _subcommand("serve")
    about_files = {"-o", "--output", "--overwrite", "--skip-existing", "--terms-report", "--qa-report",
                   "--log", "--format", "--ray", "--ray-actors"}  # files, and where a folder run runs
    options = {option for action in run._actions for option in action.option_strings} - about_files
    assert options <= {option for action in serve._actions for option in action.option_strings}


def test_serve_options_reach_the_services_translator(tmp_path, monkeypatch, tiny_model_dir):
    from translate import cli
    from translate.service.command import build_service

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRANSLATE_TM", raising=False)
    parser, _serve = _subcommand("serve")
    args = parser.parse_args(["serve", "--engine", "pseudo", "--no-glossary", "--style", "ap", "--data", "d",
                              "--qa-skip", "untranslated"])
    service = build_service(args, cli._settings, cli._run_glossary)
    answer = service.workbench.translate_text("Harga beras naik 2,5 persen.", "text")
    assert "2.5 percent" in answer["translation"] and "style=ap" in answer["signature"]
    assert service.workbench.glossary is None and service.workbench.memory is None
    assert "untranslated" not in {check.name for check in service.workbench.checks}
    model = ["serve", "--engine", "marian", "--model", str(tiny_model_dir), "--beam", "1", "--data", "d"]

    def memory_of(*options: str):
        args = parser.parse_args([*model, *options])
        return build_service(args, cli._settings, cli._run_glossary).workbench.memory

    assert memory_of().path == Path("d") / "memory.sqlite"
    assert memory_of("--tm", "shared.sqlite").path == Path("shared.sqlite")
    assert memory_of("--no-tm") is None
    monkeypatch.setenv("TRANSLATE_TM", str(tmp_path / "env.sqlite"))
    assert memory_of().path == tmp_path / "env.sqlite"
