using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Google.Protobuf;
using Grpc.Core;

namespace Supervisor.PluginSdk.Shim;

/// <summary>
/// gRPC's length-prefixed messages: one byte for the compressed flag, four for the big-endian length, then the
/// message. Requests are parsed from the request pipe's own buffers and replies written into the response pipe's, so
/// protobuf's copy of a payload is the only one.
/// </summary>
internal static class GrpcMessageFraming
{
    public const int PrefixLength = 5;

    /// <summary>Reads the one request message of a call, however the bytes are split across reads.</summary>
    /// <param name="reader">The request body.</param>
    /// <param name="encoding">The request's <c>grpc-encoding</c> header, if any.</param>
    /// <param name="parser">Parses the message.</param>
    /// <param name="cancellationToken">Ends the wait for the body.</param>
    /// <returns>The message.</returns>
    /// <exception cref="RpcException">The body holds no whole message, a compressed one, or one that does not parse.</exception>
    public static async ValueTask<T> ReadAsync<T>(PipeReader reader, string? encoding, MessageParser<T> parser, CancellationToken cancellationToken)
        where T : IMessage<T>
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (TryFrame(buffer, out var compressed, out var message))
            {
                try
                {
                    if (compressed)
                    {
                        throw Compressed(encoding);
                    }

                    return parser.ParseFrom(message);
                }
                catch (InvalidProtocolBufferException ex)
                {
                    throw new RpcException(new Status(StatusCode.Internal, $"the request is not a valid {typeof(T).Name}: {ex.Message}"));
                }
                finally
                {
                    reader.AdvanceTo(message.End);
                }
            }

            if (result.IsCompleted)
            {
                reader.AdvanceTo(buffer.End);
                throw new RpcException(new Status(StatusCode.Internal, buffer.IsEmpty ? "the request carried no message" : "Incomplete message."));
            }

            // Examined but not consumed: the next read returns these bytes again with more behind them.
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Writes <paramref name="message"/> with its prefix; the caller flushes.</summary>
    public static void Write(IBufferWriter<byte> writer, IMessage message)
    {
        var length = message.CalculateSize();
        var prefix = writer.GetSpan(PrefixLength);
        prefix[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(prefix[1..], (uint)length);
        writer.Advance(PrefixLength);
        message.WriteTo(writer);
    }

    private static bool TryFrame(ReadOnlySequence<byte> buffer, out bool compressed, out ReadOnlySequence<byte> message)
    {
        compressed = false;
        message = default;
        if (buffer.Length < PrefixLength)
        {
            return false;
        }

        Span<byte> prefix = stackalloc byte[PrefixLength];
        buffer.Slice(0, PrefixLength).CopyTo(prefix);
        var length = BinaryPrimitives.ReadUInt32BigEndian(prefix[1..]);
        if (length > int.MaxValue)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, $"the request message of {length} bytes is larger than a plugin can hold ({int.MaxValue} bytes)"));
        }

        if (buffer.Length - PrefixLength < length)
        {
            return false;
        }

        compressed = prefix[0] != 0;
        message = buffer.Slice(PrefixLength, length);
        return true;
    }

    private static RpcException Compressed(string? encoding) =>
        string.IsNullOrEmpty(encoding) || encoding == "identity"
            ? new RpcException(new Status(StatusCode.Internal, "Request did not include grpc-encoding value with compressed message."))
            : new RpcException(new Status(StatusCode.Unimplemented, $"Unsupported grpc-encoding value '{encoding}'. Supported encodings: identity"));
}
