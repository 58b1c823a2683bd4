using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Dapper;
using Npgsql;
using Registry.Api.Tests.Infrastructure;

namespace Registry.Api.Tests.Dci;

/// <summary>
/// The DCI Social Registry API through the real API host on the seeded registry: idtype-value searches by the registry's
/// identifiers, territory and sensitive-source rules applied as in the registry's own search, every search in the access
/// log, and a malformed envelope answered with the spec's error code.
/// </summary>
[Collection(SeededCollection.Name)]
public sealed class DciSearchTests(SeededRegistry registry)
{
    private static JsonObject Envelope(string action, JsonObject message, string? signature = "unsigned-stub", string version = "1.0.0")
    {
        var envelope = new JsonObject
        {
            ["header"] = new JsonObject
            {
                ["version"] = version, ["message_id"] = Guid.NewGuid().ToString("N"), ["message_ts"] = DateTimeOffset.UtcNow.ToString("O"),
                ["action"] = action, ["sender_id"] = "spmis-pruebas", ["receiver_id"] = "registro-familias", ["total_count"] = 1,
            },
            ["message"] = message,
        };
        if (signature is not null) envelope["signature"] = signature;
        return envelope;
    }

    private static JsonObject SearchBy(string queryType, JsonNode query) => Envelope("search", new JsonObject
    {
        ["transaction_id"] = "txn-" + Guid.NewGuid().ToString("N")[..12],
        ["search_request"] = new JsonArray(new JsonObject
        {
            ["reference_id"] = "ref-1",
            ["timestamp"] = DateTimeOffset.UtcNow.ToString("O"),
            ["search_criteria"] = new JsonObject { ["query_type"] = queryType, ["query"] = query },
        }),
    });

    private static JsonObject ById(string type, string value) => SearchBy("idtype-value", new JsonObject { ["type"] = type, ["value"] = value });

