import Capture
import Diagnosis
@testable import Dissect
import Foundation
import Reassembly
import TestSupport
import Testing
import Wire

/// A capture of the regression corpus (Captures/), by file name.
func corpus(_ name: String) -> String { packageRoot.appendingPathComponent("Captures/\(name)").path }

func analyse(_ name: String) throws -> AnalysisResult {
    Analysis.run(reader: try CaptureReader(paths: [corpus(name)]))
}

/// The dissected handshake of recorded captures, checked against what
/// `tshark -V` shows for the same frames (values quoted in the comments).
@Suite struct HandshakeCaptureTests {
    @Test func standardSecurityHandshakeWithLicensing() throws {
        let result = try analyse("xrdp-rdp-security-fips-success.pcap")
        let c = try #require(result.connections.first)
        // tshark frame 4: "Cookie: mstshash=rdcuser", no RDP_NEG_REQ.
        guard case let .x224Request(cr)? = c.handshake.first(where: { $0.frame == 4 })?.message else {
            Issue.record("no Connection Request at frame 4"); return
        }
        #expect(cr.token == .cookie(identifier: "rdcuser"))
        #expect(cr.negotiationRequest == nil)
        // tshark frame 8: desktopWidth 1024, desktopHeight 768, clientBuild 18363, clientName vm, encryptionMethods 0x1b.
        guard case let .mcsConnectInitial(ci)? = c.handshake.first(where: { $0.frame == 8 })?.message,
              let core = ci.conference.core else { Issue.record("no MCS Connect Initial at frame 8"); return }
        #expect(core.desktopWidth == 1024 && core.desktopHeight == 768)
        #expect(core.clientBuild == 18363 && core.clientName == "vm")
        #expect(ci.conference.security?.encryptionMethods == 0x1B)
        #expect(ci.conference.network?.channels.map(\.name) == ["rdpdr", "rdpsnd", "cliprdr", "drdynvc"])
        // tshark frame 9: encryptionMethod FIPS140-1 3DES (0x10), encryptionLevel FIPS140-1 (4), serverRandomLen 32, channels 1003..1007.
        guard case let .mcsConnectResponse(resp)? = c.handshake.first(where: { $0.frame == 9 })?.message,
              let sec = resp.conference?.security else { Issue.record("no MCS Connect Response at frame 9"); return }
        #expect(resp.result == 0)
        #expect(sec.encryptionMethod == 0x10 && sec.encryptionLevel == 4 && sec.serverRandomLength == 32)
        #expect(resp.conference?.network?.mcsChannelId == 1003)
        // Frames 37 and 40: licensing (tshark 4.0 shows "Unknown" and "Malformed"; MS-RDPELE says
        // LICENSE_REQUEST, then ERROR_ALERT STATUS_VALID_CLIENT / ST_NO_TRANSITION).
        let licensing = c.handshake.compactMap { e -> (Int, LicensingPDU)? in
            if case let .licensing(pdu) = e.message { return (e.frame, pdu) }
            return nil
        }
        #expect(licensing.map(\.0) == [37, 40])
        #expect(licensing.first?.1.preamble.messageType == 0x01)
        if case let .errorAlert(alert)? = licensing.last?.1.message {
            #expect(alert.isValidClient)
        } else {
            Issue.record("frame 40 is not a licensing error alert")
        }
        #expect(c.stages.map(\.stage) == [.syn, .tcpEstablished, .x224Request, .x224Confirm, .mcsConnect, .licensing, .active])
        #expect(c.stages.first { $0.stage == .licensing }?.frame == 37)
        #expect(c.reached == .active)
        #expect(c.dissectAnomalies.isEmpty)
    }

