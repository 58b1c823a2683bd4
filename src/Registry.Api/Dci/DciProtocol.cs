using System.Globalization;
using System.Text.Json.Nodes;

namespace Registry.Api.Dci;

/// <summary>The DCI (SPDCI) Social Registry API v1.0.0's fixed words: actions, error codes, status reason codes.</summary>
public static class Dci
{
    public const string Version = "1.0.0";
    public const string RegType = "ns:org:RegistryType:Social";
    public const string RecordType = "Member";
    public const string IbrRegType = "ns:org:RegistryType:IBR";
    public const string IbrRecordType = "Beneficiary";

    public static class Actions
    {
        public const string Search = "search";
        public const string OnSearch = "on-search";
        public const string Subscribe = "subscribe";
        public const string OnSubscribe = "on-subscribe";
        public const string Unsubscribe = "unsubscribe";
        public const string OnUnsubscribe = "on-unsubscribe";
        public const string TxnStatus = "txn-status";
        public const string TxnOnStatus = "txn-on-status";
        public const string Notify = "notify";
    }

    /// <summary>The spec's <c>Error.code</c> values this registry answers with.</summary>
    public static class Errors
    {
        public const string Bad = "err.request.bad";
        public const string Unauthorized = "err.request.unauthorized";
        public const string Forbidden = "err.request.forbidden";
        public const string TooMany = "err.request.too_many_requests";
        public const string Version = "err.version.not_supported";
        public const string SenderId = "err.sender_id.invalid";
        public const string SenderUri = "err.sender_uri.invalid";
        public const string ReceiverId = "err.receiver_id.invalid";
        public const string SignatureMissing = "err.signature.missing";
        public const string SignatureInvalid = "err.signature.invalid";
        public const string Encryption = "err.encryption.invalid";
    }

    /// <summary>ISO 8601 with offset, as the spec's timestamps.</summary>
    public static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string NewId() => Guid.NewGuid().ToString("N");
}

/// <summary>A request refused before its message is read: the spec's error code, what to fix, and the HTTP status.</summary>
public sealed record DciError(string Code, string Message, int Status = StatusCodes.Status400BadRequest);

/// <summary>An envelope that passed the checks every DCI request passes (header, action, version, signature, encryption).</summary>
public sealed record DciRequest(JsonObject Header, JsonObject Message, string Action, string SenderId, string MessageId, Uri? SenderUri)
{
    public string? TransactionId => Message["transaction_id"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}

/// <summary>
/// The message envelope (<c>signature</c>, <c>header</c>, <c>message</c>) read and checked as the spec states, and the
/// acknowledgements and callback envelopes this registry writes. Every endpoint of <c>/dci/registry</c> passes
/// <see cref="Read"/> before it looks at its message, so a malformed envelope gets the same error code everywhere.
/// </summary>
public static class DciEnvelope
{
    public const int MaxIdLength = 99;

