import pytest
from pydantic import ValidationError

from shared.settings import DEV_JWT_SECRET, Settings


def test_development_runs_on_safe_local_defaults():
    settings = Settings(environment="development", jwt_secret=DEV_JWT_SECRET)
    assert settings.embedded
    assert settings.database_url_for("intake") == "sqlite:///var/data/intake.db"


@pytest.mark.parametrize("environment", ["test", "production"])
def test_the_development_secret_is_refused_outside_development(environment):
    with pytest.raises(ValidationError, match="CARECIRCLE_JWT_SECRET"):
        Settings(environment=environment, jwt_secret=DEV_JWT_SECRET,
                 broker_url="amqp://x", database_url="postgresql://x/{service}")


def test_production_refuses_the_embedded_transport_and_sqlite():
    with pytest.raises(ValidationError) as error:
        Settings(environment="production", jwt_secret="a-production-secret-of-32-bytes-at-least")
    assert "CARECIRCLE_BROKER_URL" in str(error.value)
    assert "CARECIRCLE_DATABASE_URL" in str(error.value)


def test_one_database_per_service_from_a_template():
    settings = Settings(jwt_secret="x" * 32, environment="test",
                        database_url="postgresql+psycopg://db/carecircle_{service}")
    assert settings.database_url_for("reporting") == "postgresql+psycopg://db/carecircle_reporting"


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("CARECIRCLE_MAX_DELIVERY_ATTEMPTS", "7")
    monkeypatch.setenv("CARECIRCLE_RETRY_DELAYS", "[0.5, 2]")
    settings = Settings()
    assert settings.max_delivery_attempts == 7
    assert settings.retry_delays == [0.5, 2.0]


def test_a_short_secret_is_refused_outside_development():
    with pytest.raises(ValidationError, match="shorter than 32"):
        Settings(environment="test", jwt_secret="short")


def test_retry_delays_must_be_positive():
    with pytest.raises(ValidationError, match="positive"):
        Settings(retry_delays=[1, 0])
