import Diagnosis
import Foundation
import Testing

/// `rdpdiag explain` (issue 5): parsing of code forms, the readings and causes
/// of codes, the cause guide, and the command's text and JSON output.
@Suite struct ExplainParsingTests {
    struct Form: Sendable, CustomTestStringConvertible {
        var text: String
        var kind: CodeKind?
        var value: CodeQuery.Value
        var testDescription: String { text }
    }

    static let forms: [Form] = [
        Form(text: "2308", kind: nil, value: .number(2308)),
        Form(text: "0x904", kind: nil, value: .number(0x904)),
        Form(text: "0X904", kind: nil, value: .number(0x904)),
        Form(text: "904h", kind: nil, value: .number(0x904)),
        Form(text: "904H", kind: nil, value: .number(0x904)),
        Form(text: "0x0000_0904", kind: nil, value: .number(0x904)),
        Form(text: " 7 ", kind: nil, value: .number(7)),
        Form(text: "disconnect:0x904", kind: .disconnect, value: .number(0x904)),
        Form(text: "DISC:2308", kind: .disconnect, value: .number(2308)),
        Form(text: "extended:7", kind: .extended, value: .number(7)),
        Form(text: "errorinfo:0x7", kind: .errorInfo, value: .number(7)),
        Form(text: "negfailure:3", kind: .negotiationFailure, value: .number(3)),
        Form(text: "licensing:6", kind: .licensing, value: .number(6)),
        Form(text: "tls:45", kind: .tlsAlert, value: .number(45)),
        Form(text: "alert:certificate_expired", kind: .tlsAlert, value: .name("certificate_expired")),
        Form(text: "ntstatus:0xC000006D", kind: .ntStatus, value: .number(0xC000_006D)),
        Form(text: "SSL_REQUIRED_BY_SERVER", kind: nil, value: .name("SSL_REQUIRED_BY_SERVER")),
        Form(text: "C000006D", kind: nil, value: .name("C000006D")),
    ]

    @Test(arguments: forms)
    func parsesCodeForm(_ form: Form) throws {
        let query = try Explainer.parse(form.text)
        #expect(query.kind == form.kind)
        #expect(query.value == form.value)
    }

    struct Resolution: Sendable, CustomTestStringConvertible {
        var text: String
        var kind: CodeKind
        var code: UInt32
        var name: String
        var testDescription: String { text }
    }

    static let resolutions: [Resolution] = [
        Resolution(text: "SSL_REQUIRED_BY_SERVER", kind: .negotiationFailure, code: 1, name: "SSL_REQUIRED_BY_SERVER"),
        Resolution(text: "ssl_required_by_server", kind: .negotiationFailure, code: 1, name: "SSL_REQUIRED_BY_SERVER"),
        Resolution(text: "ERR_NO_LICENSE_SERVER", kind: .licensing, code: 6, name: "ERR_NO_LICENSE_SERVER"),
        Resolution(text: "certificate_expired", kind: .tlsAlert, code: 45, name: "certificate_expired"),
        Resolution(text: "CERTIFICATE_EXPIRED", kind: .tlsAlert, code: 45, name: "certificate_expired"),
        Resolution(text: "tls:certificate_expired", kind: .tlsAlert, code: 45, name: "certificate_expired"),
        Resolution(text: "STATUS_LOGON_FAILURE", kind: .ntStatus, code: 0xC000_006D, name: "STATUS_LOGON_FAILURE"),
        Resolution(text: "status_logon_failure", kind: .ntStatus, code: 0xC000_006D, name: "STATUS_LOGON_FAILURE"),
        Resolution(text: "C000006D", kind: .ntStatus, code: 0xC000_006D, name: "STATUS_LOGON_FAILURE"),
        Resolution(text: "ERRINFO_SERVER_DENIED_CONNECTION", kind: .errorInfo, code: 7, name: "ERRINFO_SERVER_DENIED_CONNECTION"),
        Resolution(text: "ServerDeniedConnection", kind: .extended, code: 7, name: "ServerDeniedConnection"),
        Resolution(text: "disconnectReasonAtClientWinsockFDCLOSE", kind: .disconnect, code: 0x904, name: "disconnectReasonAtClientWinsockFDCLOSE"),
        Resolution(text: "904h", kind: .disconnect, code: 0x904, name: "disconnectReasonAtClientWinsockFDCLOSE"),
        Resolution(text: "negfailure:5", kind: .negotiationFailure, code: 5, name: "HYBRID_REQUIRED_BY_SERVER"),
        Resolution(text: "licensing:7", kind: .licensing, code: 7, name: "STATUS_VALID_CLIENT"),
    ]

