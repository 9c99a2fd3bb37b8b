@testable import Dissect
import Reassembly
import TestSupport

/// Bytes from hex pieces; spaces are ignored. A bad digit is a test-authoring
/// error, so it traps here (test code, not packet code).
func hexBytes(_ pieces: String...) -> [UInt8] {
    let digits = pieces.joined().filter { !$0.isWhitespace }
    var out: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        out.append(UInt8(digits[index..<next], radix: 16)!)
        index = next
    }
    return out
}

// Builders for synthetic TLS bytes (RFC 8446 §3 presentation language).
func u16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }
func u24(_ v: Int) -> [UInt8] { [UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
func vec8(_ b: [UInt8]) -> [UInt8] { [UInt8(b.count)] + b }
func vec16(_ b: [UInt8]) -> [UInt8] { u16(UInt16(b.count)) + b }
func vec24(_ b: [UInt8]) -> [UInt8] { u24(b.count) + b }

func record(_ type: UInt8, _ payload: [UInt8], version: UInt16 = 0x0303) -> [UInt8] {
    [type] + u16(version) + u16(UInt16(payload.count)) + payload
}

func handshakeMessage(_ type: UInt8, _ body: [UInt8]) -> [UInt8] { [type] + u24(body.count) + body }

/// A minimal ServerHello body selecting `suite` (and, for TLS 1.3, supported_versions).
func serverHelloBody(suite: UInt16, tls13: Bool = false) -> [UInt8] {
    var body = u16(0x0303) + [UInt8](repeating: 0x11, count: 32) + vec8([]) + u16(suite) + [0]
    if tls13 { body += vec16(u16(43) + vec16(u16(0x0304))) }
    return body
}

/// The segments of one side of a recording.
func stream(_ segments: [RecordedSegment], fromClient: Bool) -> [(frame: Int, bytes: [UInt8])] {
    segments.filter { $0.fromClient == fromClient }.map { ($0.frame, hexBytes($0.hex)) }
}

/// Feeds a recording into a connection in capture order, each segment split
/// into chunks by `chunker` (segment length → chunk lengths).
@discardableResult
func replay(
    _ segments: [RecordedSegment], into connection: TLSConnection,
    chunker: (Int) -> [Int] = { [$0] }
) -> [(Direction, TLSEvent)] {
    var out: [(Direction, TLSEvent)] = []
    for segment in segments {
        let bytes = hexBytes(segment.hex)
        let direction: Direction = segment.fromClient ? .clientToServer : .serverToClient
        var start = 0
        for length in chunker(bytes.count) {
            bytes[start..<start + length].withUnsafeBytes {
                connection.feed(direction, bytes: $0, frame: segment.frame)
            }
            start += length
        }
        out += connection.parser(direction).takeEvents().map { (direction, $0) }
    }
    return out
}

/// SplitMix64 (Steele, Lea, Flood 2014): a tiny seeded PRNG so random tests repeat.

/// Random chunk lengths (1...maxChunk) that add up to `total`.
func randomChunks(_ total: Int, maxChunk: Int, rng: inout SplitMix64) -> [Int] {
    var out: [Int] = []
    var left = total
    while left > 0 {
        let n = min(left, Int.random(in: 1...maxChunk, using: &rng))
        out.append(n)
        left -= n
    }
    return out
}

extension TLSEvent {
    var handshake: TLSHandshakeMessage? {
        if case let .handshake(m, _) = self { return m }
        return nil
    }
    var encryptedRecord: TLSEncryptedRecord? {
        if case let .encrypted(r) = self { return r }
        return nil
    }
    var anomalyCode: String? {
        if case let .anomaly(e, _) = self { return e.code }
        return nil
    }
}

/// Parses one complete handshake message fixture.
func parseMessage(_ bytes: [UInt8], context: TLSHandshakeMessage.Context = .init()) -> DissectResult<TLSHandshakeMessage> {
    bytes.withUnsafeBytes { TLSHandshakeMessage.parse($0, context: context) }
}
