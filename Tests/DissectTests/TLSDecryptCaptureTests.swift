import Capture
@testable import Dissect
import Foundation
import Reassembly
import Testing
import Wire

// Real data: captures recorded from FreeRDP against xrdp with an OpenSSL
// keylog preload (copied from Captures/ into Fixtures/ with their .keys;
// see Captures/README.md for how they were made).

private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

/// Reassembles TCP, skips each direction's X.224 PDU (the TPKT before TLS
/// starts), and feeds the rest into one TLSConnection with a TLSDecryptor.
private final class DecryptingConsumer: StreamConsumer {
    let keyLog: TLSKeyLog
    var connections: [Int: (tls: TLSConnection, decryptor: TLSDecryptor)] = [:]
    /// Bytes of the clear X.224 PDU still to skip, per connection and direction.
    var skip: [Int: [Direction: Int]] = [:]
    var plaintext: [Int: [Direction: [(bytes: [UInt8], frame: Int)]]] = [:]
    var alerts: [Int: [Direction: [TLSAlert]]] = [:]

    init(keyLog: TLSKeyLog) { self.keyLog = keyLog }

    func opened(_ connection: TCPConnection) {
        let tls = TLSConnection()
        let decryptor = TLSDecryptor(keyLog: keyLog, session: tls.session)
        decryptor.attach(to: tls)
        connections[connection.id] = (tls, decryptor)
    }

    func data(_ connection: TCPConnection, _ direction: Direction, _ bytes: UnsafeRawBufferPointer,
              offset: UInt64, frame: Int, time: CaptureTime) -> PayloadDecision {
        guard let (tls, decryptor) = connections[connection.id] else { return .stopConnection }
        var rest = bytes
        if offset == 0, bytes.count >= 4, bytes[0] == 3 {
            // TPKT [RFC 1006 §6]: version 3, reserved, length u16 (whole PDU).
            skip[connection.id, default: [:]][direction] = Int(bytes[2]) << 8 | Int(bytes[3])
        }
        let toSkip = min(skip[connection.id]?[direction] ?? 0, rest.count)
        if toSkip > 0 {
            skip[connection.id]?[direction]? -= toSkip
            rest = UnsafeRawBufferPointer(rebasing: rest[toSkip...])
        }
        if !rest.isEmpty { tls.feed(direction, bytes: rest, frame: frame) }
        _ = tls.parser(direction).takeEvents()
        for event in decryptor.takeEvents(direction) {
            switch event {
            case let .applicationData(b, frames):
                plaintext[connection.id, default: [:]][direction, default: []].append((b, frames.last))
            case let .alert(alert, _):
                alerts[connection.id, default: [:]][direction, default: []].append(alert)
            default:
                break
            }
        }
        return .keep
    }

    func gap(_ connection: TCPConnection, _ direction: Direction, offset: UInt64, length: UInt64, frame: Int) {}
    func ended(_ connection: TCPConnection, _ direction: Direction, frame: Int, time: CaptureTime) {}
    func segment(_ connection: TCPConnection, _ segment: SegmentEvent) {}
    func anomaly(_ connection: TCPConnection, _ anomaly: StreamAnomaly, frame: Int) {}
    func icmpError(_ connection: TCPConnection, _ message: ICMPMessage, direction: Direction,
                   reporter: IPAddress, ttl: UInt8, frame: Int, time: CaptureTime) {}
    func finished(_ connection: TCPConnection) {}
}

struct CaptureCase: CustomStringConvertible, Sendable {
    var name: String
    var kind: TLSSecretsKind
    var version: TLSVersion
    var suite: UInt16
    var description: String { name }
}

