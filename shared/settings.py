"""Typed settings read from the environment (prefix ``CARECIRCLE_``).

One ``Settings`` serves every service: the per-service parts (database) are
templates filled with the service name, so a new deployment is configuration,
not code.
"""
from __future__ import annotations

import itertools
from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "carecircle-development-secret-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CARECIRCLE_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    # "{service}" is replaced by the service name: one database per service.
    database_url: str = "sqlite:///var/data/{service}.db"
    # "memory://" is the in-process bus of embedded mode; amqp://... is RabbitMQ.
    broker_url: str = "memory://"
    redis_url: str = "redis://127.0.0.1:6379/0"
    celery_eager: bool = True
    # Prefix of every exchange and queue name, so several deployments can share a broker.
    namespace: str = Field("carecircle", pattern=r"^[a-z][a-z0-9_-]{0,40}$")

    jwt_secret: SecretStr = SecretStr(DEV_JWT_SECRET)
    jwt_jwks_url: str | None = None
    jwt_issuer: str = "carecircle"
    jwt_audience: str = "carecircle"
    token_ttl_minutes: int = Field(12 * 60, gt=0)
    # The largest request body an API reads; a larger one is a 413 before anything else runs.
    max_body_bytes: int = Field(1024 * 1024, gt=0)

    max_delivery_attempts: int = Field(5, ge=1)
    retry_delays: list[float] = Field(default=[1.0, 5.0, 30.0, 120.0], min_length=1)
    consumer_prefetch: int = Field(500, ge=1)
    consumer_batch_size: int = Field(200, ge=1)
    consumer_batch_wait: float = Field(0.02, gt=0)
    relay_batch_size: int = Field(500, ge=1)
    relay_poll_interval: float = Field(0.02, gt=0)
    inbox_retention_days: float = Field(30, gt=0)

    # Scheduling: a visit no one checked in this long after its start is missed; a check-in
    # from a device further than this from the visit's place is flagged.
    visit_horizon_weeks: int = Field(4, ge=1, le=26)  # how far ahead visits and sessions are planned
    visit_missed_after_minutes: int = Field(60, ge=1)
    checkin_far_metres: int = Field(500, ge=1)

    # Notifications' channels (services/notifications/channels): the message log of embedded
    # runs, an SMS provider speaking the Twilio Messages API, an SMTP server.
    message_log: str = "var/log/messages.jsonl"
    sms_url: str = "http://127.0.0.1:8025"
    sms_account: str = "carecircle"
    sms_token: SecretStr = SecretStr("")
    sms_sender: str = "CareCircle"
    sms_status_callback: str | None = None  # where the provider posts delivery receipts
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_sender: str = "carecircle@localhost"
    smtp_starttls: bool = False
    smtp_user: str | None = None
    smtp_password: SecretStr = SecretStr("")
    # Where notifications asks intake how to reach a client when sending (`make run`'s port),
    # and the token it asks with where an OIDC provider issues tokens (else its own, role notifier).
    intake_url: str = "http://127.0.0.1:8000/intake/v1"
    notifier_token: SecretStr | None = None
    # Where the other services' APIs are (their replay feeds), and the token a service reads
    # them with where an OIDC provider issues tokens (else its own, role event_reader).
    scheduling_url: str = "http://127.0.0.1:8000/scheduling/v1"
    notifications_url: str = "http://127.0.0.1:8000/notifications/v1"
    event_reader_token: SecretStr | None = None
    # The channel a client's / a worker's messages go by unless they chose another: by default
    # SMS and the workers' in-app inbox, and the message log in embedded runs.
    client_channel: str | None = None
    staff_channel: str | None = None
    # A message handed to a send task is handed out again after this long (its worker died).
    send_lease_seconds: int = Field(120, ge=1)

    # Reporting: clients' age bands by their lower bounds (0-17, 18-53, 54-64, 65-79, 80+), and
    # the smallest count an analyst or funder is shown (smaller ones are suppressed).
    reporting_age_bands: list[int] = Field(default=[18, 54, 65, 80], min_length=1)
    reporting_suppression_threshold: int = Field(5, ge=0)

    log_level: str = "INFO"
    log_json: bool = True

    @field_validator("retry_delays")
    @classmethod
    def _positive_delays(cls, delays: list[float]) -> list[float]:
        if any(d <= 0 for d in delays):
            raise ValueError("retry delays must be positive")
        return delays

    @field_validator("reporting_age_bands")
    @classmethod
    def _rising_bounds(cls, bounds: list[int]) -> list[int]:
        if bounds[0] <= 0 or any(low >= high for low, high in itertools.pairwise(bounds)):
            raise ValueError("age band bounds must be positive and rising")
        return bounds

    @model_validator(mode="after")
    def _refuse_unsafe_defaults(self) -> Settings:
        if self.environment == "development":
            return self
        problems = []
        secret = self.jwt_secret.get_secret_value()
        if not self.jwt_jwks_url and (secret == DEV_JWT_SECRET or len(secret) < 32):
            problems.append("CARECIRCLE_JWT_SECRET is the development secret or shorter than 32 bytes")
        if self.environment == "production" and self.broker_url.startswith("memory"):
            problems.append("CARECIRCLE_BROKER_URL is the in-process bus")
        if self.environment == "production" and self.database_url.startswith("sqlite"):
            problems.append("CARECIRCLE_DATABASE_URL is SQLite")
        if problems:
            raise ValueError(f"unsafe settings for {self.environment}: " + "; ".join(problems))
        return self

    @property
    def embedded(self) -> bool:
        return self.broker_url.startswith("memory")

    def url_of(self, service: str) -> str:
        """Where ``service``'s API answers (intake, scheduling, notifications)."""
        return {"intake": self.intake_url, "scheduling": self.scheduling_url,
                "notifications": self.notifications_url}[service].rstrip("/")

    def database_url_for(self, service: str) -> str:
        return self.database_url.format(service=service)


@lru_cache
def get_settings() -> Settings:
    return Settings()
