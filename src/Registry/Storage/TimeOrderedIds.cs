using System.Security.Cryptography;

namespace Registry.Storage;

/// <summary>
/// UUIDv7 ids (RFC 9562: Unix milliseconds, then a counter, then random bits), increasing in the order this process
/// makes them (the RFC's method 1: a 14-bit counter in <c>rand_a</c> and the top of <c>rand_b</c>, reset each
/// millisecond; past 16,384 ids in one millisecond they borrow the next), with random bits from a per-thread pool of cryptographically secure bytes refilled 4 KB at a time.
/// Increasing matters: the resolver orders a row's candidates by record id, so records made in one millisecond
/// sort in the order they were made — not by chance — and the same chunks give the same persons (Steps/TurnStep).
/// <see cref="Guid.CreateVersion7()"/> is neither monotonic within a millisecond nor cheap: it asks the kernel for
/// 16 bytes per id (a <c>getrandom</c> system call each); a resolver makes three or four ids a record.
/// </summary>
public static class TimeOrderedIds
{
    private const int CounterBits = 14;
    [ThreadStatic] private static byte[]? pool;
    [ThreadStatic] private static int next;
    // Milliseconds << CounterBits | counter of the last id made; an overflowing counter borrows the next millisecond.
    private static long last;

    public static Guid Next()
    {
        var bytes = pool;
        if (bytes is null || next + 8 > bytes.Length)
        {
            bytes = pool ??= new byte[4096];
            RandomNumberGenerator.Fill(bytes);
            next = 0;
        }
        var r = bytes.AsSpan(next, 8);
        next += 8;
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() << CounterBits;
        long stamp, seen;
        do
        {
            seen = Volatile.Read(ref last);
            stamp = Math.Max(now, seen + 1);
        }
        while (Interlocked.CompareExchange(ref last, stamp, seen) != seen);
        var ms = stamp >> CounterBits;
        var counter = (int)(stamp & ((1L << CounterBits) - 1));
        return new Guid((int)(ms >> 16), (short)ms,
            (short)(0x7000 | (counter >> 2)),                              // version 7, the counter's high 12 bits
            (byte)(0x80 | ((counter & 3) << 4) | (r[0] & 0x0F)), r[1],     // variant 10, its low 2 bits, then random
            r[2], r[3], r[4], r[5], r[6], r[7]);                           // 60 random bits in all
    }
}