@Suite struct TLSDecryptCaptureTests {
    @Test(arguments: [
        CaptureCase(name: "xrdp-tls12-trusted-cert-success", kind: .tls12MasterSecret, version: .tls12, suite: 0xC030),
        CaptureCase(name: "xrdp-tls-success", kind: .tls13TrafficSecrets, version: .tls13, suite: 0x1302),
    ])
    func decryptsRecordedCapture(_ c: CaptureCase) throws {
        let pcap = fixtures.appendingPathComponent("\(c.name).pcap").path
        let keys = fixtures.appendingPathComponent("\(c.name).keys").path
        let consumer = DecryptingConsumer(keyLog: try TLSKeyLog(paths: [keys]))
        #expect(consumer.keyLog.issueCount == 0)
        let reader = try CaptureReader(paths: [pcap])
        let tracker = FlowTracker(config: ReassemblyConfig(), consumer: consumer)
        while let frame = reader.next() { tracker.ingest(frame) }
        tracker.finishAll()

        #expect(consumer.connections.count == 1)
        let (tls, decryptor) = try #require(consumer.connections.values.first)
        let id = try #require(consumer.connections.keys.first)
        #expect(tls.session.negotiatedVersion == c.version)
        #expect(tls.session.cipherSuite == TLSCipherSuite(rawValue: c.suite))

        // Every protected record authenticated.
        let s = decryptor.summary
        #expect(s.secretsFound == true)
        #expect(s.secretsKind == c.kind)
        #expect(s.client.failed == 0 && s.server.failed == 0, "\(s)")
        #expect(s.client.decrypted > 5 && s.server.decrypted > 5, "\(s)")
        #expect(tls.client.stoppedBy == nil && tls.server.stoppedBy == nil)
        // The certificate chain is known in TLS 1.3 too (decrypted Certificate).
        #expect(tls.session.serverCertificates?.isEmpty == false)

        // The inner streams are RDP: TPKT + X.224 Data + MCS Connect Initial / Response.
        let client = try #require(consumer.plaintext[id]?[.clientToServer]).flatMap(\.bytes)
        let server = try #require(consumer.plaintext[id]?[.serverToClient]).flatMap(\.bytes)
        #expect(Array(client.prefix(9)).enumerated().filter { [0, 1, 4, 5, 6, 7, 8].contains($0.offset) }.map(\.element)
                == [0x03, 0x00, 0x02, 0xF0, 0x80, 0x7F, 0x65])
        #expect(Array(server.prefix(9)).enumerated().filter { [0, 1, 4, 5, 6, 7, 8].contains($0.offset) }.map(\.element)
                == [0x03, 0x00, 0x02, 0xF0, 0x80, 0x7F, 0x66])
        // TPKT lengths chain through the whole client stream: the records hold
        // exactly the RDP byte stream, nothing lost or duplicated.
        #expect(tpktWalk(client) == client.count)
        // Frames are those of the capture, in order.
        let frames = consumer.plaintext[id]?[.clientToServer]?.map(\.frame) ?? []
        #expect(frames == frames.sorted() && (frames.first ?? 0) > 8)
    }

    /// xrdp answers the client's FIN with a fatal decode_error alert, which
    /// in TLS 1.3 is encrypted (Captures/README.md, frame 188).
    @Test func tls13AlertIsDecrypted() throws {
        let consumer = DecryptingConsumer(
            keyLog: try TLSKeyLog(paths: [fixtures.appendingPathComponent("xrdp-tls-success.keys").path]))
        let reader = try CaptureReader(paths: [fixtures.appendingPathComponent("xrdp-tls-success.pcap").path])
        let tracker = FlowTracker(config: ReassemblyConfig(), consumer: consumer)
        while let frame = reader.next() { tracker.ingest(frame) }
        tracker.finishAll()
        let alerts = consumer.alerts.values.first?[.serverToClient] ?? []
        #expect(alerts == [TLSAlert(level: .fatal, description: TLSAlertDescription(rawValue: 50))])
        #expect(alerts.first?.description == "fatal decode_error")
    }
}

/// Walks TPKT headers [RFC 1006 §6] (and RDP fast-path PDUs, whose first
/// byte's low bits are 0 and length is 1 or 2 bytes [MS-RDPBCGR 2.2.9.1.2]);
/// returns how many bytes whole PDUs cover.
private func tpktWalk(_ bytes: [UInt8]) -> Int {
    var at = 0
    while at + 4 <= bytes.count {
        let length: Int
        if bytes[at] == 3 {
            length = Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
        } else if bytes[at] & 0x03 == 0 {
            let b1 = Int(bytes[at + 1])
            length = b1 & 0x80 == 0 ? b1 : (b1 & 0x7F) << 8 | Int(bytes[at + 2])
        } else {
            return at
        }
        guard length >= 2, at + length <= bytes.count else { return at }
        at += length
    }
    return at
}
