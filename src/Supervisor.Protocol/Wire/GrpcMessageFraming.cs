using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Google.Protobuf;
using Grpc.Core;

namespace Supervisor.Protocol.Wire;

/// <summary>
/// gRPC's length-prefixed messages: one byte for the compressed flag, four for the big-endian length, then the
/// message. Requests are parsed from the request pipe's own buffers and replies written into the response pipe's, so
/// protobuf's copy of a payload is the only one. For servers that serve the contract straight off Kestrel, without
/// grpc-dotnet's server (the .NET SDK's shim, the supervisor's events API).
/// </summary>
public static class GrpcMessageFraming
{
    /// <summary>The length of the prefix before each message: the compressed flag and the 4-byte length.</summary>
    public const int PrefixLength = 5;

    /// <summary>Reads the one request message of a call, however the bytes are split across reads.</summary>
    /// <param name="reader">The request body.</param>
    /// <param name="encoding">The request's <c>grpc-encoding</c> header, if any.</param>
    /// <param name="parser">Parses the message.</param>
    /// <param name="maxMessageBytes">The largest message accepted; a larger one is refused before it is read.</param>
    /// <param name="cancellationToken">Ends the wait for the body.</param>
    /// <typeparam name="T">The request message.</typeparam>
    /// <returns>The message.</returns>
    /// <exception cref="RpcException">The body holds no whole message, a compressed one, one larger than <paramref name="maxMessageBytes"/>, or one that does not parse.</exception>
    public static async ValueTask<T> ReadAsync<T>(PipeReader reader, string? encoding, MessageParser<T> parser, int maxMessageBytes, CancellationToken cancellationToken)
        where T : IMessage<T>
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(parser);
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (TryFrame(buffer, maxMessageBytes, out var compressed, out var message))
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
    /// <param name="writer">The response body.</param>
    /// <param name="message">The reply.</param>
    public static void Write(IBufferWriter<byte> writer, IMessage message)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(message);
        var length = message.CalculateSize();
        var prefix = writer.GetSpan(PrefixLength);
        prefix[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(prefix[1..], (uint)length);
        writer.Advance(PrefixLength);
        message.WriteTo(writer);
    }

    private static bool TryFrame(ReadOnlySequence<byte> buffer, int maxMessageBytes, out bool compressed, out ReadOnlySequence<byte> message)
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
        if (length > (uint)maxMessageBytes)
        {
            // grpc-dotnet's words, so a caller sees the same refusal whichever server answers.
            throw new RpcException(new Status(StatusCode.ResourceExhausted, "Received message exceeds the maximum configured message size."));
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
