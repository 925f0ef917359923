"""Runtime settings, read from SAFEGUARD_* environment variables (or the project's .env file).

Nothing here depends on the directory a command is run from: the data directory defaults to
`.safeguard` in the project directory (the checkout holding pyproject.toml, found from where this
package is installed), a relative path is taken relative to that directory, and the `.env` file
read is the one there. Installed from a wheel (no checkout), the default is `~/.safeguard` and
only the environment is read.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.deadlines import DeadlineRule, WorkingCalendar
from domain.pathway import current_pathway
from domain.policy import Pathway
from domain.inputs import DEFAULT_ID_PATTERN, InputRules, a_pattern


def _project_dir() -> Path | None:
    root = Path(__file__).resolve().parent.parent
    return root if (root / "pyproject.toml").is_file() else None


PROJECT_DIR = _project_dir()
BASE_DIR = PROJECT_DIR or Path.home()  # what a relative data directory is relative to


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAFEGUARD_", env_nested_delimiter="__",
                                      env_file=PROJECT_DIR / ".env" if PROJECT_DIR else None, extra="ignore")

    data_dir: Path = BASE_DIR / ".safeguard"
    temporal_address: str = "localhost:7233"
    temporal_namespace: str = "default"
    temporal_ui_port: int = 8233
    # origins of the Temporal UI allowed to call the codec endpoint with the user's cookie
    # (default: http://127.0.0.1 and http://localhost at temporal_ui_port)
    temporal_ui_origin: list[str] = []
    task_queue: str = "safeguard-cases"
    # mutual TLS to Temporal's frontend (production: docker-compose.yml): the CA that signed the
    # server's certificate, this process's client certificate and key (PEM files), the server's name
    temporal_tls_ca: Path | None = None
    temporal_tls_cert: Path | None = None
    temporal_tls_key: Path | None = None
    temporal_tls_server_name: str | None = None
    # how often the worker looks for cases whose workflow stopped without closing (terminated from outside)
    stopped_case_check_seconds: float = Field(default=60, gt=0)

    event_store: Literal["sqlite", "postgres"] = "sqlite"
    sqlite_path: Path | None = None  # default: <data_dir>/events.sqlite
    sqlite_lock_timeout: int = Field(default=10, gt=0)  # seconds a write waits for SQLite's one writer
    postgres_dbname: str = "safeguard"
    postgres_host: str = "127.0.0.1"
    postgres_port: int = 5432
    postgres_user: str = "safeguard"
    postgres_password: str = Field(default="", repr=False)

    calendar: WorkingCalendar = WorkingCalendar()
    threshold_profile: str = "sussex"  # the threshold tool a service uses unless named below
    service_threshold_profiles: dict[str, str] = {}  # service id -> profile, e.g. {"SVC-GSY": "guernsey"}
    # service id -> {"name", "provider", "client_group"}: the raise-a-concern page fills these in
    services: dict[str, dict[str, str]] = {}
    log_format: Literal["console", "json"] = "console"
    # what input must be (domain/inputs.py): person and staff ids must match id_pattern (whole);
    # with nhs_number_ids, a 10-digit person id must pass the NHS number check digit; a concern
    # identified more than late_report_days ago needs a late_report_reason
    id_pattern: str = DEFAULT_ID_PATTERN
    nhs_number_ids: bool = False
    late_report_days: int = 30
    # 004's provider-concern process: the written notice is due this many working days after the verbal one
    provider_written_notice_working_days: int = Field(default=2, ge=1, le=30)
    # Temporal's workflow sandbox re-checks every workflow call for non-determinism at run time,
    # at about a third of the worker's CPU on a case's live path. The tests and the replay
    # test always run workflows in it; the worker does when this is true.
    workflow_sandbox: bool = False
    # how long a person waits for a case to answer before being told no worker answered
    # (casework/temporal/availability.py); the tests shorten it, so no test waits on a busy machine's clock
    answer_within_seconds: float = Field(default=8, ge=1, le=120)
    # the worker records a checkpoint of every stream's chain head at least this often while anything
    # changed, and when a case concludes or closes, looking every poll seconds (evidence/checkpointing.py);
    # 0: only `safeguard evidence checkpoint` does
    evidence_checkpoint_minutes: float = Field(default=5, ge=0)
    evidence_checkpoint_poll_seconds: float = Field(default=10, gt=0, le=300)
    # encryption at rest (eventstore/keys.py): each case's events under a key of its own, wrapped under
    # a versioned master key (eventstore/master_keys.py): master_keys "3:BASE64,2:BASE64" and/or a file
    # of such lines, the first listed the current; master_key (base64 of 32 bytes) is version 1 (default:
    # one generated into <data_dir>/master-key). The keys live in key_store_path (default
    # <data_dir>/keys.sqlite), or with the PostgreSQL event store in its database, schema key_store_schema,
    # as postgres_keys_user (default: postgres_user). False: new events stored as JSON.
    encrypt_at_rest: bool = True
    master_key: str = Field(default="", repr=False)
    master_keys: str = Field(default="", repr=False)
    master_keys_file: Path | None = None
    key_store_path: Path | None = None
    key_store_schema: str = Field(default="safeguard_keys", pattern=r"^[a-z_][a-z0-9_]{0,62}$")
    postgres_keys_user: str = ""
    postgres_keys_password: str = Field(default="", repr=False)
    # a closed case's personal data is erased (its key shredded) this many years after closure
    retention_years: int = Field(default=8, ge=1)
    # a step's deadline set here in place of the pathway's, by step id (recorded with each case raised
    # under it), e.g. SAFEGUARD_STEP_DEADLINES='{"notify_regulator": {"kind": "working_hours", "hours": 2}}'
    # (CQC Regulation 18 "without delay": by default the same working day)
    step_deadlines: dict[str, DeadlineRule] = {}

    @field_validator("step_deadlines")
    @classmethod
    def _known_steps(cls, deadlines: dict[str, DeadlineRule]) -> dict[str, DeadlineRule]:
        unknown = sorted(set(deadlines) - {s.id for s in current_pathway().steps})
        if unknown:
            raise ValueError(f"step_deadlines names steps the pathway does not have: {', '.join(unknown)}")
        return deadlines

    def pathway(self) -> Pathway:
        """The pathway new cases are raised under: today's, with any configured deadlines."""
        pathway = current_pathway()
        for step_id, rule in self.step_deadlines.items():
            pathway = pathway.with_deadline(step_id, rule)
        return pathway

    # --- who is acting (issue 9): the HTTP API, sessions, tokens, OIDC ---------------------
    # embedded: the CLI acts as the local operator (the OS user); production: staff actions from
    # the CLI need a personal token (SAFEGUARD_TOKEN) and pass the same authorisation as the API
    mode: Literal["embedded", "production"] = "embedded"
    token: str = Field(default="", repr=False)  # the CLI's personal API token, in production mode
    web_host: str = "127.0.0.1"
    # the TLS proxy in front of `safeguard serve`, whose X-Forwarded-For is believed (comma-separated
    # addresses); none: the header is ignored, and the address audited is the connection's own
    trusted_proxies: str = ""
    web_port: int = 8000
    # the internal port (issue 23): /metrics, /healthz and /readyz, never on the public port. The worker's
    # (and the embedded stack's) at metrics_port, `safeguard serve`'s at web_metrics_port; 0: none
    metrics_host: str = "127.0.0.1"
    metrics_port: int = Field(default=9464, ge=0, le=65535)
    web_metrics_port: int = Field(default=9465, ge=0, le=65535)
    # alerts (issue 20; alerts/): email by SMTP when smtp_host is set, text messages (and email,
    # without SMTP) by GOV.UK Notify when notify_api_key is set; links point at public_url
    smtp_host: str = ""
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_username: str = ""
    smtp_password: str = Field(default="", repr=False)
    smtp_starttls: bool = False
    smtp_from: str = "safeguard@localhost"
    notify_api_key: str = Field(default="", repr=False)
    notify_base_url: str = "https://api.notifications.service.gov.uk"
    notify_email_template: str = ""  # a template whose subject is ((subject)) and body ((body))
    notify_text_template: str = ""  # a template whose body is ((body))
    public_url: str = "http://127.0.0.1:8000"
    session_secret: str = Field(default="", repr=False)  # default: a random one kept in <data_dir>/session-secret
    session_idle_minutes: int = Field(default=30, ge=1)  # shared care-home PCs: a session left idle ends
    session_max_hours: int = Field(default=12, ge=1)
    cookie_secure: bool = True  # Secure cookies (browsers treat http://127.0.0.1 as secure)
    login_attempts: int = Field(default=5, ge=1)  # failed sign-ins per user (or address) within login_window_minutes
    login_window_minutes: int = Field(default=15, ge=1)
    token_days: int = Field(default=90, ge=1)  # a new API token's life unless given
    max_request_bytes: int = 1024 * 1024
    # OIDC (an organisation's identity provider); roles come from a claim through role_map
    oidc_issuer: str = ""  # e.g. https://login.microsoftonline.com/<tenant>/v2.0 (its discovery document is read)
    oidc_client_id: str = ""
    oidc_client_secret: str = Field(default="", repr=False)
    oidc_scope: str = "openid profile email"
    oidc_user_claim: str = "sub"  # whose value is the user id (a staff id)
    oidc_name_claim: str = "name"
    oidc_roles_claim: str = "roles"  # a list of group/role names in the ID token
    # claim value -> assignments, e.g. {"elm-team-leaders": ["team_leader@SVC-ELM"], "qsl": ["quality_safeguarding_lead"]}
    oidc_role_map: dict[str, list[str]] = {}

    _id_pattern = field_validator("id_pattern")(a_pattern)  # refused when the settings are read

    def input_rules(self) -> InputRules:
        return InputRules(id_pattern=self.id_pattern, nhs_number_ids=self.nhs_number_ids,
                          late_report_days=self.late_report_days)

    @model_validator(mode="after")
    def _links_to_the_web_port(self) -> "Settings":
        """Links in messages (alerts, password links) point at the pages on SAFEGUARD_WEB_PORT unless
        SAFEGUARD_PUBLIC_URL says where: a CLI beside `safeguard dev --web-port` links where the pages are.
        Not marked as set, so `safeguard dev --web-port` still links to the port it was given."""
        if "public_url" not in self.model_fields_set:
            self.__dict__["public_url"] = f"http://127.0.0.1:{self.web_port}"
        return self

    @field_validator("data_dir", "sqlite_path", "key_store_path", "master_keys_file")
    @classmethod
    def _from_base_dir(cls, path: Path | None) -> Path | None:
        if path is None:
            return None
        path = path.expanduser()
        return path if path.is_absolute() else BASE_DIR / path

    def store_name(self) -> str:
        """The event store, as a person would look for it."""
        if self.event_store == "postgres":
            return f"PostgreSQL {self.postgres_dbname} at {self.postgres_host}:{self.postgres_port}"
        return f"SQLite {self.sqlite_path or self.data_dir / 'events.sqlite'}"

    def key_store_connection(self) -> dict[str, str | int | None]:
        """How the key store connects to PostgreSQL: its own role (postgres_keys_user), else the event store's."""
        own = bool(self.postgres_keys_user)
        return {"host": self.postgres_host, "port": self.postgres_port, "dbname": self.postgres_dbname,
                "user": self.postgres_keys_user if own else self.postgres_user,
                "password": (self.postgres_keys_password if own else self.postgres_password) or None}

    def temporal_ui_origins(self) -> list[str]:
        return self.temporal_ui_origin or [f"http://{host}:{self.temporal_ui_port}" for host in ("127.0.0.1", "localhost")]

    def threshold_profile_for(self, service_id: str | None) -> str:
        return self.service_threshold_profiles.get(service_id or "", self.threshold_profile)

    def event_store_env(self) -> dict[str, str]:
        """The eventsourcing library's persistence settings for this configuration."""
        if self.event_store == "postgres":
            return {
                "PERSISTENCE_MODULE": "eventsourcing.postgres",
                "POSTGRES_DBNAME": self.postgres_dbname,
                "POSTGRES_HOST": self.postgres_host,
                "POSTGRES_PORT": str(self.postgres_port),
                "POSTGRES_USER": self.postgres_user,
                "POSTGRES_PASSWORD": self.postgres_password,
            }
        path = self.sqlite_path or self.data_dir / "events.sqlite"
        path.parent.mkdir(parents=True, exist_ok=True)
        return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path), "SQLITE_LOCK_TIMEOUT": str(self.sqlite_lock_timeout)}


@lru_cache
def get_settings() -> Settings:
    return Settings()


def invalid(e: ValidationError) -> str:
    """Settings refused, in words: each variable and what it must be (never the value given, which
    may be a secret)."""
    named = "; ".join(f"SAFEGUARD_{'__'.join(str(p) for p in err['loc']).upper()}: {err['msg']}" for err in e.errors())
    return f"a setting is not valid, so nothing was done. {named}"
