import Capture
import Reassembly
import Wire

/// How a RST is judged (DESIGN.md "Judging a reset").
public enum ResetJudgement: String, Sendable {
    case genuine, forged, undetermined
}

/// The signals that can mark a RST as injected by an in-path device. Strong
/// ones (ttl, timing, race) can blame the network on their own.
public enum ResetSignal: String, Sendable, CaseIterable {
    /// TTL / hop limit differs from what the claimed sender's other packets carry.
    case ttl
    /// The IPv4 ID does not fit the claimed sender's ID series.
    case ipID = "ip_id"
    /// It came back sooner after the packet that provoked it than the sender's RTT allows.
    case timing
    /// The claimed sender kept sending after its own RST: the real endpoint never reset.
    case race
    /// Several RSTs in a burst with stepped sequence numbers.
    case burst
    /// The sequence number matches the other side's ACK, not what the sender had sent.
    case seq
    /// The RST carries payload.
    case payload

    public var isStrong: Bool { self == .ttl || self == .timing || self == .race }
}

/// A judged RST.
public struct ResetVerdict: Sendable {
    public var reset: ResetPacket
    public var judgement: ResetJudgement
    public var signals: [ResetSignal]
    /// Why, in a few words per signal (or why it is undetermined).
    public var notes: [String]
}

/// Compares each RST with the profile of the host it claims to come from:
/// first that host's other packets in this connection, then its packets in
/// other connections of the capture. Rules follow from how endpoints behave:
/// a host's TTL at a fixed capture point is stable (same initial TTL, same
/// path); a counting IP ID stack keeps counting; a reply cannot come back
/// faster than the round trip to the host that sends it; and a host that
/// reset a connection does not go on sending on it.
enum ResetJudge {
    /// Handshake RTTs below this are too small (same host, namespaces) to judge timing by.
    static let minimumRTTForTiming: Int64 = CaptureTime.millisecond
    /// RSTs closer together than this count as one burst.
    static let burstWindow: Int64 = 10 * CaptureTime.millisecond
    /// A RST's IP ID is placed in the sender's counting series only when the packet
    /// the series is known from is this close in time: the series is the sender's
    /// recent run, and a busy host's counter moves by thousands a second. (An ID of 0
    /// from a counting sender stands out at any distance: its counter passes 0 once
    /// in 65,536 packets.)
    static let ipIDSeriesSpan: Int64 = CaptureTime.second

    /// The initial TTL a sender most likely used: the common defaults 64, 128 and 255,
    /// the smallest one not below what arrived.
    static func initialTTL(of profile: TTLProfile) -> Int {
        let seen = Int(profile.ttls.map(\.ttl).max() ?? 0)
        return seen <= 64 ? 64 : (seen <= 128 ? 128 : 255)
    }

    static func judge(_ resets: [ResetPacket], observations: Observations, connection c: ConnectionSummary,
                      hosts: HostProfiles) -> [ResetVerdict] {
        resets.map { judge($0, all: resets, observations: observations, connection: c, hosts: hosts) }
    }

