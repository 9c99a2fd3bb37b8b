import Wire

/// TCP option bytes in the exact order a given stack writes them, for
/// captures whose stack fingerprint matters (judging resets compares them).
public enum TCPOptionBytes {
    /// Windows (Vista through Server 2022) SYN and SYN-ACK: MSS, NOP, window scale, NOP,
    /// NOP, SACK permitted; no timestamps (RFC 7323 is off by default on Windows).
    public static func windowsSYN(mss: UInt16 = 1460, windowScale: UInt8 = 8) -> [UInt8] {
        [2, 4, UInt8(mss >> 8), UInt8(mss & 0xFF), 1, 3, 3, windowScale, 1, 1, 4, 2]
    }
}

extension FrameBuilder {
    /// A TCP segment whose options are given as raw bytes (padded with NOPs to a multiple of 4).
    public static func tcpSegment(source: Endpoint, destination: Endpoint, sequence: UInt32, acknowledgment: UInt32,
                                  flags: TCPFlags, window: UInt16, rawOptions: [UInt8], payload: [UInt8] = []) -> [UInt8] {
        var opts = rawOptions
        while opts.count % 4 != 0 { opts.append(1) }
        let headerLength = 20 + opts.count
        var s: [UInt8] = []
        s.reserveCapacity(headerLength + payload.count)
        s += be16(source.port) + be16(destination.port) + be32(sequence) + be32(acknowledgment)
        s.append(UInt8(headerLength / 4) << 4 | UInt8(flags.rawValue >> 8 & 1))
        s.append(UInt8(flags.rawValue & 0xFF))
        s += be16(window) + [0, 0] + [0, 0]
        s += opts
        s += payload
        let sum = transportChecksum(s, source: source.address, destination: destination.address, protocolNumber: 6)
        s[16] = UInt8(sum >> 8)
        s[17] = UInt8(sum & 0xFF)
        return s
    }
}
