using System.Text;

namespace Supervisor.PluginSdk.Shim;

/// <summary>
/// Percent-encodes <c>grpc-message</c> as gRPC over HTTP/2 asks: the UTF-8 bytes of the text, each byte outside
/// printable ASCII, and <c>%</c> itself, as <c>%XX</c>. Header values must be ASCII, and clients decode it back.
/// </summary>
internal static class GrpcStatusMessage
{
    public static string Encode(string message)
    {
        if (!NeedsEncoding(message))
        {
            return message;
        }

        var bytes = Encoding.UTF8.GetBytes(message);
        var encoded = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (IsUnreserved(b))
            {
                encoded.Append((char)b);
            }
            else
            {
                encoded.Append('%').Append(HexUpper(b >> 4)).Append(HexUpper(b & 0xF));
            }
        }

        return encoded.ToString();
    }

    private static bool NeedsEncoding(string message)
    {
        foreach (var c in message)
        {
            if (c > 0x7E || !IsUnreserved((byte)c))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsUnreserved(byte b) => b is >= 0x20 and <= 0x7E and not (byte)'%';

    private static char HexUpper(int nibble) => (char)(nibble < 10 ? '0' + nibble : 'A' + nibble - 10);
}