    static func judge(_ r: ResetPacket, all: [ResetPacket], observations: Observations, connection c: ConnectionSummary,
                      hosts: HostProfiles) -> ResetVerdict {
        let d = Int(r.direction.rawValue)
        var signals: [ResetSignal] = []
        var notes: [String] = []
        let sender = r.direction == .clientToServer ? c.client.address : c.server.address
        // The sender's profile: this connection first, else the host across the capture.
        var profile = observations.senders[d].profile
        var scope = "this connection"
        if !profile.hasTTL, let host = hosts.profile(sender), host.hasTTL {
            profile = host
            scope = "other connections of \(sender)"
        }
        var compared = false
        if profile.hasTTL {
            compared = true
            if !profile.contains(ttl: r.ttl) {
                signals.append(.ttl)
                let seen = profile.ttls.map { String($0.ttl) }.joined(separator: "/")
                notes.append("TTL \(r.ttl), while \(r.direction.sender) packets in \(scope) carry \(seen)")
            }
            if !r.isIPv6 && profile.isIPv4 {
                // Linux (and other stacks with initial TTL 64) send every RST with IP ID 0,
                // whatever their data packets carry; Windows (TTL 128) keeps counting.
                let zeroIsNormal = r.ipID == 0 && initialTTL(of: profile) == 64
                if profile.countsUp, let last = profile.lastIPID, !zeroIsNormal,
                   r.ipID == 0 || r.time.distance(to: profile.lastIPIDTime) <= UInt64(ipIDSeriesSpan) {
                    // A counting stack's IDs grow in capture order. The packet the profile
                    // last saw can come after the RST: another connection of the host that
                    // went on longer, or the sender still talking after a forged RST. Then
                    // the RST's ID belongs a little before it in the series.
                    let before = profile.lastIPIDFrame < r.frame
                    let step = before ? (r.ipID &- last) & 0xFFFF : (last &- r.ipID) & 0xFFFF
                    if step == 0 || step > 4096 {
                        signals.append(.ipID)
                        notes.append(before
                            ? "IP ID \(r.ipID) does not follow the sender's counting series (last \(last))"
                            : "IP ID \(r.ipID) does not fit the sender's counting series (\(last) in frame \(profile.lastIPIDFrame), after the RST)")
                    }
                } else if profile.alwaysZero && r.ipID != 0 {
                    signals.append(.ipID)
                    notes.append("IP ID \(r.ipID), while the sender's packets all carry 0")
                }
            }
        }
        // Timing: the round trip from the capture point to the claimed sender.
        let rtt = r.direction == .serverToClient ? c.serverRTT : c.clientRTT
        if let rtt, rtt >= minimumRTTForTiming, let provoked = r.provokedByTime {
            let delay = r.time.nanoseconds(since: provoked)
            if delay >= 0 && delay < rtt - delay {  // delay * 2 < rtt, without overflow
                signals.append(.timing)
                notes.append("came \(delay / 1000) µs after frame \(r.provokedByFrame ?? 0); the round trip to the \(r.direction.sender) is \(rtt / 1000) µs")
            }
        }
        // Race: the claimed sender kept sending after its own (first) RST.
        if let first = all.first(where: { $0.direction == r.direction }), first.frame == r.frame,
           observations.senders[d].afterOwnReset > 0, let later = observations.senders[d].firstAfterOwnReset {
            signals.append(.race)
            notes.append("the \(r.direction.sender) sent \(observations.senders[d].afterOwnReset) more packet(s) after it, first frame \(later)")
        }
        // Burst: several RSTs from the same side within a few ms, with different sequence numbers.
        let burst = all.filter { $0.direction == r.direction && $0.time.distance(to: r.time) <= UInt64(burstWindow) }
        if burst.count >= 3 && Set(burst.map(\.sequence)).count >= 3 {
            signals.append(.burst)
            notes.append("\(burst.count) RSTs within \(burstWindow / CaptureTime.millisecond) ms with stepped sequence numbers")
        }
        // Seq: placed at what the peer acknowledged while the sender had sent more.
        if r.streamOffset >= 0 && UInt64(r.streamOffset) == r.peerAckedOffset && r.peerAckedOffset < r.expectedOffset {
            signals.append(.seq)
            notes.append("sequence number matches the \(r.direction.reversed.sender)'s ACK, not the \(r.expectedOffset - r.peerAckedOffset) bytes the \(r.direction.sender) had sent since")
        }
        if r.payloadLength > 0 {
            signals.append(.payload)
            notes.append("carries \(r.payloadLength) bytes of payload")
        }
        // Timing alone is weaker than it looks: the round trip is one handshake sample, and a
        // slow SYN-ACK (a busy server) or late capture timestamps (a loaded gateway, interrupt
        // coalescing, a replay) stretch it until a prompt genuine RST looks impossibly fast.
        // When the sender's TTL and IP ID were compared and fit, timing is not enough.
        let timingAlone = compared && signals == [.timing]
        let judgement: ResetJudgement
        if signals.contains(where: \.isStrong) && !timingAlone {
            judgement = .forged
        } else if timingAlone {
            judgement = .undetermined
            notes.append("TTL \(r.ttl) and IP ID fit the \(r.direction.sender)'s packets in \(scope), so timing alone does not show an injected RST")
        } else if signals.isEmpty && compared {
            judgement = .genuine
            notes.append("TTL \(r.ttl) matches the \(r.direction.sender)'s packets in \(scope)")
        } else {
            judgement = .undetermined
            if !compared { notes.append("no other packet from \(sender) to compare with") }
        }
        return ResetVerdict(reset: r, judgement: judgement, signals: signals, notes: notes)
    }
}