    @Test func tls12HandshakeWithCertificate() throws {
        let result = try analyse("xrdp-tls12-trusted-cert-success.pcap")
        let c = try #require(result.connections.first)
        // tshark -d tcp.port==3389,tls frame 9: TLS 1.2, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (0xc030), one certificate.
        let tls = try #require(c.tls)
        #expect(tls.version == "TLS 1.2")
        #expect(tls.cipherSuite == "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384")
        #expect(tls.serverHelloFrame == 9 && tls.clientHelloFrame == 8)
        let cert = try #require(c.certificates.first)
        #expect(c.certificates.count == 1)
        #expect(cert.key?.description == "RSA 2048")
        // notBefore/notAfter as tshark prints them for this recording: a year apart.
        let before = try #require(cert.notValidBefore), after = try #require(cert.notValidAfter)
        #expect(after - before >= 365 * 86_400 && after - before <= 366 * 86_400)
        #expect(cert.validity(at: c.start) == .valid)
        let observed = c.stages.filter { $0.evidence == .observed }
        #expect(observed.map(\.stage) == [.syn, .tcpEstablished, .x224Request, .x224Confirm, .tlsClientHello, .tlsServerHello, .tlsEstablished])
        // Both Finished messages are seen as protected handshake records: established at the server's (frame 11).
        #expect(observed.last?.frame == 11)
        // Inside TLS: MCS Connect Initial is the client's first record (frame 12, 467 bytes of plaintext),
        // licensing the server's 34-byte "valid client" record, active its Demand Active.
        let inferred = c.stages.filter { $0.evidence == .inferred }
        #expect(inferred.map(\.stage) == [.mcsConnect, .licensing, .active])
        #expect(inferred.first?.frame == 12)
        #expect(c.inferredPDUs.contains { $0.kind == .licensingValidClient && $0.plaintext == 34 && $0.direction == .serverToClient })
        #expect(c.verdict?.cause == .ok)
    }

    @Test func negotiationFailureIsParsed() throws {
        let c = try #require(try analyse("xrdp-neg-failure-ssl-required.pcap").connections.first)
        let failure = c.handshake.compactMap { e -> RDPNegotiationFailure? in
            if case let .x224Confirm(cc) = e.message, case let .failure(f) = cc.negotiation { return f }
            return nil
        }
        #expect(failure.map(\.failureCode) == [1])
        #expect(failure.first?.failureName == "SSL_REQUIRED_BY_SERVER")
        #expect(c.reached == .x224Confirm)
    }

    @Test func tlsAlertFromTheServer() throws {
        let c = try #require(try analyse("xrdp-tls-cipher-mismatch.pcap").connections.first)
        let alerts = c.handshake.compactMap { e -> (Direction, TLSAlert)? in
            if case let .tlsAlert(a) = e.message { return (e.direction, a) }
            return nil
        }
        #expect(alerts.count == 1)
        #expect(alerts.first?.0 == .serverToClient)
        #expect(alerts.first?.1.alertDescription == .handshakeFailure && alerts.first?.1.isFatal == true)
        #expect(c.reached == .tlsClientHello)
    }
}

/// Feeding the same streams whole, byte by byte, or in random pieces gives the same timeline.
@Suite struct DissectorChunkingTests {
    /// The in-order streams of a capture's first connection, as (direction, bytes) runs.
    final class StreamCollector: StreamConsumer {
        var pieces: [(Direction, [UInt8])] = []
        func opened(_ connection: TCPConnection) {}
        func data(_ connection: TCPConnection, _ direction: Direction, _ bytes: UnsafeRawBufferPointer,
                  offset: UInt64, frame: Int, time: CaptureTime) -> PayloadDecision {
            if connection.id == 0 {
                if let last = pieces.last, last.0 == direction { pieces[pieces.count - 1].1 += bytes } else { pieces.append((direction, Array(bytes))) }
            }
            return .keep
        }
        func gap(_ connection: TCPConnection, _ direction: Direction, offset: UInt64, length: UInt64, frame: Int) {}
        func ended(_ connection: TCPConnection, _ direction: Direction, frame: Int, time: CaptureTime) {}
        func segment(_ connection: TCPConnection, _ segment: SegmentEvent) {}
        func anomaly(_ connection: TCPConnection, _ anomaly: StreamAnomaly, frame: Int) {}
        func icmpError(_ connection: TCPConnection, _ message: ICMPMessage, direction: Direction, reporter: IPAddress, ttl: UInt8, frame: Int, time: CaptureTime) {}
        func finished(_ connection: TCPConnection) {}
    }