    private async Task<(HttpStatusCode Status, JsonObject Body)> PostAsync(string? user, string path, JsonNode body)
    {
        var client = await registry.ClientAsync(user);
        using var response = await client.PostAsync(path, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(text.Length > 0, $"{user} {path}: {(int)response.StatusCode} with an empty body");
        return (response.StatusCode, JsonNode.Parse(text)!.AsObject());
    }

    /// <summary>The one search response item of a sync search, asserting it answered 200 with an on-search envelope.</summary>
    private async Task<JsonObject> SyncSearchAsync(string user, JsonObject envelope)
    {
        var (status, body) = await PostAsync(user, "/dci/registry/sync/search", envelope);
        Assert.True(status == HttpStatusCode.OK, $"{user}: {(int)status} {body.ToJsonString()}");
        Assert.Equal("on-search", (string?)body["header"]!["action"]);
        Assert.Equal(envelope["message"]!["transaction_id"]!.ToString(), (string?)body["message"]!["transaction_id"]);
        return body["message"]!["search_response"]!.AsArray().Single()!.AsObject();
    }

    private static List<JsonObject> Records(JsonObject item) => [.. item["data"]!["reg_records"]!.AsArray().Select(r => r!.AsObject())];

    private static IEnumerable<(string Type, string Value)> Identifiers(JsonObject record) =>
        record["member_identifier"]!.AsArray().Select(i => ((string)i!["identifier_type"]!, (string)i["identifier_value"]!));

    [Fact]
    public async Task A_case_manager_finds_a_person_of_her_municipality_by_CURP_with_the_registry_identifiers()
    {
        var item = await SyncSearchAsync("gestora.reynosa", ById("CURP", SeededRegistry.XimenaCurp));
        Assert.Equal("succ", (string?)item["status"]);
        var record = Assert.Single(Records(item));
        Assert.Equal(registry.Ximena.ToString(), (string?)record["@id"]);
        Assert.Contains(("CURP", SeededRegistry.XimenaCurp), Identifiers(record));
        Assert.Contains(("PERSON_ID", registry.Ximena.ToString()), Identifiers(record));
        Assert.Contains(("DIF-TAM", "DIF-5001"), Identifiers(record));
        Assert.Equal("XIMENA", (string?)record["demographic_info"]!["name"]!["given_name"]);
        Assert.Equal("female", (string?)record["demographic_info"]!["sex"]);
        Assert.Equal(1, (int)item["pagination"]!["total_count"]!);

        // The same person by an agency's own id, and her household by its registry id.
        var byFolio = await SyncSearchAsync("gestora.reynosa", ById("DIF-TAM", "DIF-5001"));
        Assert.Equal(registry.Ximena.ToString(), (string?)Assert.Single(Records(byFolio))["@id"]);
        var household = await SyncSearchAsync("gestora.reynosa", ById("HOUSEHOLD_ID", registry.ReynosaHousehold.ToString()));
        Assert.Contains(Records(household), r => (string?)r["@id"] == registry.Ximena.ToString());
    }

    [Fact]
    public async Task A_reader_outside_the_territory_finds_nobody_and_the_search_is_in_the_access_log()
    {
        var before = DateTime.UtcNow;
        foreach (var query in new[] { ById("CURP", SeededRegistry.XimenaCurp), ById("HOUSEHOLD_ID", registry.ReynosaHousehold.ToString()),
                     ById("PERSON_ID", registry.Ximena.ToString()) })
        {
            var item = await SyncSearchAsync("gestor.victoria", query);
            Assert.Equal("succ", (string?)item["status"]);
            Assert.Empty(Records(item));
        }
        await using var db = new NpgsqlConnection(registry.System.ConnectionString);
        var logged = (await db.QueryAsync<(string Subject, string Detail)>(
            "SELECT subject, detail FROM access_log WHERE kind = 'dci-search' AND at >= @before AND subject = 'gestor.victoria'", new { before })).ToList();
        Assert.Equal(3, logged.Count);
        Assert.All(logged, l => Assert.Contains("0 returned", l.Detail, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_person_only_a_security_source_knows_is_found_only_with_the_security_grant()
    {
        // Zacarías Quintanilla Yáñez: only the prevention centre (security, sensitive) supplied anything about him.
        var query = SearchBy("predicate", new JsonArray(new JsonObject
        {
            ["seq_num"] = 1,
            ["expression1"] = new JsonObject { ["attribute_name"] = "name", ["operator"] = "eq", ["attribute_value"] = "ZACARIAS QUINTANILLA YAÑEZ" },
            ["condition"] = "and",
            ["expression2"] = new JsonObject { ["attribute_name"] = "municipality", ["operator"] = "eq", ["attribute_value"] = "REYNOSA" },
        }));
        Assert.Empty(Records(await SyncSearchAsync("gestora.reynosa", query)));
        Assert.Empty(Records(await SyncSearchAsync("gestora.reynosa", ById("SSPT-CEPD", "SSP-P-990"))));

        var granted = Records(await SyncSearchAsync("gestora.salud", ById("SSPT-CEPD", "SSP-P-990")));
        var record = Assert.Single(granted);
        Assert.Equal("QUINTANILLA", (string?)record["demographic_info"]!["name"]!["surname"]);
        Assert.Contains(Records(await SyncSearchAsync("gestora.salud", query)), r => (string?)r["@id"] == (string?)record["@id"]);
    }

    [Fact]
    public async Task The_beneficiary_view_lists_her_programmes_and_a_health_service_only_as_sector_and_date_without_the_grant()
    {
        static async Task<JsonArray> ProgrammesAsync(DciSearchTests t, string user)
        {
            var (status, body) = await t.PostAsync(user, "/dci/ibr/registry/sync/search", ById("CURP", SeededRegistry.XimenaCurp));
            Assert.True(status == HttpStatusCode.OK, body.ToJsonString());
            var data = body["message"]!["search_response"]![0]!["data"]!;
            Assert.Equal("ns:org:RegistryType:IBR", (string?)data["reg_type"]);
            var record = Assert.Single(data["reg_records"]!.AsArray())!;
            Assert.Equal("Beneficiary", (string?)record["@type"]);
            return record["member"]!["programme_identifier"]!.AsArray();
        }

        var withoutGrant = await ProgrammesAsync(this, "gestora.reynosa");
        Assert.Contains(withoutGrant, p => (string?)p!["programme"]!["agency"] == "DIF-TAM" && (string?)p["programme"]!["programme_name"] == "Asistencia Alimentaria");
        var health = Assert.Single(withoutGrant, p => (string?)p!["programme"]!["sector"] == "health")!;
        Assert.True((bool)health["programme"]!["detail_withheld"]!);
        Assert.All(health["benefits"]!.AsArray(), b => Assert.Equal(["benefit_date"], b!.AsObject().Select(kv => kv.Key)));
        Assert.DoesNotContain("SSA-TAM", withoutGrant.ToJsonString(), StringComparison.Ordinal);

        var granted = await ProgrammesAsync(this, "gestora.salud");
        Assert.Contains(granted, p => (string?)p!["programme"]!["agency"] == "SSA-TAM" && p["benefits"]![0]!["benefit_type"] is not null);
    }

    [Fact]
    public async Task An_attribute_the_registry_does_not_hold_is_rejected_with_the_spec_reason_code()
    {
        var item = await SyncSearchAsync("custodio", SearchBy("predicate", new JsonArray(new JsonObject
        {
            ["seq_num"] = 1,
            ["expression1"] = new JsonObject { ["attribute_name"] = "poverty_score", ["operator"] = "lt", ["attribute_value"] = "2.5" },
        })));
        Assert.Equal("rjct", (string?)item["status"]);
        Assert.Equal("rjct.search_criteria.invalid", (string?)item["status_reason_code"]);
        Assert.Contains("poverty_score", (string?)item["status_reason_message"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("no-message", "err.request.bad")]
    [InlineData("wrong-action", "err.request.bad")]
    [InlineData("version", "err.version.not_supported")]
    [InlineData("bad-signature", "err.signature.invalid")]
    [InlineData("encrypted", "err.encryption.invalid")]
    [InlineData("no-transaction", "err.request.bad")]
    public async Task A_bad_envelope_is_answered_ERR_with_the_spec_error_code(string fault, string code)
    {
        var envelope = ById("CURP", SeededRegistry.XimenaCurp);
        switch (fault)
        {
            case "no-message": envelope.Remove("message"); break;
            case "wrong-action": envelope["header"]!["action"] = "subscribe"; break;
            case "version": envelope = Envelope("search", envelope["message"]!.DeepClone().AsObject(), version: "2.0.0"); break;
            case "bad-signature": envelope["signature"] = "invalid-signature"; break;
            case "encrypted": envelope["header"]!["is_msg_encrypted"] = true; break;
            case "no-transaction": envelope["message"]!.AsObject().Remove("transaction_id"); break;
        }
        var (status, body) = await PostAsync("gestora.reynosa", "/dci/registry/sync/search", envelope);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("ERR", (string?)body["message"]!["ack_status"]);
        Assert.Equal(code, (string?)body["message"]!["error"]!["code"]);
        Assert.False(string.IsNullOrEmpty((string?)body["message"]!["correlation_id"]));
    }

    [Fact]
    public async Task Without_a_token_or_with_an_agency_token_the_refusal_carries_the_spec_error_body()
    {
        var (status, body) = await PostAsync(null, "/dci/registry/search", ById("CURP", SeededRegistry.XimenaCurp));
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("err.request.unauthorized", (string?)body["errors"]![0]!["code"]);

        (status, body) = await PostAsync("dif.datos", "/dci/registry/sync/search", ById("CURP", SeededRegistry.XimenaCurp));
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal("err.request.forbidden", (string?)body["errors"]![0]!["code"]);
    }

    [Fact]
    public async Task A_partner_system_gets_its_token_with_OAuth_client_credentials_and_reads_as_its_role()
    {
        using var anonymous = new HttpClient { BaseAddress = registry.System.ApiAddress };
        using var tokenResponse = await anonymous.PostAsync("/auth/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = "gestor.victoria",
            ["client_secret"] = Registry.Integration.Tests.Infrastructure.RegistrySystem.PasswordOf("gestor.victoria"),
        }));
        var token = JsonNode.Parse(await tokenResponse.Content.ReadAsStringAsync())!;
        Assert.True(tokenResponse.IsSuccessStatusCode, token.ToJsonString());
        Assert.Equal("Bearer", (string?)token["token_type"]);
        using var partner = new HttpClient { BaseAddress = registry.System.ApiAddress };
        partner.DefaultRequestHeaders.Authorization = new("Bearer", (string)token["access_token"]!);
        using var response = await partner.PostAsync("/dci/registry/sync/search",
            new StringContent(ById("CURP", "MOGA751002MTSRRN09").ToJsonString(), Encoding.UTF8, "application/json"));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToJsonString());
        // A Victoria household member: in this partner's territory.
        Assert.Single(body["message"]!["search_response"]![0]!["data"]!["reg_records"]!.AsArray());
    }

    [Fact]
    public async Task An_async_search_without_a_callback_address_is_kept_for_txn_status()
    {
        var search = ById("CURP", SeededRegistry.XimenaCurp);
        search["header"]!.AsObject().Remove("sender_uri");
        var (status, ack) = await PostAsync("gestora.reynosa", "/dci/registry/search", search);
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal("NACK", (string?)ack["message"]!["ack_status"]);
        var transactionId = search["message"]!["transaction_id"]!.ToString();

        var (txnStatus, answer) = await PostAsync("gestora.reynosa", "/dci/registry/sync/txn/status", Envelope("txn-status", new JsonObject
        {
            ["transaction_id"] = "txn-status-1",
            ["txnstatus_request"] = new JsonObject
            {
                ["reference_id"] = "ref-1", ["txn_type"] = "search", ["attribute_type"] = "transaction_id", ["attribute_value"] = transactionId,
            },
        }));
        Assert.Equal(HttpStatusCode.OK, txnStatus);
        Assert.Equal("succ", (string?)answer["header"]!["status"]);
        var stored = answer["message"]!["txnstatus_response"]!["txn_status"]!;
        Assert.Equal((string?)ack["message"]!["correlation_id"], (string?)stored["correlation_id"]);
        Assert.Equal(registry.Ximena.ToString(), (string?)stored["search_response"]![0]!["data"]!["reg_records"]![0]!["@id"]);

        // Another reader cannot learn of it.
        var (_, other) = await PostAsync("gestora.salud", "/dci/registry/sync/txn/status", Envelope("txn-status", new JsonObject
        {
            ["transaction_id"] = "txn-status-2",
            ["txnstatus_request"] = new JsonObject
            {
                ["reference_id"] = "ref-1", ["txn_type"] = "search", ["attribute_type"] = "transaction_id", ["attribute_value"] = transactionId,
            },
        }));
        Assert.Equal("rjct", (string?)other["header"]!["status"]);
        Assert.Empty(other["message"]!["txnstatus_response"]!["txn_status"]!["search_response"]!.AsArray());
    }
}
