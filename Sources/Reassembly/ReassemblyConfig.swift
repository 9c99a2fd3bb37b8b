import Capture

/// Limits and timeouts of the flow tracker. Every limit that is hit emits an
/// anomaly on the connection (or a counter in the run's statistics): nothing
/// is dropped silently.
public struct ReassemblyConfig: Sendable {
    /// Payload bytes delivered per direction before only headers are tracked.
    /// The RDP handshake needs far less; later stages may stop earlier.
    public var payloadDepth = 256 * 1024
    /// Most connections held at once; beyond it the longest-idle one is evicted (and reported).
    public var maxFlows = 200_000
    /// Out-of-order bytes buffered per connection, and in the whole table.
    public var maxPendingBytesPerFlow = 256 * 1024
    public var maxPendingBytesTotal = 64 * 1024 * 1024
    /// Bytes of recently delivered payload kept per direction (while within the depth)
    /// to check that retransmitted bytes equal the first copy.
    public var overlapCheckWindow = 4 * 1024
    /// The ring those bytes are copied to, shared by all connections, when the capture's
    /// history (`CaptureHistory`) does not hold them or is about to let them go: a
    /// retransmission whose first copy is in neither (this many bytes delivered later,
    /// and out of the history) is not compared.
    public var overlapLogBytes = 16 * 1024 * 1024
    /// TCP ports on which a connection counts as RDP, and whose side is the server
    /// when no SYN was seen.
    public var serverPorts: [UInt16] = [3389]
    /// Capture-time idle timeouts (nanoseconds) after which a connection is finished:
    /// open connections; connections closed by FIN/RST (kept a little to see late
    /// packets, e.g. a genuine endpoint still talking after a forged reset); and
    /// connections that never got past the SYN (long enough to see SYN retries,
    /// which Linux spaces up to 64 s apart).
    public var idleTimeout: Int64 = 300 * CaptureTime.second
    public var closedTimeout: Int64 = 10 * CaptureTime.second
    /// A connection closed cleanly (`TCPConnection.closedCleanly`) is finished sooner:
    /// both ends are done, so there is no endpoint left to follow. Its last packets sent
    /// again later are still recognised for `closedTimeout` and counted
    /// (`TrackerStats.lateAfterClose`) rather than taken for a new connection. Finishing
    /// these early also finishes them while their state is still in the caches.
    public var closedCleanlyTimeout: Int64 = CaptureTime.second
    public var halfOpenTimeout: Int64 = 70 * CaptureTime.second
    /// How often (capture time) idle connections are looked for.
    public var sweepInterval: Int64 = CaptureTime.second

    public init() {}

    @inlinable
    public func isServerPort(_ port: UInt16) -> Bool {
        for p in serverPorts where p == port { return true }
        return false
    }
}
