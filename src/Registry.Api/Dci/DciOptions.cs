namespace Registry.Api.Dci;

/// <summary>Settings of the DCI Social Registry API (section <c>Dci</c>); every one has a default that runs the demo.</summary>
public sealed class DciOptions
{
    public const string Section = "Dci";

    /// <summary>This registry's id in the headers it writes (<c>sender_id</c> of responses and callbacks).</summary>
    public string RegistryId { get; set; } = "registro-familias";

    /// <summary>
    /// The <c>receiver_id</c>s a request may name (err.receiver_id.invalid otherwise); empty: not checked, as partners'
    /// gateways often fill their own routing name there.
    /// </summary>
    public List<string> ReceiverIds { get; set; } = [];

    /// <summary>
    /// Hosts (<c>host</c> or <c>host:port</c>) this registry will call back (<c>sender_uri</c>, notify addresses):
    /// a callback is a request the registry makes on a partner's word, so only to partners' known addresses.
    /// Empty: none — a request naming a sender_uri is refused (err.sender_uri.invalid); one without is answered NACK and
    /// kept for txn/status.
    /// </summary>
    public List<string> CallbackHosts { get; set; } = [];

    /// <summary>The agency whose person ids are the UIN of <c>idtype-value</c> queries (null: UIN finds nobody).</summary>
    public string? UinAgency { get; set; }

    /// <summary>Whether every request must carry a verifiable signature (err.signature.missing without one).</summary>
    public bool RequireSignature { get; set; }

    /// <summary>Partners' signing keys (<c>Dci:SigningKeys:N:Kid</c> = <c>{sender_id}|{key_id}|ed25519</c>, <c>…:PublicKey</c> base64, 32 bytes).</summary>
    public List<DciSigningKey> SigningKeys { get; set; } = [];

    /// <summary>How often the callback sender and the notifier look for work.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Attempts before a callback is given up (with back-off: 2 s, 4 s, 8 s … capped at <see cref="MaxBackoff"/>).</summary>
    public int CallbackMaxAttempts { get; set; } = 12;

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How long one callback POST may take.</summary>
    public TimeSpan CallbackTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long exchanges are kept: transactions (with the search results txn/status returns — personal data) and callbacks
    /// delivered or given up are deleted after it. Subscriptions stay until unsubscribed.
    /// </summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Search requests in one message (a batch), at most.</summary>
    public int MaxBatch { get; set; } = 20;

    public bool CallbackAllowed(Uri uri) =>
        CallbackHosts.Any(h => string.Equals(h, uri.Host, StringComparison.OrdinalIgnoreCase) || string.Equals(h, uri.Authority, StringComparison.OrdinalIgnoreCase));
}