    @Test(arguments: resolutions)
    func resolvesToOneReading(_ resolution: Resolution) throws {
        let explanation = try Explainer.explain([resolution.text])
        #expect(explanation.interpretations.count == 1)
        let reading = try #require(explanation.interpretations.first)
        #expect(reading.kind == resolution.kind)
        #expect(reading.code == resolution.code)
        #expect(reading.name == resolution.name)
        #expect(!reading.meaning.isEmpty)
    }

    @Test func rejectsMalformedQueries() {
        #expect(throws: ExplainError.unknownKind("foo")) { try Explainer.parse("foo:1") }
        #expect(throws: ExplainError.badNumber("0xZZ")) { try Explainer.parse("0xZZ") }
        #expect(throws: ExplainError.badNumber("0x")) { try Explainer.parse("0x") }
        #expect(throws: ExplainError.badNumber("99999999999")) { try Explainer.parse("99999999999") }
        #expect(throws: ExplainError.badNumber("disconnect:")) { try Explainer.parse("disconnect:") }
        #expect(throws: ExplainError.badNumber("9.04")) { try Explainer.parse("9.04") }
        #expect(throws: ExplainError.empty) { try Explainer.parse("  ") }
        #expect(throws: ExplainError.empty) { try Explainer.explain([]) }
        #expect(throws: ExplainError.tooManyCodes) { try Explainer.explain(["0x904", "0x7", "1"]) }
    }

    @Test func unknownCodesAreErrorsThatPointToPrefixesAndList() throws {
        #expect(throws: ExplainError.unknownCode("0x999", kind: nil)) { try Explainer.explain(["0x999"]) }
        #expect(throws: ExplainError.unknownCode("NO_SUCH_THING", kind: nil)) { try Explainer.explain(["NO_SUCH_THING"]) }
        #expect(throws: ExplainError.unknownCode("licensing:5", kind: .licensing)) { try Explainer.explain(["licensing:5"]) }
        #expect(throws: ExplainError.unknownInPair("0x7", kind: .disconnect)) { try Explainer.explain(["0x7", "0x904"]) }
        #expect(throws: ExplainError.pairKinds("tls:45")) { try Explainer.explain(["tls:45", "7"]) }
        let message = ExplainError.unknownCode("0x999", kind: nil).description
        #expect(message.contains("--list") && message.contains("negfailure:"))
    }
}

@Suite struct ExplainReadingTests {
    @Test func fdCloseAloneSaysItDoesNotTellWhoClosed() throws {
        let explanation = try Explainer.explain(["0x904"])
        #expect(!explanation.isPair)
        #expect(explanation.interpretations.count == 1)
        let reading = try #require(explanation.interpretations.first)
        #expect(reading.kind == .disconnect && reading.code == 0x904)
        #expect(reading.note?.contains("does not say who closed it") == true)
        let causes = reading.causes.map(\.cause)
        for expected: Cause in [.forgedReset, .serverClosedAfterClientHello, .serverDeniedConnection, .licensingFailed, .serverReset] {
            #expect(causes.contains(expected), "\(expected)")
        }
        #expect(Set(reading.causes.map(\.side)).isSuperset(of: [.network, .server]))
        #expect(explanation.suggestion.contains("rdpdiag analyze capture.pcap"))
    }

