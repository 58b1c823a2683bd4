using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Registry.Integration.Tests.Infrastructure;

/// <summary>
/// A loopback TCP relay in front of PostgreSQL that a test can take down and bring back: while down, every
/// open connection is cut and new ones are refused — what a host sees of a database that stops or fails over —
/// without stopping the shared test server under the other tests.
/// </summary>
public sealed class DatabaseOutage : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly List<TcpClient> _open = [];
    private readonly CancellationTokenSource _stop = new();
    private TcpListener _listener;
    private Task _accepting;

    public int Port { get; }

    private DatabaseOutage(IPEndPoint target)
    {
        _target = target;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync(_listener);
    }

    /// <summary>A relay to the server of <paramref name="connectionString"/>.</summary>
    public static DatabaseOutage For(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var host = builder.Host is null or "localhost" ? IPAddress.Loopback : IPAddress.Parse(builder.Host);
        return new DatabaseOutage(new IPEndPoint(host, builder.Port));
    }

    /// <summary><paramref name="connectionString"/> through this relay.</summary>
    public string Through(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Host = "127.0.0.1", Port = Port }.ConnectionString;

    public bool IsDown { get; private set; }

    /// <summary>The database goes away: open connections are cut, new ones refused.</summary>
    public void Begin()
    {
        IsDown = true;
        _listener.Stop();
        lock (_open)
        {
            foreach (var client in _open) client.Dispose();
            _open.Clear();
        }
    }

    /// <summary>The database is back on the same address.</summary>
    public void End()
    {
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        IsDown = false;
        _accepting = AcceptAsync(_listener);
    }

    private async Task AcceptAsync(TcpListener listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
            {
                return; // stopped
            }
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        var server = new TcpClient();
        try
        {
            await server.ConnectAsync(_target, _stop.Token);
            lock (_open)
            {
                if (IsDown) throw new SocketException((int)SocketError.ConnectionRefused);
                _open.Add(client);
                _open.Add(server);
            }
            using var pair = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var up = client.GetStream().CopyToAsync(server.GetStream(), pair.Token);
            var down = server.GetStream().CopyToAsync(client.GetStream(), pair.Token);
            await Task.WhenAny(up, down);
            await pair.CancelAsync();
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            client.Dispose();
            server.Dispose();
            lock (_open)
            {
                _open.Remove(client);
                _open.Remove(server);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Begin();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
