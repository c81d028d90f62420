using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Google.Protobuf;
using Grpc.Core;
using Supervisor.PluginSdk.Shim;
using Supervisor.Protocol.Plugin.V1;
using Supervisor.Tests.TestAssets;

namespace Supervisor.Tests.Sdk;

[TestClass]
public sealed class GrpcMessageFramingTests
{
    [TestMethod]
    public async Task A_request_message_split_across_reads_at_every_byte_is_read_whole()
    {
        var request = new HandleEventRequest { Event = TestEvents.Create("echo", new string('x', 300)) };
        var framed = Frame(request.ToByteArray(), compressed: false);
        var pipe = InlinePipe();

        var read = GrpcMessageFraming.ReadAsync(pipe.Reader, null, HandleEventRequest.Parser, CancellationToken.None).AsTask();
        for (var i = 0; i < framed.Length - 1; i++)
        {
            await pipe.Writer.WriteAsync(framed.AsMemory(i, 1));
            Assert.IsFalse(read.IsCompleted, $"the read completed after {i + 1} of {framed.Length} bytes");
        }

        await pipe.Writer.WriteAsync(framed.AsMemory(framed.Length - 1));
        var message = await read.DefaultTimeout();

        Assert.AreEqual(request, message);
    }

    [TestMethod]
    public async Task A_reply_is_written_with_a_five_byte_prefix_of_flag_and_big_endian_length()
    {
        var reply = new HandleEventResponse { Payload = ByteString.CopyFrom(new byte[70_000]), ContentType = "application/octet-stream" };
        var pipe = InlinePipe();

        GrpcMessageFraming.Write(pipe.Writer, reply);
        await pipe.Writer.CompleteAsync();
        var written = (await pipe.Reader.ReadAsync()).Buffer.ToArray();

        Assert.AreEqual(0, written[0]);
        Assert.AreEqual((uint)reply.CalculateSize(), BinaryPrimitives.ReadUInt32BigEndian(written.AsSpan(1, 4)));
        Assert.AreEqual(reply, HandleEventResponse.Parser.ParseFrom(written.AsSpan(5)));
    }

    [TestMethod]
    [DataRow(null, StatusCode.Internal)]
    [DataRow("identity", StatusCode.Internal)]
    [DataRow("gzip", StatusCode.Unimplemented)]
    public async Task A_compressed_request_is_refused_as_grpc_dotnet_refuses_it(string? encoding, StatusCode expected)
    {
        var error = await ReadFailure(Frame(new GetStatusRequest().ToByteArray(), compressed: true), encoding);

        Assert.AreEqual(expected, error.StatusCode, error.Status.Detail);
    }

    [TestMethod]
    public async Task A_body_that_ends_inside_a_message_or_holds_none_is_INTERNAL()
    {
        var framed = Frame(new HandleEventRequest { Event = TestEvents.Create("echo", "hello") }.ToByteArray(), compressed: false);

        var incomplete = await ReadFailure(framed[..^2], null);
        var empty = await ReadFailure([], null);

        Assert.AreEqual(StatusCode.Internal, incomplete.StatusCode);
        Assert.AreEqual("Incomplete message.", incomplete.Status.Detail);
        Assert.AreEqual(StatusCode.Internal, empty.StatusCode);
        Assert.AreEqual("the request carried no message", empty.Status.Detail);
    }

    [TestMethod]
    public async Task A_message_that_is_not_protobuf_is_INTERNAL_naming_the_type()
    {
        var error = await ReadFailure(Frame([0x0A, 0xFF, 0xFF, 0xFF], compressed: false), null);

        Assert.AreEqual(StatusCode.Internal, error.StatusCode);
        StringAssert.StartsWith(error.Status.Detail, "the request is not a valid HandleEventRequest: ");
    }

    private static async Task<RpcException> ReadFailure(byte[] body, string? encoding)
    {
        var pipe = InlinePipe();
        await pipe.Writer.WriteAsync(body);
        await pipe.Writer.CompleteAsync();
        return await Assert.ThrowsExactlyAsync<RpcException>(
            () => GrpcMessageFraming.ReadAsync(pipe.Reader, encoding, HandleEventRequest.Parser, CancellationToken.None).AsTask().DefaultTimeout());
    }

    private static byte[] Frame(byte[] message, bool compressed)
    {
        var framed = new byte[message.Length + 5];
        framed[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)message.Length);
        message.CopyTo(framed, 5);
        return framed;
    }

    // Inline schedulers: each write reaches the reader before WriteAsync returns, so a read's progress is seen at once.
    private static Pipe InlinePipe() =>
        new(new PipeOptions(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, useSynchronizationContext: false));
}