    @Test func fdClosePlusServerDeniedIsExplainedTogether() throws {
        let explanation = try Explainer.explain(["0x904", "0x7"])
        #expect(explanation.isPair)
        #expect(explanation.query == "0x904 0x7")
        #expect(explanation.interpretations.map(\.kind) == [.disconnect, .extended])
        let extended = explanation.interpretations[1]
        #expect(extended.name == "ServerDeniedConnection")
        #expect(extended.alsoKnownAs.map(\.name) == ["ERRINFO_SERVER_DENIED_CONNECTION"])
        let summary = try #require(explanation.summary)
        #expect(summary.contains("does not say who closed it"))
        #expect(summary.contains("Set Error Info PDU"))
        #expect(summary.contains("before the MCS Connect Response"))
        #expect(summary.contains("not delivered in-band"))
        #expect(summary.contains("MachineKeys") && summary.contains("licensing") && summary.contains("antivirus"))

        let causes = explanation.causes.map(\.cause)
        #expect(causes.first == .serverDeniedConnection)
        for expected: Cause in [.forgedReset, .serverClosedAfterClientHello, .licensingFailed, .tlsRejectedByServer, .serverReset] {
            #expect(causes.contains(expected), "\(expected)")
        }
        #expect(Set(causes).count == causes.count, "no cause twice")
        let forged = try #require(explanation.causes.first { $0.cause == .forgedReset })
        #expect(forged.side == .network)
        #expect(forged.confirm.contains("MCS Connect Response"))
        for candidate in explanation.causes {
            #expect(!candidate.confirm.isEmpty && !candidate.remedy.isEmpty)
        }
    }

    @Test func pairWithoutExtendedInfoFallsBackToTheDisconnectReason() throws {
        let explanation = try Explainer.explain(["0x204", "0"])
        #expect(explanation.isPair)
        #expect(explanation.summary?.contains("no extended reason") == true)
        #expect(explanation.causes.map(\.cause).contains(.noAnswer))
        #expect(explanation.causes.map(\.cause).contains(.portClosed))
    }

    @Test func sevenIsBothServerDeniedAndValidClient() throws {
        let explanation = try Explainer.explain(["7"])
        #expect(explanation.interpretations.count == 2)
        let errInfo = try #require(explanation.interpretations.first { $0.kind == .errorInfo })
        #expect(errInfo.code == 7 && errInfo.name == "ERRINFO_SERVER_DENIED_CONNECTION")
        #expect(errInfo.alsoKnownAs.contains { $0.kind == .extended && $0.name == "ServerDeniedConnection" })
        #expect(errInfo.causes.first?.cause == .serverDeniedConnection)
        let licensing = try #require(explanation.interpretations.first { $0.kind == .licensing })
        #expect(licensing.code == 7 && licensing.name == "STATUS_VALID_CLIENT")
        #expect(licensing.causes.isEmpty)
        #expect(licensing.note?.contains("Not an error") == true)
        #expect(licensing.note?.contains("not mstsc's extended error 0x7") == true)
        let summary = try #require(explanation.summary)
        #expect(summary.contains("ERRINFO_SERVER_DENIED_CONNECTION") && summary.contains("STATUS_VALID_CLIENT"))
        #expect(summary.contains("extended error"))
    }

