from hypothesis import given, strategies as st

from shared.messaging import topology
from shared.messaging.topology import topic_matches

words = st.lists(st.text("abcxyz_", min_size=1, max_size=4), min_size=1, max_size=5)


def test_topic_patterns_match_like_rabbitmq():
    assert topic_matches("intake.client.registered.v1", "intake.client.registered.v1")
    assert topic_matches("intake.*.registered.v1", "intake.client.registered.v1")
    assert topic_matches("intake.#", "intake.client.registered.v1")
    assert topic_matches("#", "intake.client.registered.v1")
    assert topic_matches("#.v1", "intake.client.registered.v1")
    assert topic_matches("intake.#.v1", "intake.v1")
    assert not topic_matches("intake.*", "intake.client.registered.v1")
    assert not topic_matches("scheduling.#", "intake.client.registered.v1")
    assert not topic_matches("intake.client.registered.v2", "intake.client.registered.v1")


@given(words)
def test_a_key_matches_itself_and_hash(key):
    routing_key = ".".join(key)
    assert topic_matches(routing_key, routing_key)
    assert topic_matches("#", routing_key)
    assert topic_matches(".".join(["*"] * len(key)), routing_key)
    assert not topic_matches(".".join(["*"] * (len(key) + 1)), routing_key)


def test_names_come_from_one_place_and_differ_per_consumer():
    names = {
        topology.queue("cc", "reporting"), topology.queue("cc", "scheduling"),
        topology.retry_queue("cc", "reporting", 0.5), topology.dead_letter_queue("cc", "reporting"),
        topology.task_queue("cc", "reporting"), topology.exchange("cc"),
    }
    assert len(names) == 6
    assert topology.retry_queue("cc", "reporting", 0.5) == "cc.reporting.retry.500ms"