    func streams(_ name: String) throws -> [(Direction, [UInt8])] {
        let collector = StreamCollector()
        let tracker = FlowTracker(consumer: collector)
        let reader = try CaptureReader(paths: [corpus(name)])
        while let frame = reader.next() { tracker.ingest(frame) }
        tracker.finishAll()
        return collector.pieces
    }

    func timeline(_ pieces: [(Direction, [UInt8])], chunk: (Int) -> Int) -> [String] {
        let dissector = ConnectionDissector()
        for (direction, bytes) in pieces {
            var offset = 0
            while offset < bytes.count {
                let n = max(1, min(bytes.count - offset, chunk(bytes.count - offset)))
                bytes[offset..<offset + n].withUnsafeBytes { dissector.feed(direction, $0, frame: 1, time: .zero) }
                offset += n
            }
        }
        return dissector.timeline.map { "\($0.direction) \($0.message.name) \(HandshakeDescriptionProbe.text($0.message))" }
            + dissector.anomalies.map { "anomaly \($0.code)" }
    }

    @Test(arguments: ["xrdp-rdp-security-fips-success.pcap", "xrdp-tls12-trusted-cert-success.pcap", "xrdp-tls-success.pcap",
                      "xrdp-neg-failure-ssl-required.pcap"])
    func wholeByteByByteAndRandomChunksAgree(name: String) throws {
        let pieces = try streams(name)
        #expect(!pieces.isEmpty)
        let whole = timeline(pieces) { $0 }
        #expect(whole.count >= 3)
        #expect(timeline(pieces) { _ in 1 } == whole)
        var rng = SplitMix64(seed: 77)
        #expect(timeline(pieces) { _ in 1 + rng.below(700) } == whole)
    }
}

/// A stable text of a message for comparisons (its Equatable value printed).
enum HandshakeDescriptionProbe {
    static func text(_ m: HandshakeMessage) -> String { String(describing: m) }
}

/// The dissector reads whole application-data records itself while a side's TLS
/// parser is between records; the timeline must be the one the parser alone gives,
/// frames included, however the stream is cut.
@Suite struct ApplicationDataShortcutTests {
    func timeline(_ pieces: [(Direction, [UInt8])], shortcut: Bool, seed: UInt64) -> [String] {
        let dissector = ConnectionDissector()
        dissector.readsApplicationDataItself = shortcut
        var rng = SplitMix64(seed: seed)
        var frame = 0
        for (direction, bytes) in pieces {
            var offset = 0
            while offset < bytes.count {
                // Mostly segment-sized pieces, now and then tiny ones that split record headers.
                let n = min(bytes.count - offset, rng.below(4) == 0 ? 1 + rng.below(6) : 1 + rng.below(1500))
                frame += 1
                bytes[offset..<offset + n].withUnsafeBytes { dissector.feed(direction, $0, frame: frame, time: CaptureTime(nanoseconds: Int64(frame))) }
                offset += n
            }
        }
        return dissector.timeline.map { "\($0.frame) \($0.time.nanoseconds) \($0.direction) \(HandshakeDescriptionProbe.text($0.message))" }
            + dissector.anomalies.map { "anomaly \($0.code) \($0.frame)" }
            + ["\(dissector.encryptedRecordCount)"]
    }

    @Test(arguments: ["xrdp-tls-success.pcap", "xrdp-tls12-trusted-cert-success.pcap", "shadow-nla-success.pcap", "synth-win-tls13-set-error-info-denied.pcap"])
    func sameTimelineWithAndWithoutTheShortcut(name: String) throws {
        let pieces = try DissectorChunkingTests().streams(name)
        for seed in 1...6 as ClosedRange<UInt64> {
            let parserOnly = timeline(pieces, shortcut: false, seed: seed)
            #expect(parserOnly.filter { $0.contains("tlsEncrypted") && $0.contains("applicationData") }.count >= 4, "\(name)")
            #expect(timeline(pieces, shortcut: true, seed: seed) == parserOnly, "\(name) seed \(seed)")
        }
    }
}
