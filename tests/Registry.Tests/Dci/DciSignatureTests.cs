using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using Registry.Api.Dci;

namespace Registry.Tests.Dci;

/// <summary>The DCI signature rule: unsigned is accepted unless required; a claimed signature must verify with the sender's registered key.</summary>
public sealed class DciSignatureTests
{
    private const string Header = """{"version":"1.0.0","message_id":"m1","message_ts":"2026-11-30T12:00:00Z","action":"search","sender_id":"spmis","total_count":1}""";
    private const string Message = """{"transaction_id":"t1","search_request":[{"reference_id":"r1","timestamp":"2026-11-30T12:00:00Z","search_criteria":{"query_type":"idtype-value","query":{"type":"CURP","value":"GOCX670904MTSNNM02"}}}]}""";
    private const string Kid = "spmis|k1|ed25519";

    private readonly Ed25519PrivateKeyParameters _key = new(new SecureRandom());

    private DciSignatures Signatures(bool require = false, string kid = Kid) => new(Options.Create(new DciOptions
    {
        RequireSignature = require,
        SigningKeys = [new DciSigningKey { Kid = kid, PublicKey = Convert.ToBase64String(_key.GeneratePublicKey().GetEncoded()) }],
    }), TimeProvider.System);

    private static (JsonObject Envelope, byte[] Raw) Envelope(string? signature, string message = Message)
    {
        var text = signature is null
            ? $$"""{"header":{{Header}},"message":{{message}}}"""
            : $$"""{"signature":{{JsonSerializer.Serialize(signature)}},"header":{{Header}},"message":{{message}}}""";
        return (JsonNode.Parse(text)!.AsObject(), Encoding.UTF8.GetBytes(text));
    }

    private string Signed(long? created = null, long? expires = null)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return DciSignatures.Sign(_key.GetEncoded(), Kid, created ?? now, expires ?? now + 300, Envelope(null).Raw);
    }

    private static string? Code(DciSignatures signatures, (JsonObject Envelope, byte[] Raw) e) => signatures.Check(e.Envelope, "spmis", e.Raw)?.Code;

    [Fact]
    public void A_message_signed_with_the_senders_registered_key_is_accepted() =>
        Assert.Null(Code(Signatures(require: true), Envelope(Signed())));

    [Fact]
    public void A_message_changed_after_signing_is_refused_as_an_invalid_signature()
    {
        var tampered = Envelope(Signed(), Message.Replace("GOCX670904MTSNNM02", "MOGA751002MTSRRN09", StringComparison.Ordinal));
        Assert.Equal("err.signature.invalid", Code(Signatures(), tampered));
    }

    [Fact]
    public void An_expired_signature_or_one_by_an_unregistered_key_is_refused()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.Equal("err.signature.invalid", Code(Signatures(), Envelope(Signed(now - 600, now - 300))));
        Assert.Equal("err.signature.invalid", Code(Signatures(kid: "spmis|other|ed25519"), Envelope(Signed())));
        Assert.Equal("err.signature.invalid", Code(Signatures(), Envelope("invalid-signature")));
    }

    [Fact]
    public void An_unsigned_message_is_accepted_unless_signatures_are_required()
    {
        Assert.Null(Code(Signatures(), Envelope(null)));
        Assert.Null(Code(Signatures(), Envelope("unsigned-stub")));
        Assert.Equal("err.signature.missing", Code(Signatures(require: true), Envelope(null)));
    }
}
