using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace Registry.Api.Dci;

/// <summary>
/// The envelope's <c>signature</c>, checked as the spec states it (<c>MsgSignature</c>: "Signature of {header}+{message}
/// verified using sender's signing public key", written <c>Signature: namespace="spdci", kidId="{sender_id}|{key_id}|{algorithm}",
/// algorithm="ed25519", created="…", expires="…", headers="(created) (expires) digest", signature="…"</c>). The field is
/// optional in the spec, so a request may come unsigned — without the field, or with a value that says so
/// (<c>unsigned</c>, <c>unsigned-…</c>: the placeholder SPDCI tools send) — unless <see cref="DciOptions.RequireSignature"/>
/// (then err.signature.missing). Anything else claims to be a signature and must verify: the spec's form, a kid naming the
/// header's sender and registered here (<see cref="DciOptions.SigningKeys"/>), a validity window around now, and an ed25519
/// signature by that key over the signing string of the HTTP-signature scheme the format comes from
/// (<c>(created): C\n(expires): E\ndigest: BLAKE-512=base64(BLAKE2b-512(header ‖ message))</c>, header and message as the
/// bytes sent) — otherwise err.signature.invalid. A value that claims to sign and cannot be checked is refused.
/// </summary>
public sealed partial class DciSignatures(IOptions<DciOptions> options, TimeProvider clock)
{
    [GeneratedRegex("(\\w+)=\"([^\"]*)\"", RegexOptions.CultureInvariant)]
    private static partial Regex Parameter();

    public const string Algorithm = "ed25519";

    public DciError? Check(JsonObject envelope, string senderId, ReadOnlyMemory<byte> body)
    {
        var node = envelope["signature"];
        var text = node is JsonValue v && v.TryGetValue<string>(out var s) ? s.Trim() : node is null ? null : "";
        var unsigned = text is null || text.Equals("unsigned", StringComparison.OrdinalIgnoreCase)
                       || text.StartsWith("unsigned-", StringComparison.OrdinalIgnoreCase);
        if (unsigned)
            return options.Value.RequireSignature
                ? new DciError(Dci.Errors.SignatureMissing, "This registry requires signed messages: sign header+message with your registered key.")
                : null;
        if (!text!.StartsWith("Signature:", StringComparison.Ordinal))
            return Invalid("the signature is not in the spec's form (Signature: namespace=\"spdci\", kidId=\"…\", algorithm=\"…\", created=\"…\", expires=\"…\", headers=\"…\", signature=\"…\").");
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match m in Parameter().Matches(text)) fields[m.Groups[1].Value] = m.Groups[2].Value;
        foreach (var required in new[] { "kidId", "algorithm", "created", "expires", "signature" })
            if (!fields.ContainsKey(required)) return Invalid($"the signature has no {required}.");
        var kid = fields["kidId"].Split('|');
        if (kid.Length != 3 || kid[0] != senderId) return Invalid("kidId is not {sender_id}|{key_id}|{algorithm} for the header's sender_id.");
        if (kid[2] != Algorithm || fields["algorithm"] != Algorithm) return Invalid($"only {Algorithm} signatures are verified.");
        if (!long.TryParse(fields["created"], out var created) || !long.TryParse(fields["expires"], out var expires))
            return Invalid("created and expires are Unix times.");
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        if (created > now + 60 || expires < now || expires <= created) return Invalid("the signature is outside its validity window (created … expires).");
        var key = options.Value.SigningKeys.FirstOrDefault(k => k.Kid == fields["kidId"]);
        if (key is null) return Invalid($"no signing key is registered for kid '{fields["kidId"]}'.");
        if (RawParts(body) is not { } parts) return Invalid("the header and message could not be read from the body.");
        byte[] signature, publicKey;
        try
        {
            signature = Convert.FromBase64String(fields["signature"]);
            publicKey = Convert.FromBase64String(key.PublicKey);
        }
        catch (FormatException)
        {
            return Invalid("the signature (or the registered key) is not base64.");
        }
        if (signature.Length != 64 || publicKey.Length != 32) return Invalid("an ed25519 signature is 64 bytes and its key 32.");
        var verifier = new Ed25519Signer();
        verifier.Init(false, new Ed25519PublicKeyParameters(publicKey));
        var signed = SigningString(created, expires, parts.Header.Span, parts.Message.Span);
        verifier.BlockUpdate(signed, 0, signed.Length);
        return verifier.VerifySignature(signature) ? null : Invalid("it does not verify with the registered key over header+message.");
    }

    /// <summary>What is signed: created, expires and the BLAKE2b-512 digest of the header's and the message's bytes.</summary>
    public static byte[] SigningString(long created, long expires, ReadOnlySpan<byte> header, ReadOnlySpan<byte> message)
    {
        var blake = new Blake2bDigest(512);
        blake.BlockUpdate(header);
        blake.BlockUpdate(message);
        var digest = new byte[64];
        blake.DoFinal(digest, 0);
        return Encoding.UTF8.GetBytes($"(created): {created}\n(expires): {expires}\ndigest: BLAKE-512={Convert.ToBase64String(digest)}");
    }

    /// <summary>A signature value for <paramref name="body"/> (the envelope without its signature) — what a partner computes; used by tests and tools.</summary>
    public static string Sign(byte[] privateKey, string kid, long created, long expires, ReadOnlyMemory<byte> body)
    {
        var parts = RawParts(body) ?? throw new ArgumentException("The body has no header and message.", nameof(body));
        var signer = new Ed25519Signer();
        signer.Init(true, new Ed25519PrivateKeyParameters(privateKey));
        var signed = SigningString(created, expires, parts.Header.Span, parts.Message.Span);
        signer.BlockUpdate(signed, 0, signed.Length);
        return $"Signature: namespace=\"spdci\", kidId=\"{kid}\", algorithm=\"{Algorithm}\", created=\"{created}\", expires=\"{expires}\", " +
               $"headers=\"(created) (expires) digest\", signature=\"{Convert.ToBase64String(signer.GenerateSignature())}\"";
    }

    /// <summary>The bytes of the envelope's <c>header</c> and <c>message</c> values exactly as sent.</summary>
    public static (ReadOnlyMemory<byte> Header, ReadOnlyMemory<byte> Message)? RawParts(ReadOnlyMemory<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body.Span);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            ReadOnlyMemory<byte>? header = null, message = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                var part = body[start..(int)reader.BytesConsumed];
                if (name == "header") header = part;
                else if (name == "message") message = part;
            }
            return header is { } h && message is { } m ? (h, m) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static DciError Invalid(string why) => new(Dci.Errors.SignatureInvalid, "Invalid signature: " + why);
}

/// <summary>A partner's registered signing key: its kid (<c>{sender_id}|{key_id}|ed25519</c>) and public key (base64, 32 bytes).</summary>
public sealed class DciSigningKey
{
    public string Kid { get; set; } = "";
    public string PublicKey { get; set; } = "";
}
