"""The files docs/deploy.md tells an operator to install are checked by their own tools: the
systemd unit by ``systemd-analyze verify``, the nginx site by ``nginx -t`` (with a throwaway
certificate), and every expression of the Grafana dashboard names metrics a live ``/metrics``
scrape serves."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from api_support import build_clinic, implant_pump_with_patient_bolus

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
TOKEN = "deploy-test-metrics-token-0123456789abcdef"  # noqa: S105 - a test's token


def _tool(name: str, *folders: str) -> str:
    found = shutil.which(name) or next(
        (str(Path(f) / name) for f in folders if (Path(f) / name).exists()), None
    )
    if found is None:
        pytest.skip(f"{name} is not installed (.ci/run installs it)")
    return found


def test_the_systemd_unit_verifies(tmp_path: Path) -> None:
    analyze = _tool("systemd-analyze")
    unit = (DEPLOY / "thecal.service").read_text()
    thecal = Path(sys.executable).with_name("thecal")  # the unit's ExecStart must exist to verify
    local = unit.replace("/opt/thecal/.venv/bin/thecal", str(thecal))
    assert local != unit
    env = tmp_path / "thecal.env"
    env.write_text("THECAL_DATABASE_URL=sqlite:////tmp/x.db\n")
    local = local.replace("/etc/thecal/thecal.env", str(env))
    path = tmp_path / "thecal.service"
    path.write_text(local)
    done = subprocess.run(
        [analyze, "verify", str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "thecal.service" not in done.stderr, done.stderr  # no warning about our unit
    assert "--workers 2 --proxy-headers --forwarded-allow-ips 127.0.0.1" in unit


def test_the_nginx_site_passes_nginx_t(tmp_path: Path) -> None:
    nginx = _tool("nginx", "/usr/sbin")
    openssl = _tool("openssl")
    key, cert = tmp_path / "privkey.pem", tmp_path / "fullchain.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
         "/CN=thecal.test", "-keyout", str(key), "-out", str(cert)],
        capture_output=True, check=True,
    )  # fmt: skip
    site = (DEPLOY / "nginx-thecal.conf").read_text()
    site = site.replace("/etc/ssl/thecal/fullchain.pem", str(cert))
    site = site.replace("/etc/ssl/thecal/privkey.pem", str(key))
    site = site.replace("/var/log/nginx/", f"{tmp_path}/")
    (tmp_path / "thecal.conf").write_text(site)
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  include {tmp_path}/thecal.conf;\n}}\n"
    )
    done = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(main)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr
    assert "Strict-Transport-Security" in site
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in site
    assert '$request_uri" $status' not in site  # the log keeps no query string


def test_every_dashboard_expression_names_served_metrics(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    clinic = build_clinic(
        f"sqlite:///{tmp_path_factory.mktemp('dash')}/thecal.db", metrics_token=TOKEN
    )
    try:
        implant_pump_with_patient_bolus(clinic)  # device commands, worklist rows
        client = clinic.client()
        assert client.get("/nope").status_code == 404  # an error, counted
        served = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).text
    finally:
        clinic.thecal.close()
    names = set(re.findall(r"^([a-z_:][a-z0-9_:]*)(?:\{| )", served, re.MULTILINE))
    dashboard = json.loads((ROOT / "docs" / "grafana-dashboard.json").read_text())
    used = set()
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            used |= set(re.findall(r"\b(thecal_[a-z0-9_]+)", target["expr"]))
    assert used, "the dashboard queries no thecal metric"
    assert used <= names, sorted(used - names)
    assert {"thecal_worklist_items", "thecal_device_commands_total"} <= used
