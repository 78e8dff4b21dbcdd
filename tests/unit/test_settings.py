"""Settings read from the environment, and the command line's choices winning over them."""

from sonata.settings import Settings


def test_one_worker_unless_the_environment_or_the_command_line_asks_for_more() -> None:
    assert Settings.from_env({}).workers == 1
    from_env = Settings.from_env({"SONATA_WORKERS": "4"})
    assert from_env.workers == 4
    assert from_env.listening_on(None, None, None).workers == 4
    assert from_env.listening_on(None, None, "2").workers == 2
