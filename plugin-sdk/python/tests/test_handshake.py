import unittest

from plugin_supervisor._handshake import HandshakeError, read_handshake

VALID = {
    "SUPERVISOR_PROTOCOL_VERSION": "1",
    "SUPERVISOR_PLUGIN_ADDRESS": "unix:///run/supervisor/echo-1.sock",
    "SUPERVISOR_PLUGIN_TOKEN": "secret",
    "SUPERVISOR_PLUGIN_NAME": "echo",
    "SUPERVISOR_PLUGIN_VERSION": "1.0.0",
    "SUPERVISOR_INSTANCE_ID": "echo-1",
    "SUPERVISOR_PLUGIN_SETTINGS": '{"greeting":"hi","nested":{"a":1},"count":2}',
}


class ReadHandshake(unittest.TestCase):
    def refusal(self, **changes):
        environ = {**VALID, **changes}
        with self.assertRaises(HandshakeError) as refused:
            read_handshake({key: value for key, value in environ.items() if value is not None})
        return str(refused.exception)

    def test_a_complete_handshake_gives_the_socket_token_and_who_the_process_is(self):
        handshake = read_handshake(VALID)
        self.assertEqual("/run/supervisor/echo-1.sock", handshake.socket_path)
        self.assertEqual("secret", handshake.token)
        self.assertEqual(("echo", "1.0.0", "echo-1"), (handshake.info.name, handshake.info.version, handshake.info.instance_id))
        self.assertEqual("SUPERVISOR_PLUGIN_READY 1 unix:///run/supervisor/echo-1.sock", handshake.ready_line())

    def test_settings_that_are_not_strings_keep_their_json_text(self):
        self.assertEqual({"greeting": "hi", "nested": '{"a": 1}', "count": "2"}, dict(read_handshake(VALID).info.settings))

    def test_missing_settings_are_empty(self):
        self.assertEqual({}, dict(read_handshake({**VALID, "SUPERVISOR_PLUGIN_SETTINGS": ""}).info.settings))

    def test_no_handshake_variable_at_all_means_started_by_hand(self):
        with self.assertRaises(HandshakeError) as refused:
            read_handshake({"PATH": "/usr/bin"})
        self.assertEqual("it was started without the supervisor's handshake variables", str(refused.exception))

    def test_each_wrong_variable_is_named_with_its_value(self):
        self.assertIn("SUPERVISOR_PROTOCOL_VERSION is '2'", self.refusal(SUPERVISOR_PROTOCOL_VERSION="2"))
        self.assertIn("SUPERVISOR_PROTOCOL_VERSION is ''", self.refusal(SUPERVISOR_PROTOCOL_VERSION=None))
        self.assertIn("SUPERVISOR_PLUGIN_ADDRESS is 'http://127.0.0.1:1'",
                      self.refusal(SUPERVISOR_PLUGIN_ADDRESS="http://127.0.0.1:1"))
        self.assertIn("expected an absolute socket path", self.refusal(SUPERVISOR_PLUGIN_ADDRESS="unix://relative.sock"))
        self.assertIn("SUPERVISOR_PLUGIN_TOKEN is not set", self.refusal(SUPERVISOR_PLUGIN_TOKEN=None))
        self.assertIn("SUPERVISOR_PLUGIN_SETTINGS is not valid JSON", self.refusal(SUPERVISOR_PLUGIN_SETTINGS="{"))
        self.assertIn("SUPERVISOR_PLUGIN_SETTINGS must be a JSON object", self.refusal(SUPERVISOR_PLUGIN_SETTINGS='"x"'))


if __name__ == "__main__":
    unittest.main()
