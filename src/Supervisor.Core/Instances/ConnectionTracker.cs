namespace Supervisor.Instances;

/// <summary>
/// Counts the connections to one plugin process, so a failed call can be proven never sent. SocketsHttpHandler
/// silently retries a request on a new connection when the old one dies (e.g. after the plugin's GOAWAY as it
/// exits), so "connection refused" alone does not prove the request never reached a handler; "no connection was
/// open when the call began, and none opened during it" does.
/// </summary>
internal sealed class ConnectionTracker
{
    private long _established;
    private int _open;

    public long Established => Volatile.Read(ref _established);

    public int Open => Volatile.Read(ref _open);

    public void Observe(SocketsHttpHandler handler)
    {
        var connect = handler.ConnectCallback ?? throw new InvalidOperationException("plugin channels connect through a callback");
        handler.ConnectCallback = async (context, cancellationToken) =>
        {
            var stream = await connect(context, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _established);
            Interlocked.Increment(ref _open);
            return new TrackedStream(stream, this);
        };
    }

    public Snapshot Take() => new(Open, Established);

    /// <summary>Whether nothing could have carried a request started at <paramref name="atStart"/>.</summary>
    public bool NothingCarried(Snapshot atStart) => atStart.Open == 0 && Established == atStart.Established;

    private void Closed() => Interlocked.Decrement(ref _open);

    internal readonly record struct Snapshot(int Open, long Established);

    private sealed class TrackedStream(Stream inner, ConnectionTracker tracker) : Stream
    {
        private int _disposed;

        public override bool CanRead => inner.CanRead;

        public override bool CanSeek => false;

        public override bool CanWrite => inner.CanWrite;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.WriteAsync(buffer, offset, count, cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                tracker.Closed();
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                tracker.Closed();
                await inner.DisposeAsync().ConfigureAwait(false);
            }

            await base.DisposeAsync().ConfigureAwait(false);
        }
    }
}