    public static (DciRequest? Request, DciError? Error) Read(JsonNode? body, ReadOnlyMemory<byte> raw, string expectedAction, DciSignatures signatures, DciOptions options)
    {
        if (body is not JsonObject envelope) return Fail("The body is not a JSON object with signature, header and message.");
        if (envelope["header"] is not JsonObject header) return Fail("The envelope has no header object.");
        if (!envelope.ContainsKey("message") || envelope["message"] is null) return Fail("The envelope has no message.");
        if (Text(header, "version") is { } version && version != Dci.Version)
            return (null, new DciError(Dci.Errors.Version, $"header.version {version} is not supported: this registry speaks DCI {Dci.Version}."));
        var action = Text(header, "action");
        if (action is null) return Fail("header.action is required.");
        if (action != expectedAction) return Fail($"header.action '{action}' is not this endpoint's: send '{expectedAction}'.");
        var messageId = Text(header, "message_id");
        if (string.IsNullOrWhiteSpace(messageId) || messageId.Length > MaxIdLength) return Fail($"header.message_id is required (at most {MaxIdLength} characters).");
        if (Text(header, "message_ts") is not { } ts || !DateTimeOffset.TryParse(ts, CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            return Fail("header.message_ts is required, an ISO 8601 date-time with its offset.");
        if (header["total_count"] is not JsonValue count || !count.TryGetValue<int>(out var total) || total < 0)
            return Fail("header.total_count is required, an integer.");
        var senderId = Text(header, "sender_id");
        if (string.IsNullOrWhiteSpace(senderId) || senderId.Length > 200)
            return (null, new DciError(Dci.Errors.SenderId, "header.sender_id is required (at most 200 characters)."));
        if (options.ReceiverIds.Count > 0 && Text(header, "receiver_id") is { } receiver && !options.ReceiverIds.Contains(receiver, StringComparer.Ordinal))
            return (null, new DciError(Dci.Errors.ReceiverId, $"header.receiver_id '{receiver}' is not this registry ({string.Join(", ", options.ReceiverIds)})."));
        Uri? senderUri = null;
        if (Text(header, "sender_uri") is { Length: > 0 } uriText)
        {
            if (!Uri.TryCreate(uriText, UriKind.Absolute, out senderUri) || senderUri.Scheme is not ("http" or "https"))
                return (null, new DciError(Dci.Errors.SenderUri, "header.sender_uri is not an absolute http(s) URI."));
            if (!options.CallbackAllowed(senderUri))
                return (null, new DciError(Dci.Errors.SenderUri,
                    $"header.sender_uri's host {senderUri.Authority} is not among the callback hosts this registry was configured to call (Dci:CallbackHosts)."));
        }
        if (header["is_msg_encrypted"] is JsonValue enc && enc.TryGetValue<bool>(out var encrypted) && encrypted
            || envelope["message"] is JsonObject m && m.ContainsKey("ciphertext"))
            return (null, new DciError(Dci.Errors.Encryption, "Encrypted messages are not accepted: send the message in clear; the transport is TLS."));
        if (envelope["message"] is not JsonObject message) return Fail("message is not an object.");
        if (signatures.Check(envelope, senderId, raw) is { } signatureError) return (null, signatureError);
        return (new DciRequest(header, message, action, senderId, messageId, senderUri), null);

        static (DciRequest?, DciError?) Fail(string why) => (null, new DciError(Dci.Errors.Bad, why));
    }

    public static string? Text(JsonObject? o, string name) =>
        o?[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>The spec's <c>Response</c>: ACK (a callback follows), NACK (valid, no callback: ask txn/status) or ERR.</summary>
    public static JsonObject Ack(string status, string correlationId, DciError? error = null)
    {
        var message = new JsonObject { ["ack_status"] = status, ["timestamp"] = Dci.Now(), ["correlation_id"] = correlationId };
        if (error is not null) message["error"] = new JsonObject { ["code"] = error.Code, ["message"] = error.Message };
        return new JsonObject { ["message"] = message };
    }

    /// <summary>
    /// The spec's <c>HttpErrorResponse</c> (<c>errors</c>: code, message) for 401 and 403, with the RFC 9457 problem fields
    /// beside it so generic HTTP clients read it too.
    /// </summary>
    public static JsonObject HttpError(int status, string code, string message) => new()
    {
        ["type"] = "https://standards.spdci.org/errors/" + code,
        ["title"] = code,
        ["status"] = status,
        ["detail"] = message,
        ["errors"] = new JsonArray(new JsonObject { ["code"] = code, ["message"] = message }),
    };

    /// <summary>The header of a response or callback (<c>MsgCallbackHeader</c>) to <paramref name="request"/>.</summary>
    public static JsonObject CallbackHeader(string action, string status, int total, int completed, string registryId, string receiverId,
        string? reasonMessage = null)
    {
        var header = new JsonObject
        {
            ["version"] = Dci.Version,
            ["message_id"] = Dci.NewId(),
            ["message_ts"] = Dci.Now(),
            ["action"] = action,
            ["status"] = status,
            ["total_count"] = total,
            ["completed_count"] = completed,
            ["sender_id"] = registryId,
            ["receiver_id"] = receiverId,
            ["is_msg_encrypted"] = false,
        };
        if (reasonMessage is not null) header["status_reason_message"] = reasonMessage;
        return header;
    }

    /// <summary>
    /// A response or callback envelope. Unsigned: the field is optional in the spec and this registry holds no signing key
    /// of its own yet (docs/api.md, DCI signatures), so it is left out rather than filled with something that is no signature.
    /// </summary>
    public static JsonObject Envelope(JsonObject header, JsonObject message) => new() { ["header"] = header, ["message"] = message };
}
