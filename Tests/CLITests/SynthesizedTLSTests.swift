import Capture
import Diagnosis
import Dissect
import Foundation
import Testing
@testable import rdpdiag_capture_synth

/// The really encrypted synthesized captures (Captures/synth/SealedScenarios.swift): with
/// their key log every record decrypts and the verdict names the exact code; without it the
/// verdict is what record sizes and order allow (Captures/synth/ground-truth.json, "without_keys").
@Suite struct SynthesizedTLSTests {
    static let names = ["synth-win-tls12-licensing-no-license-server", "synth-win-tls13-set-error-info-denied",
                        "synth-win-tls12-nla-logon-failure"]

    func analyse(_ name: String, keys: Bool) throws -> ConnectionSummary {
        let keyLog = keys ? try TLSKeyLog(paths: [corpus("\(name).keys")]) : nil
        let result = Analysis.run(reader: try CaptureReader(paths: [corpus("\(name).pcap")]), keyLog: keyLog)
        #expect(result.connections.count == 1)
        return try #require(result.connections.first)
    }

    /// Every protected record of both directions opened, and the stages reached inside TLS
    /// were read, not inferred.
    func expectFullyDecrypted(_ c: ConnectionSummary, insideTLS: [Stage], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let d = try #require(c.decryption, sourceLocation: sourceLocation)
        #expect(d.decrypted && d.secretsFound == true, sourceLocation: sourceLocation)
        #expect(d.client.failed == 0 && d.server.failed == 0, "\(d)", sourceLocation: sourceLocation)
        #expect(d.client.decrypted == c.encryptedRecords.0 && d.server.decrypted == c.encryptedRecords.1,
                "\(d) of \(c.encryptedRecords)", sourceLocation: sourceLocation)
        let inside = c.stages.filter { insideTLS.contains($0.stage) }
        #expect(inside.map(\.stage) == insideTLS, sourceLocation: sourceLocation)
        #expect(inside.allSatisfy { $0.evidence == .observed }, "\(inside)", sourceLocation: sourceLocation)
        #expect(c.dissectAnomalies.isEmpty, "\(c.dissectAnomalies)", sourceLocation: sourceLocation)
    }

    func detail(_ f: Finding, _ key: String) -> FindingValue? { f.detail.first { $0.0 == key }?.1 }

    // MARK: with the key log

    @Test func tls12LicensingDecryptsAndNamesTheLicensingError() throws {
        let c = try analyse("synth-win-tls12-licensing-no-license-server", keys: true)
        #expect(c.decryption?.secretsKind == .tls12MasterSecret)
        #expect(c.tls?.version == "TLS 1.2" && c.tls?.cipherSuite == "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384")
        // TLS 1.2: the Finished messages are decrypted too, so tls_established is observed as well.
        try expectFullyDecrypted(c, insideTLS: [.tlsEstablished, .mcsConnect, .licensing])
        let v = try #require(c.verdict)
        #expect(v.cause == .licensingFailed && v.side == .server && v.confidence == .high)
        #expect(v.summary.contains("ERR_NO_LICENSE_SERVER") && v.evidenceFrames == [30])
        #expect(c.reached == .licensing)
        let licensing = try #require(c.findings.first { $0.kind == "licensing" && $0.frames == [30] })
        #expect(licensing.evidence == .observed && licensing.severity == .error)
        #expect(detail(licensing, "error_name") == .string("ERR_NO_LICENSE_SERVER"))
        #expect(detail(licensing, "state_transition") == .string("ST_TOTAL_ABORT"))
    }

    @Test func tls13SetErrorInfoDecryptsAndNamesErrorInfo7() throws {
        let c = try analyse("synth-win-tls13-set-error-info-denied", keys: true)
        #expect(c.decryption?.secretsKind == .tls13TrafficSecrets)
        #expect(c.tls?.version == "TLS 1.3" && c.tls?.cipherSuite == "TLS_AES_128_GCM_SHA256")
        // The certificate is only sent encrypted in TLS 1.3: it comes from the decrypted handshake.
        #expect(c.certificates.first?.subject == "CN=RDS01.corp.example.com")
        // TLS 1.3's tls_established stays inferred here even with the key log (rdpdiag marks it from
        // the client's protected Finished record, frame 8); the stages after it are observed.
        try expectFullyDecrypted(c, insideTLS: [.mcsConnect, .licensing])
        #expect(c.stages.first { $0.stage == .tlsEstablished }?.frame == 8)
        let v = try #require(c.verdict)
        #expect(v.cause == .serverDeniedConnection && v.side == .server && v.confidence == .high)
        #expect(v.summary.contains("ERRINFO_SERVER_DENIED_CONNECTION") && v.evidenceFrames == [27])
        #expect(c.reached == .licensing)
        let errorInfo = try #require(c.findings.first { $0.kind == "error_info" })
        #expect(errorInfo.frames == [27] && errorInfo.evidence == .observed)
        #expect(detail(errorInfo, "code") == .int(7))
        // Licensing itself ended normally: STATUS_VALID_CLIENT, a note, not the cause.
        let licensing = try #require(c.findings.first { $0.kind == "licensing" })
        #expect(licensing.frames == [26] && licensing.severity == .info)
    }

    @Test func tls12NLADecryptsAndNamesStatusLogonFailure() throws {
        let c = try analyse("synth-win-tls12-nla-logon-failure", keys: true)
        #expect(c.selectedProtocol == 0x2)
        try expectFullyDecrypted(c, insideTLS: [.tlsEstablished, .nla])
        let v = try #require(c.verdict)
        #expect(v.cause == .nlaFailed && v.side == .server && v.confidence == .high)
        #expect(v.summary.contains("STATUS_LOGON_FAILURE") && v.evidenceFrames == [13])
        #expect(c.reached == .nla)
        // The four TSRequests, read from the decrypted stream, as MS-CSSP 3.1.5 orders them.
        let requests = c.handshake.compactMap { e -> (Int, TSRequest)? in
            if case let .credSSP(r) = e.message { return (e.frame, r) }
            return nil
        }
        #expect(requests.map(\.0) == [10, 11, 12, 13])
        #expect(requests.map(\.1.version) == [6, 6, 6, 6])
        #expect(requests.map(\.1.firstNegoToken) == [.ntlm(messageType: 1), .ntlm(messageType: 2), .ntlm(messageType: 3), nil])
        #expect(requests[2].1.pubKeyAuthLength == 48 && requests[2].1.clientNonceLength == 32)
        #expect(requests[3].1.errorCode == 0xC000_006D && requests[3].1.errorCodeName == "STATUS_LOGON_FAILURE")
        // The server's close_notify is read too.
        let alerts = c.handshake.compactMap { e -> Int? in
            if case let .tlsAlert(a) = e.message, a.alertDescription == .closeNotify { return e.frame }
            return nil
        }
        #expect(alerts == [14])
    }

    // MARK: without the key log

    /// What the records' sizes and order allow. The Set Error Info capture is the one where it
    /// falls short of the truth: the PDU is recognised by its size, its code (0x7) needs the keys.
    @Test(arguments: [
        ("synth-win-tls12-licensing-no-license-server", Cause.licensingFailed, Stage.licensing, 32),
        ("synth-win-tls13-set-error-info-denied", .serverErrorInfo, .licensing, 29),
        ("synth-win-tls12-nla-logon-failure", .nlaFailed, .nla, 14),
    ])
    func withoutKeysTheVerdictIsInferred(name: String, cause: Cause, reached: Stage, closeFrame: Int) throws {
        let c = try analyse(name, keys: false)
        #expect(c.decryption == nil || c.decryption?.decrypted == false)
        let v = try #require(c.verdict)
        #expect(v.cause == cause && v.side == .server && v.confidence == .medium)
        #expect(v.evidenceFrames.contains(closeFrame))
        #expect(c.reached == reached)
        #expect(c.stages.filter { $0.stage >= .nla }.allSatisfy { $0.evidence == .inferred })
        #expect(!c.findings.contains { ["licensing", "error_info"].contains($0.kind) }, "no code is known without the keys")
    }

    @Test func withoutKeysTheEncryptedPDUsAreRecognisedBySize() throws {
        // TLS 1.3 Set Error Info: a 36-byte record right before the 9-byte DPUm, after the 34-byte "valid client".
        let denied = try analyse("synth-win-tls13-set-error-info-denied", keys: false)
        let kinds = denied.inferredPDUs.map { "\($0.kind.rawValue)@\($0.frame)" }
        #expect(kinds.contains("licensing_valid_client@26") && kinds.contains("set_error_info@27")
                && kinds.contains("disconnect_provider_ultimatum@28"), "\(kinds)")
        // TLS 1.2 licensing: the Error Alert with an empty blob has the 34 bytes of a "valid client" message,
        // so without keys it cannot be told from one; the close right after it is what gives the cause.
        let licensing = try analyse("synth-win-tls12-licensing-no-license-server", keys: false)
        #expect(licensing.inferredPDUs.contains { $0.kind == .licensingValidClient && $0.frame == 30 })
    }

    // MARK: generation

    /// Two runs give the same frames, times, marks and key logs, and they are the files in Captures/.
    @Test(arguments: names)
    func generationIsDeterministicAndCommitted(name: String) throws {
        let a = try #require(Catalog.all().first { $0.name == name })
        let b = try #require(Catalog.all().first { $0.name == name })
        #expect(a.frames.map(\.bytes) == b.frames.map(\.bytes) && a.frames.map(\.time) == b.frames.map(\.time))
        #expect(a.marks.map(\.frame) == b.marks.map(\.frame) && a.keyLog == b.keyLog)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("synth-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try a.write(to: dir.appendingPathComponent("\(name).pcap").path)
        try a.writeKeyLog(to: dir.appendingPathComponent("\(name).keys").path)
        for ext in ["pcap", "keys"] {
            let fresh = try Data(contentsOf: dir.appendingPathComponent("\(name).\(ext)"))
            let committed = try Data(contentsOf: URL(fileURLWithPath: corpus("\(name).\(ext)")))
            #expect(fresh == committed, "Captures/\(name).\(ext) is not what the generator writes: run `swift run rdpdiag-capture-synth Captures`")
        }
    }

    /// The key logs hold exactly the lines their TLS version needs, for the capture's client random.
    @Test func keyLogsHaveTheExpectedLabels() throws {
        func labels(_ name: String) throws -> [String] {
            try String(contentsOfFile: corpus("\(name).keys"), encoding: .utf8).split(separator: "\n").map { String($0.split(separator: " ")[0]) }
        }
        #expect(try labels("synth-win-tls12-licensing-no-license-server") == ["CLIENT_RANDOM"])
        #expect(try labels("synth-win-tls12-nla-logon-failure") == ["CLIENT_RANDOM"])
        #expect(try labels("synth-win-tls13-set-error-info-denied")
                == ["CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0"])
    }
}
