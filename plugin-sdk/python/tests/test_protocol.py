"""The checked-in generated messages (plugin_supervisor/_protocol) against the .proto files they came from."""

import os
import shutil
import subprocess
import tempfile
import unittest

from google.protobuf import descriptor_pb2

from plugin_supervisor._protocol import health_pb2, plugin_pb2

SDK_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPOSITORY_PROTOS = os.path.join(SDK_ROOT, "..", "..", "protos")


@unittest.skipIf(shutil.which("protoc") is None, "protoc not installed (apt-get install protobuf-compiler; .ci/run does)")
class GeneratedMessages(unittest.TestCase):
    def compiled(self, include, proto):
        with tempfile.TemporaryDirectory() as directory:
            output = os.path.join(directory, "set.pb")
            subprocess.run(["protoc", "-I", include, "--descriptor_set_out", output, proto], check=True)
            with open(output, "rb") as compiled:
                files = descriptor_pb2.FileDescriptorSet.FromString(compiled.read()).file
        proto = files[-1]
        # The descriptor set carries each field's json_name; the generated module, like the Python runtime, omits it.
        messages = list(proto.message_type)
        while messages:
            message = messages.pop()
            messages.extend(message.nested_type)
            for field in message.field:
                field.ClearField("json_name")
        return proto

    def checked_in(self, module):
        proto = descriptor_pb2.FileDescriptorProto()
        module.DESCRIPTOR.CopyToProto(proto)
        return proto

    def test_the_plugin_messages_match_protos(self):
        self.assertEqual(self.compiled(REPOSITORY_PROTOS, "supervisor/plugin/v1/plugin.proto"),
                         self.checked_in(plugin_pb2),
                         "plugin_supervisor/_protocol/plugin_pb2.py is stale: run plugin-sdk/python/generate-protos.sh")

    def test_the_health_messages_match_their_proto(self):
        self.assertEqual(self.compiled(os.path.join(SDK_ROOT, "protos"), "grpc/health/v1/health.proto"),
                         self.checked_in(health_pb2),
                         "plugin_supervisor/_protocol/health_pb2.py is stale: run plugin-sdk/python/generate-protos.sh")


if __name__ == "__main__":
    unittest.main()