    @Test(arguments: [
        (UInt32(1), "SSL_REQUIRED_BY_SERVER"), (2, "SSL_NOT_ALLOWED_BY_SERVER"), (3, "SSL_CERT_NOT_ON_SERVER"),
        (4, "INCONSISTENT_FLAGS"), (5, "HYBRID_REQUIRED_BY_SERVER"), (6, "SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER"),
    ])
    func negotiationFailureCodes(code: UInt32, name: String) throws {
        let explanation = try Explainer.explain(["negfailure:\(code)"])
        let reading = try #require(explanation.interpretations.first)
        #expect(reading.kind == .negotiationFailure && reading.name == name)
        #expect(reading.causes.map(\.cause) == [.negotiationFailure])
        let candidate = try #require(reading.causes.first)
        #expect(candidate.side == .server)
        #expect(candidate.confirm.contains("RDP_NEG_FAILURE") && candidate.confirm.contains(name))
        #expect(candidate.remedy != CauseGuide.remedy(for: .negotiationFailure), "code-specific remedy")
        // The name alone finds the same code.
        #expect(try Explainer.explain([name]).interpretations.contains { $0.kind == .negotiationFailure && $0.code == code })
    }

    @Test func negotiationFailureRemediesNameTheFix() throws {
        func remedy(_ code: Int) throws -> String {
            try #require(try Explainer.explain(["negfailure:\(code)"]).interpretations.first?.causes.first).remedy
        }
        #expect(try remedy(3).contains("MachineKeys"))
        #expect(try remedy(5).contains("Network Level Authentication"))
    }

    @Test func noLicenseServer() throws {
        let reading = try #require(try Explainer.explain(["ERR_NO_LICENSE_SERVER"]).interpretations.first)
        #expect(reading.kind == .licensing && reading.code == 6)
        let candidate = try #require(reading.causes.first)
        #expect(candidate.cause == .licensingFailed && candidate.side == .server)
        #expect(candidate.confirm.contains("ERROR_ALERT") && candidate.confirm.contains("ERR_NO_LICENSE_SERVER"))
        #expect(candidate.remedy.contains("License Server"))
    }

    @Test func licensingErrorInfoPointsAtTheClientLicenseCache() throws {
        let reading = try #require(try Explainer.explain(["errorinfo:0x104"]).interpretations.first)
        #expect(reading.name == "ERRINFO_LICENSE_HWID_DOESNT_MATCH_LICENSE")
        #expect(reading.causes.first?.remedy.contains("HKLM\\SOFTWARE\\Microsoft\\MSLicensing") == true)
    }

    @Test func tlsAlertByNumberAndByName() throws {
        let byNumber = try Explainer.explain(["45"])
        let byName = try Explainer.explain(["alert:certificate_expired"])
        #expect(byNumber.interpretations == byName.interpretations)
        let reading = try #require(byNumber.interpretations.first)
        #expect(reading.kind == .tlsAlert && reading.code == 45 && reading.name == "certificate_expired")
        #expect(reading.causes.map(\.cause).contains(.certificateExpired))
        #expect(reading.causes.map(\.cause).contains(.certificateRejectedByClient))

        let handshake = try #require(try Explainer.explain(["tls:40"]).interpretations.first)
        #expect(handshake.name == "handshake_failure")
        #expect(Set(handshake.causes.map(\.cause)) == [.tlsRejectedByServer, .tlsRejectedByClient])
        #expect(try Explainer.explain(["tls:0"]).interpretations.first?.causes.isEmpty == true)
    }

    @Test func ntStatusFromCredSSP() throws {
        let reading = try #require(try Explainer.explain(["ntstatus:0xC000006D"]).interpretations.first)
        #expect(reading.name == "STATUS_LOGON_FAILURE")
        let candidate = try #require(reading.causes.first)
        #expect(candidate.cause == .nlaFailed && candidate.side == .server)
        #expect(candidate.confirm.contains("TSRequest.errorCode") && candidate.confirm.contains("0xC000006D"))
        let locked = try #require(try Explainer.explain(["STATUS_ACCOUNT_LOCKED_OUT"]).interpretations.first)
        #expect(locked.causes.first?.remedy.contains("unlock") == true)
        let rights = try #require(try Explainer.explain(["0xC000015B"]).interpretations.first)
        #expect(rights.causes.first?.remedy.contains("Remote Desktop Users") == true)
    }

