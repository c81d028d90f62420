using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Supervisor.Tests.TestAssets;

/// <summary>
/// A stand-in OTLP/HTTP collector on a real loopback port: keeps the body of every POST by path
/// (<c>/v1/metrics</c>, <c>/v1/traces</c>) and answers 200, as a collector does.
/// </summary>
internal sealed class OtlpReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(string Path, byte[] Body)> _posts = new();
    private readonly Task _loop;

    public OtlpReceiver()
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Endpoint = $"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}";
        }

        _listener.Prefixes.Add(Endpoint + "/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public string Endpoint { get; }

    /// <summary>Whether a body posted to <paramref name="path"/> contains <paramref name="text"/> (protobuf keeps strings as UTF-8).</summary>
    public bool Received(string path, string text) => ReceivedBytes(path, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>Whether a body posted to <paramref name="path"/> contains <paramref name="bytes"/> (a trace id is 16 raw bytes).</summary>
    public bool ReceivedBytes(string path, byte[] bytes) => _posts.Any(p => p.Path == path && p.Body.AsSpan().IndexOf(bytes) >= 0);

    public void Dispose()
    {
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The listener was closed under a pending GetContextAsync.
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            _posts.Enqueue((context.Request.Url!.AbsolutePath, body.ToArray()));
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }
}
