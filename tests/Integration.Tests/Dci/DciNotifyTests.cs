using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Registry.Integration.Tests.Infrastructure;

namespace Registry.Integration.Tests.Dci;

/// <summary>
/// DCI subscriptions through both real hosts: a partner subscribes to a UIN, the person arrives in an agency extract, and the
/// registry's domain event becomes a notify callback to the partner — only to a subscriber whose territory holds the person;
/// a callback whose receiver is down is retried until it answers.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class DciNotifyTests(RegistryServers servers)
{
    /// <summary>A partner's callback server: records every POST by path.</summary>
    private sealed class CallbackReceiver : IDisposable
    {
        private readonly HttpListener _listener = new();
        public ConcurrentQueue<(string Path, JsonObject Body)> Received { get; } = new();
        public volatile bool Refuse;
        public int Port { get; }

        public CallbackReceiver()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            _listener.Start();
            _ = Task.Run(LoopAsync);
        }

        public Uri Address(string path) => new($"http://127.0.0.1:{Port}{path}");

        private async Task LoopAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync(); }
                catch (Exception) when (!_listener.IsListening) { return; }
                catch (HttpListenerException) { return; }
                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                var text = await reader.ReadToEndAsync();
                if (Refuse)
                {
                    context.Response.StatusCode = 503;
                    context.Response.Close();
                    continue;
                }
                Received.Enqueue((context.Request.Url!.AbsolutePath, JsonNode.Parse(text)!.AsObject()));
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/json";
                var ack = Encoding.UTF8.GetBytes("""{"message":{"ack_status":"ACK","timestamp":"2026-01-01T00:00:00Z","correlation_id":"x"}}""");
                await context.Response.OutputStream.WriteAsync(ack);
                context.Response.Close();
            }
        }

        public async Task<JsonObject?> WaitForAsync(Func<string, JsonObject, bool> match, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (DateTime.UtcNow < deadline)
            {
                foreach (var (path, body) in Received) if (match(path, body)) return body;
                await Task.Delay(100);
            }
            return null;
        }

        public void Dispose() => _listener.Close();
    }

    private static JsonObject Subscribe(string sender, Uri onSubscribe, string idType, string id) => new()
    {
        ["signature"] = "unsigned",
        ["header"] = new JsonObject
        {
            ["version"] = "1.0.0", ["message_id"] = Guid.NewGuid().ToString("N"), ["message_ts"] = DateTimeOffset.UtcNow.ToString("O"),
            ["action"] = "subscribe", ["sender_id"] = sender, ["sender_uri"] = onSubscribe.ToString(), ["total_count"] = 1,
        },
        ["message"] = new JsonObject
        {
            ["transaction_id"] = "txn-" + sender,
            ["subscribe_request"] = new JsonArray(new JsonObject
            {
                ["reference_id"] = "ref-1",
                ["timestamp"] = DateTimeOffset.UtcNow.ToString("O"),
                ["subscribe_criteria"] = new JsonObject
                {
                    ["reg_event_type"] = "REGISTER",
                    ["filter"] = new JsonObject { ["type"] = idType, ["value"] = id },
                    ["notify_record_type"] = "Member",
                },
            }),
        },
    };

    [Fact]
    public async Task A_subscriber_is_notified_when_the_person_it_named_is_registered_and_only_within_its_territory()
    {
        using var receiver = new CallbackReceiver();
        await using var system = await RegistrySystem.StartAsync(servers, realHttp: true, settings: new Dictionary<string, string?>
        {
            ["Dci:UinAgency"] = "SPDCI-CONFORMIDAD",
            ["Dci:CallbackHosts:0"] = "127.0.0.1",
            ["Dci:PollInterval"] = "00:00:00.200",
        });

        // Two partners subscribe to DIF's beneficiary DIF-5001 (Ximena, not in the registry yet): one works in Reynosa, where she
        // lives, one in Victoria. A third, a registry-wide reader, subscribes to UIN TEST-001 (the conformance feed's person).
        // The partners' callback server is down at first: the on-subscribe callbacks are retried until it answers.
        receiver.Refuse = true;
        foreach (var (user, sender, idType, id) in new[]
                 {
                     ("gestora.reynosa", "spmis-reynosa", "DIF-TAM", "DIF-5001"), ("gestor.victoria", "spmis-victoria", "DIF-TAM", "DIF-5001"),
                     ("custodio", "registro-nacional", "UIN", "TEST-001"),
                 })
        {
            var client = await system.ApiClientAsync(user);
            using var response = await client.PostAsync("/dci/registry/subscribe",
                new StringContent(Subscribe(sender, receiver.Address($"/{sender}/registry/on-subscribe"), idType, id).ToJsonString(), Encoding.UTF8, "application/json"));
            var ack = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{user}: {(int)response.StatusCode} {ack.ToJsonString()}");
            Assert.Equal("ACK", (string?)ack["message"]!["ack_status"]);
        }
        await using var db = new NpgsqlConnection(system.ConnectionString);
        await db.OpenAsync();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await ScalarAsync(db, "SELECT count(*) FROM dci_callbacks WHERE attempts > 0 AND delivered_at IS NULL") < 3 && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        Assert.Empty(receiver.Received);
        receiver.Refuse = false;
        var onSubscribe = await receiver.WaitForAsync((path, body) => path == "/spmis-reynosa/registry/on-subscribe", TimeSpan.FromSeconds(30));
        Assert.NotNull(onSubscribe);
        var subscription = onSubscribe!["message"]!["subscribe_response"]![0]!;
        Assert.Equal("succ", (string?)subscription["status"]);
        Assert.Equal("subscribe", (string?)subscription["subscriptions"]![0]!["status"]);

        // The persons arrive as any agency data does: feeds' extracts.
        await system.DropAsync("dif-alimentaria", Directory.EnumerateFiles(Path.Combine(RepoPaths.Samples, "dif-alimentaria")).Single());
        await system.DropAsync("spdci-conformidad", Directory.EnumerateFiles(Path.Combine(RepoPaths.Samples, "spdci-conformidad")).Single());
        await system.WaitForExtractsAsync(2);

        var notify = await receiver.WaitForAsync((path, _) => path == "/spmis-reynosa/registry/notify", TimeSpan.FromSeconds(60));
        Assert.NotNull(notify);
        Assert.Equal("notify", (string?)notify!["header"]!["action"]);
        var data = notify["message"]!["notify_event"]![0]!["data"]!;
        Assert.Equal("REGISTER", (string?)data["reg_event_type"]);
        var identifiers = data["reg_records"]!["member_identifier"]!.AsArray();
        Assert.Contains(identifiers, i => (string?)i!["identifier_type"] == "DIF-TAM" && (string?)i["identifier_value"] == "DIF-5001");
        Assert.Contains(identifiers, i => (string?)i!["identifier_type"] == "CURP" && (string?)i["identifier_value"] == "GOCX670904MTSNNM02");
        Assert.Equal("REYNOSA", (string?)data["reg_records"]!["demographic_info"]!["address"]!["city"]);

        // The UIN subscriber hears of the conformance person, by the UIN the feed gave.
        var byUin = await receiver.WaitForAsync((path, _) => path == "/registro-nacional/registry/notify", TimeSpan.FromSeconds(60));
        Assert.NotNull(byUin);
        Assert.Contains(byUin!["message"]!["notify_event"]![0]!["data"]!["reg_records"]!["member_identifier"]!.AsArray(),
            i => (string?)i!["identifier_type"] == "UIN" && (string?)i["identifier_value"] == "TEST-001");

        // The Victoria partner subscribed to the same person, but she lives in Reynosa: nothing is sent to it.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.DoesNotContain(receiver.Received, r => r.Path == "/spmis-victoria/registry/notify");
        var personId = Guid.Parse((string)data["reg_records"]!["@id"]!);
        var logged = await ScalarAsync(db,
            $"SELECT count(*) FROM access_log WHERE kind = 'dci-notify' AND subject = 'gestora.reynosa' AND returned_ids @> ARRAY['{personId}'::uuid]");
        Assert.Equal(1, logged);
    }

    [Fact]
    public async Task A_notify_waits_until_the_chunk_that_registered_the_person_is_complete()
    {
        // The notifier runs only when the test says (its poll is an hour), so the moment between a chunk's identity commit
        // and its completion — when its households, territories and golden records are still to be written — is held open.
        await using var system = await RegistrySystem.StartAsync(servers, realHttp: true, settings: new Dictionary<string, string?>
        {
            ["Dci:CallbackHosts:0"] = "127.0.0.1",
            ["Dci:PollInterval"] = "01:00:00",
        });
        var notifier = system.ApiServices.GetRequiredService<Registry.Api.Dci.DciNotifier>();
        await notifier.RunOnceAsync(default); // its first run: notify of what happens from now on
        var partner = await system.ApiClientAsync("gestora.reynosa");
        using (var response = await partner.PostAsync("/dci/registry/subscribe", new StringContent(
                   Subscribe("spmis-reynosa", new Uri("http://127.0.0.1:9/spmis-reynosa/registry/on-subscribe"), "DIF-TAM", "DIF-5001").ToJsonString(),
                   Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await system.DropAsync("dif-alimentaria", Directory.EnumerateFiles(Path.Combine(RepoPaths.Samples, "dif-alimentaria")).Single());
        await system.WaitForExtractsAsync(1);

        await using var db = new NpgsqlConnection(system.ConnectionString);
        await db.OpenAsync();
        const string notifies = "SELECT count(*) FROM dci_callbacks WHERE uri LIKE '%/spmis-reynosa/registry/notify'";
        await ScalarAsync(db, "UPDATE extract_chunks SET completed_at = NULL WHERE chunk_index = 0");
        Assert.False(await notifier.RunOnceAsync(default));
        Assert.Equal(0, await ScalarAsync(db, notifies));

        await ScalarAsync(db, "UPDATE extract_chunks SET completed_at = now()");
        while (await notifier.RunOnceAsync(default)) { }
        Assert.Equal(1, await ScalarAsync(db, notifies));
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection db, string sql)
    {
        await using var command = new NpgsqlCommand(sql, db);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