    @Test func extendedProtocolErrorsUseTheErrorInfoName() throws {
        let reading = try #require(try Explainer.explain(["extended:0x10D3"]).interpretations.first)
        #expect(reading.kind == .extended)
        #expect(reading.alsoKnownAs.map(\.name) == ["ERRINFO_CONNECTFAILED"])
        #expect(reading.causes.map(\.cause) == [.serverErrorInfo])
        let unnamed = try #require(try Explainer.explain(["extended:5000"]).interpretations.first)
        #expect(unnamed.name == "ProtocolError" && unnamed.alsoKnownAs.isEmpty)
    }

    /// Every known code of every kind explains: it has candidate causes, or a note saying why not.
    @Test(arguments: CodeKind.allCases)
    func everyCatalogCodeHasCausesOrANote(_ kind: CodeKind) throws {
        let entries = CodeCatalog.entries(kind)
        #expect(!entries.isEmpty)
        for entry in entries {
            let explanation = try Explainer.explain(["\(kind.rawValue):\(entry.code)"])
            let reading = try #require(explanation.interpretations.first)
            #expect(reading.entry == entry)
            #expect(!reading.causes.isEmpty || reading.note != nil, "\(kind.rawValue) \(entry.formattedCode) \(entry.name)")
            // The name finds the code back.
            #expect(try Explainer.explain([entry.name]).interpretations.contains { $0.code == entry.code }, "\(entry.name)")
        }
    }

    @Test func catalogDelegatesToTheDissectTables() {
        #expect(CodeCatalog.lookup(.errorInfo, 0x10A)?.name == "ERRINFO_LICENSE_NO_REMOTE_CONNECTIONS")
        #expect(CodeCatalog.lookup(.licensing, 7)?.name == "STATUS_VALID_CLIENT")
        #expect(CodeCatalog.lookup(.tlsAlert, 256) == nil)
        #expect(CodeCatalog.entries(.negotiationFailure).map(\.code) == [1, 2, 3, 4, 5, 6])
        #expect(CodeCatalog.entries(.ntStatus).contains { $0.name == "SEC_E_BAD_BINDINGS" })
        #expect(DisconnectReasonCodes.name(0x904) == "disconnectReasonAtClientWinsockFDCLOSE")
        #expect(ExtendedReasonCodes.errorInfoTwin(8) == nil && ExtendedReasonCodes.errorInfoTwin(7) == 7)
    }
}

@Suite struct CauseGuideTests {
    @Test func everyCauseHasAGuide() {
        #expect(Cause.allCases.count == 23)
        #expect(CauseGuide.all.map(\.cause) == Cause.allCases)
        for cause in Cause.allCases {
            let guide = cause.guide
            #expect(guide.side == cause.side)
            for text in [guide.description, guide.confirm, guide.remedy] {
                #expect(text.count > 20, "\(cause.rawValue)")
                #expect(text.first?.isUppercase == true && text.hasSuffix("."), "\(cause.rawValue): full sentences")
            }
            if let hint = guide.consistentWith {
                #expect(hint.hasPrefix("Consistent with") && hint.hasSuffix("."), "\(cause.rawValue)")
            }
            #expect(CauseGuide.remedy(for: cause) == guide.remedy)
            #expect(CauseGuide.consistentWith(for: cause) == guide.consistentWith)
        }
        #expect(Set(Cause.allCases.map { CauseGuide.remedy(for: $0) }).count == Cause.allCases.count, "one remedy per cause")
    }

    @Test func remediesNameTheUsualFixes() {
        #expect(CauseGuide.remedy(for: .serverClosedAfterClientHello).contains("MachineKeys"))
        #expect(CauseGuide.remedy(for: .licensingFailed).contains("HKLM\\SOFTWARE\\Microsoft\\MSLicensing"))
        #expect(CauseGuide.remedy(for: .pathMTUBlackhole).contains("MSS"))
        #expect(CauseGuide.remedy(for: .noAnswer).contains("3389"))
        #expect(CauseGuide.remedy(for: .tlsRejectedByServer).contains("cipher suites"))
        #expect(CauseGuide.consistentWith(for: .serverDeniedConnection)?.contains("0x904") == true)
        #expect(CauseGuide.consistentWith(for: .ok) == nil)
    }
}

