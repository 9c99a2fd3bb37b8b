/// Things the reassembler noticed on a connection. Stable snake_case names:
/// they reach reports, and the diagnosis consumes them.
public enum StreamAnomaly: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// No SYN was seen: the capture started after the connection opened.
    case missingSYN
    /// Both sides sent a SYN without ACK.
    case simultaneousOpen
    /// Retransmitted bytes differ from the copy first delivered (the first copy wins).
    case overlapDifferentData
    /// Payload beyond the depth limit is no longer delivered; headers are still tracked.
    case depthReached
    /// The per-connection or global out-of-order budget ran out; buffered data was released with a gap.
    case pendingBudgetExceeded
    /// Bytes were acknowledged (or skipped) that the capture never held.
    case gap
    /// The capture cut the packet short (snap length): the rest of its payload is a gap.
    case truncatedPayload
    /// A segment far outside any plausible window (more than 1 GiB away).
    case sequenceImplausible
    /// Data after the sender's own FIN.
    case dataAfterFIN
    /// Data or a SYN seen after the connection was reset.
    case packetAfterReset
    /// An IP fragment carrying TCP: rdpdiag does not reassemble IP fragments.
    case ipFragment
    /// TCP options that ran past the header or had an impossible length.
    case malformedOptions
    /// The connection was evicted because the flow table was full.
    case evicted

    public var description: String {
        switch self {
        case .missingSYN: return "missing_syn"
        case .simultaneousOpen: return "simultaneous_open"
        case .overlapDifferentData: return "overlap_different_data"
        case .depthReached: return "reassembly_depth_reached"
        case .pendingBudgetExceeded: return "reassembly_pending_budget_exceeded"
        case .gap: return "reassembly_gap"
        case .truncatedPayload: return "snaplen_truncated_payload"
        case .sequenceImplausible: return "sequence_implausible"
        case .dataAfterFIN: return "data_after_fin"
        case .packetAfterReset: return "packet_after_reset"
        case .ipFragment: return "ip_fragment"
        case .malformedOptions: return "tcp_options_malformed"
        case .evicted: return "flow_evicted"
        }
    }
}