@Suite struct ExplainCommandTests {
    @Test func explainsTheFamousPair() throws {
        let run = try runRDPDiag(["explain", "0x904", "0x7"])
        #expect(run.status == 0)
        #expect(run.err.isEmpty)
        for phrase in ["0x904", "ServerDeniedConnection", "ERRINFO_SERVER_DENIED_CONNECTION", "does not say who closed it",
                       "MCS Connect Response", "server_denied_connection (server side)", "forged_reset (network side)",
                       "MachineKeys", "MSLicensing", "rdpdiag analyze capture.pcap"] {
            #expect(run.out.contains(phrase), "\(phrase)")
        }
    }

    @Test func jsonAnswerParsesAndHasTheFields() throws {
        let run = try runRDPDiag(["explain", "--format", "json", "0x904", "0x7"])
        #expect(run.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [String: Any])
        #expect(object["query"] as? String == "0x904 0x7")
        let interpretations = try #require(object["interpretations"] as? [[String: Any]])
        #expect(interpretations.count == 2)
        for interpretation in interpretations {
            for key in ["kind", "code", "name", "meaning", "causes"] {
                #expect(interpretation[key] != nil, "\(key)")
            }
        }
        #expect(interpretations[0]["kind"] as? String == "disconnect")
        #expect(interpretations[0]["code"] as? Int == 0x904)
        #expect(interpretations[1]["kind"] as? String == "extended")
        let causes = try #require(object["causes"] as? [[String: Any]])
        #expect(causes.first?["cause"] as? String == "server_denied_connection")
        for cause in causes + ((interpretations[0]["causes"] as? [[String: Any]]) ?? []) {
            for key in ["cause", "side", "confirm", "remedy"] {
                #expect((cause[key] as? String)?.isEmpty == false, "\(key)")
            }
        }

        let ambiguous = try runRDPDiag(["explain", "--format", "json", "7"])
        let seven = try #require(try JSONSerialization.jsonObject(with: Data(ambiguous.out.utf8)) as? [String: Any])
        let kinds = (seven["interpretations"] as? [[String: Any]])?.compactMap { $0["kind"] as? String }
        #expect(kinds == ["errorinfo", "licensing"])
    }

    @Test func listPrintsKindsAndCodes() throws {
        let run = try runRDPDiag(["explain", "--list"])
        #expect(run.status == 0)
        for kind in CodeKind.allCases { #expect(run.out.contains(kind.rawValue)) }
        for name in ["disconnectReasonAtClientWinsockFDCLOSE", "ERRINFO_SERVER_DENIED_CONNECTION", "HYBRID_REQUIRED_BY_SERVER",
                     "ERR_NO_LICENSE_SERVER", "certificate_expired", "STATUS_LOGON_FAILURE"] {
            #expect(run.out.contains(name), "\(name)")
        }
        let json = try runRDPDiag(["explain", "--list", "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        #expect((object["kinds"] as? [[String: Any]])?.count == CodeKind.allCases.count)
    }

    @Test func unknownCodeExitsTwoWithAHint() throws {
        let run = try runRDPDiag(["explain", "0x999"])
        #expect(run.status == 2)
        #expect(run.out.isEmpty)
        #expect(run.err.contains("unknown code '0x999'") && run.err.contains("--list"))
        #expect(try runRDPDiag(["explain"]).status == 2)
        #expect(try runRDPDiag(["explain", "--list", "7"]).status == 2)
    }

    @Test func helpExplainsUsage() throws {
        let run = try runRDPDiag(["explain", "--help"])
        #expect(run.status == 0)
        #expect(run.out.contains("rdpdiag explain 0x904 0x7") && run.out.contains("negfailure:") && run.out.contains("--list"))
    }
}
