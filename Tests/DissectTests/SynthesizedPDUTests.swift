import Capture
import Testing
import TestSupport
import Wire
@testable import Dissect
@testable import rdpdiag_capture_synth

/// The PDUs `RDPBuilder` / `TLSBuilder` make (and that the synthesized captures in
/// Captures/synth-*.pcap carry) parse with the Dissect parsers to the fields that were
/// put in: the builders follow MS-RDPBCGR / MS-RDPELE / RFC 5246, and the parsers
/// read them the way the specifications say.
@Suite struct SynthesizedPDUTests {
    // MARK: helpers

    /// TPKT header, then the X.224 TPDU inside it; returns the TPDU and the bytes after the
    /// X.224 Data header (the MCS PDU) when it is a Data TPDU.
    static func x224(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> (X224TPDU, [UInt8])? {
        guard let header = parsed(Array(bytes.prefix(4)), TPKTHeader.parse, consumed: 4, sourceLocation: sourceLocation) else { return nil }
        #expect(header.length == bytes.count, "TPKT length", sourceLocation: sourceLocation)
        let payload = Array(bytes.dropFirst(4))
        switch run(payload, X224TPDU.parse) {
        case let .parsed(tpdu, consumed):
            return (tpdu, Array(payload.dropFirst(consumed)))
        case let other:
            Issue.record("X.224: \(other)", sourceLocation: sourceLocation)
            return nil
        }
    }

    /// The MCS PDU of a TPKT-framed Data TPDU.
    static func mcs(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> MCSPDU? {
        guard let (tpdu, rest) = x224(bytes, sourceLocation: sourceLocation) else { return nil }
        guard case .data = tpdu else { Issue.record("not a Data TPDU: \(tpdu)", sourceLocation: sourceLocation); return nil }
        return parsed(rest, MCSPDU.parse, sourceLocation: sourceLocation)
    }

    /// The user data of a Send Data Request/Indication.
    static func sendData(_ bytes: [UInt8], indication: Bool, sourceLocation: SourceLocation = #_sourceLocation)
        -> (MCSSendData, [UInt8])?
    {
        guard let pdu = mcs(bytes, sourceLocation: sourceLocation), case let .domain(domain) = pdu else { return nil }
        let x224Header = 4 + 3
        switch (domain, indication) {
        case let (.sendDataRequest(sd), false), let (.sendDataIndication(sd), true):
            let data = Array(bytes[(x224Header + sd.userData.lowerBound)..<(x224Header + sd.userData.upperBound)])
            return (sd, data)
        default:
            Issue.record("not a send data \(indication ? "indication" : "request"): \(domain)", sourceLocation: sourceLocation)
            return nil
        }
    }

    // MARK: X.224

    @Test func connectionRequestWithCookieAndNegotiation() throws {
        let bytes = RDPBuilder.x224ConnectionRequest(cookie: "jsmith", requestedProtocols: 0x3)
        guard case let .connectionRequest(cr)? = Self.x224(bytes)?.0 else { Issue.record("not a CR"); return }
        #expect(cr.token == .cookie(identifier: "jsmith"))
        #expect(cr.negotiationRequest?.requestedProtocols == 0x3)
        #expect(cr.classOption == 0 && cr.correlationInfo == nil)
    }

    @Test func connectionRequestLegacy() throws {
        let bytes = RDPBuilder.x224ConnectionRequest(cookie: "akowalski", requestedProtocols: nil)
        guard case let .connectionRequest(cr)? = Self.x224(bytes)?.0 else { Issue.record("not a CR"); return }
        #expect(cr.token == .cookie(identifier: "akowalski") && cr.negotiationRequest == nil)
    }

    @Test(arguments: [
        (RDPBuilder.ConfirmNegotiation.response(flags: 0x1F, selectedProtocol: 0x1), UInt32?(0x1)),
        (.response(flags: 0x1F, selectedProtocol: 0x0), 0x0),
        (.legacy, 0x0),
        (.failure(code: 0x3), nil),
    ])
    func connectionConfirm(negotiation: RDPBuilder.ConfirmNegotiation, selected: UInt32?) throws {
        let bytes = RDPBuilder.x224ConnectionConfirm(negotiation)
        guard case let .connectionConfirm(cc)? = Self.x224(bytes)?.0 else { Issue.record("not a CC"); return }
        #expect(cc.selectedProtocol == selected && cc.sourceReference == 0x1234)
        switch negotiation {
        case let .response(flags, _):
            guard case let .response(rsp) = cc.negotiation else { Issue.record("no RDP_NEG_RSP"); return }
            #expect(rsp.flags == flags)
        case let .failure(code):
            guard case let .failure(f) = cc.negotiation else { Issue.record("no RDP_NEG_FAILURE"); return }
            #expect(f.failureCode == code)
        case .legacy:
            #expect(cc.negotiation == .legacy)
        }
    }

    // MARK: MCS connect and GCC

    @Test func connectInitialCarriesClientData() throws {
        var core = RDPBuilder.ClientCore()
        core.serverSelectedProtocol = 0x1
        let blocks = [core.encoded, RDPBuilder.clientCluster(), RDPBuilder.clientSecurity(),
                      RDPBuilder.clientNetwork(RDPBuilder.Channel.mstscDefault)]
        let bytes = RDPBuilder.x224Data(RDPBuilder.mcsConnectInitial(gccUserData: RDPBuilder.gccConferenceCreateRequest(blocks: blocks)))
        guard case let .connectInitial(ci)? = Self.mcs(bytes) else { Issue.record("not a Connect Initial"); return }
        #expect(ci.upwardFlag && ci.targetParameters.maxMCSPDUsize == 0xFFFF && ci.maximumParameters.maxUserIds == 0xFC17)
        let conference = ci.conference
        #expect(conference.h221Key == "Duca")
        let parsedCore = try #require(conference.core)
        #expect(parsedCore.clientName == "WS-CLIENT07" && parsedCore.clientBuild == 19041)
        #expect(parsedCore.desktopWidth == 1920 && parsedCore.desktopHeight == 1080)
        #expect(parsedCore.supportsErrorInfoPDU && parsedCore.earlyCapabilityFlags == 0x07EF)
        #expect(parsedCore.clientDigProductId == "00331-10000-00001-AA412")
        #expect(parsedCore.serverSelectedProtocol == 0x1 && parsedCore.unknownTailLength == 0)
        #expect(conference.security?.encryptionMethods == 0x1B)
        #expect(conference.network?.channels.map(\.name) == ["rdpdr", "rdpsnd", "cliprdr", "drdynvc"])
        #expect(conference.network?.channels.first?.options == 0x8080_0000)
        #expect(conference.cluster?.flags == 0x0D && conference.cluster?.redirectionVersion == 3)
    }

    @Test func connectResponseStandardSecurity128BitClientCompatible() throws {
        let modulus = [UInt8](repeating: 0xA5, count: 256)
        let certificate = RDPBuilder.proprietaryCertificate(modulus: modulus, signature: [UInt8](repeating: 0x5A, count: 64))
        let blocks = [RDPBuilder.serverCore(clientRequestedProtocols: 0),
                      RDPBuilder.serverSecurity(encryptionMethod: 0x02, encryptionLevel: 2,
                                                serverRandom: [UInt8](repeating: 0x11, count: 32), certificate: certificate),
                      RDPBuilder.serverNetwork(channelIds: [1004, 1005, 1006, 1007])]
        let bytes = RDPBuilder.x224Data(RDPBuilder.mcsConnectResponse(gccUserData: RDPBuilder.gccConferenceCreateResponse(blocks: blocks)))
        guard case let .connectResponse(cr)? = Self.mcs(bytes) else { Issue.record("not a Connect Response"); return }
        #expect(cr.result == 0 && cr.resultName == "rt-successful" && cr.domainParameters.maxMCSPDUsize == 0xFFF8)
        let conference = try #require(cr.conference)
        #expect(conference.h221Key == "McDn" && conference.result == 0 && conference.nodeId == 31219)
        #expect(conference.core?.clientRequestedProtocols == 0 && conference.core?.earlyCapabilityFlags == 0x03)
        let security = try #require(conference.security)
        #expect(security.encryptionMethod == 0x02 && security.encryptionLevel == 2 && security.serverRandomLength == 32)
        #expect(security.encryptionMethodName == "ENCRYPTION_METHOD_128BIT")
        #expect(security.encryptionLevelName == "ENCRYPTION_LEVEL_CLIENT_COMPATIBLE")
        guard case let .proprietary(p)? = security.certificate?.body else { Issue.record("not a proprietary certificate"); return }
        #expect(p.keyBitLength == 2048 && p.modulusLength == 264 && p.signatureLength == 72 && p.publicExponent == 0x10001)
        #expect(conference.network?.mcsChannelId == 1003 && conference.network?.channelIds == [1004, 1005, 1006, 1007])
    }

    @Test func connectResponseEncryptionNoneOmitsRandomAndCertificate() throws {
        let blocks = [RDPBuilder.serverCore(clientRequestedProtocols: 0), RDPBuilder.serverSecurity(encryptionMethod: 0, encryptionLevel: 0),
                      RDPBuilder.serverNetwork(channelIds: [1004, 1005, 1006])]
        // 12 bytes: header, method, level; nothing else [MS-RDPBCGR 2.2.1.4.3].
        #expect(RDPBuilder.serverSecurity(encryptionMethod: 0, encryptionLevel: 0).count == 12)
        let bytes = RDPBuilder.x224Data(RDPBuilder.mcsConnectResponse(gccUserData: RDPBuilder.gccConferenceCreateResponse(blocks: blocks)))
        guard case let .connectResponse(cr)? = Self.mcs(bytes) else { Issue.record("not a Connect Response"); return }
        let security = try #require(cr.conference?.security)
        #expect(security.encryptionMethod == 0 && security.encryptionLevel == 0 && security.serverRandomLength == 0 && security.certificate == nil)
        // An odd channel count is followed by the 2-byte pad.
        #expect(cr.conference?.network?.channelIds == [1004, 1005, 1006])
    }

    // MARK: MCS domain PDUs

    @Test func domainPDUs() throws {
        func domain(_ mcs: [UInt8]) -> MCSDomainPDU? {
            if case let .domain(d)? = Self.mcs(RDPBuilder.x224Data(mcs)) { return d }
            return nil
        }
        #expect(domain(RDPBuilder.erectDomainRequest()) == .erectDomainRequest(subHeight: 0, subInterval: 0))
        #expect(domain(RDPBuilder.attachUserRequest()) == .attachUserRequest)
        #expect(domain(RDPBuilder.attachUserConfirm(initiator: 1008)) == .attachUserConfirm(result: 0, initiator: 1008))
        #expect(domain(RDPBuilder.attachUserConfirm(initiator: 1008, result: 9)) == .attachUserConfirm(result: 9, initiator: 1008))
        #expect(domain(RDPBuilder.channelJoinRequest(initiator: 1008, channel: 1003)) == .channelJoinRequest(initiator: 1008, channelId: 1003))
        #expect(domain(RDPBuilder.channelJoinConfirm(initiator: 1008, channel: 1004))
            == .channelJoinConfirm(result: 0, initiator: 1008, requested: 1004, channelId: 1004))
        #expect(domain(RDPBuilder.disconnectProviderUltimatum(reason: 3)) == .disconnectProviderUltimatum(reason: 3))
        #expect(domain(RDPBuilder.disconnectProviderUltimatum(reason: 1)) == .disconnectProviderUltimatum(reason: 1))
        // The MS-RDPBCGR 4.1 example bytes for the same PDUs.
        #expect(RDPBuilder.erectDomainRequest() == hex("04 01 00 01 00"))
        #expect(RDPBuilder.attachUserConfirm(initiator: 1007) == hex("2e 00 00 06"))
        #expect(RDPBuilder.channelJoinRequest(initiator: 1007, channel: 1003) == hex("38 00 06 03 eb"))
        #expect(RDPBuilder.channelJoinConfirm(initiator: 1007, channel: 1003) == hex("3e 00 00 06 03 eb 03 eb"))
        #expect(RDPBuilder.disconnectProviderUltimatum(reason: 3) == hex("21 80"))

        // Send Data with a 2-byte PER length (user data over 127 bytes).
        let payload = [UInt8](repeating: 0x42, count: 300)
        let (sd, data) = try #require(Self.sendData(RDPBuilder.x224Data(RDPBuilder.sendData(indication: true, initiator: 1002, channel: 1003, payload)),
                                                    indication: true))
        #expect(sd.initiator == 1002 && sd.channelId == 1003 && sd.priority == 1 && sd.segmentation == 3 && data == payload)
    }

    // MARK: security exchange and Client Info

    @Test func securityExchange() throws {
        let pdu = RDPBuilder.x224Data(RDPBuilder.sendData(indication: false, initiator: 1008, channel: 1003,
                                                          RDPBuilder.securityExchange(encryptedRandom: [UInt8](repeating: 7, count: 256))))
        let (_, data) = try #require(Self.sendData(pdu, indication: false))
        guard case let .securityExchange(sx)? = parsed(data, SecuredPDU.parse) else { Issue.record("not a security exchange"); return }
        #expect(sx.encryptedClientRandomLength == 264 && sx.header.flags == 0x0201)
    }

    @Test func clientInfoClearAndEncrypted() throws {
        var info = RDPBuilder.ClientInfo()
        info.userName = "akowalski"
        guard case let .clientInfo(header, packet)? = parsed(RDPBuilder.clientInfo(info), SecuredPDU.parse) else {
            Issue.record("not a Client Info"); return
        }
        #expect(header.flags == 0x0040 && !header.isEncrypted)
        #expect(packet.domain == "CORP" && packet.userName == "akowalski" && packet.passwordLength == 0 && packet.isUnicode)
        #expect(packet.codePage == 0x0409 && packet.flags == 0x0003_0173 && packet.extraInfoLength > 172)

        let plaintext = info.encoded
        let encrypted = RDPBuilder.encrypted(flags: 0x0040, signature: [UInt8](repeating: 1, count: 8), ciphertext: [UInt8](repeating: 2, count: plaintext.count))
        guard case let .encrypted(h, payloadLength)? = parsed(encrypted, SecuredPDU.parse) else { Issue.record("not encrypted"); return }
        #expect(h.flags == 0x0048 && payloadLength == 8 + plaintext.count)
    }

    // MARK: licensing

    @Test func licenseRequest() throws {
        let certificate = RDPBuilder.proprietaryCertificate(modulus: [UInt8](repeating: 0xC3, count: 256), signature: [UInt8](repeating: 9, count: 64))
        let message = RDPBuilder.serverLicenseRequest(serverRandom: [UInt8](repeating: 0x33, count: 32), certificate: certificate)
        guard case let .licensing(header, pdu)? = parsed(RDPBuilder.licensingPDU(message), SecuredPDU.parse) else {
            Issue.record("not licensing"); return
        }
        #expect(header.flags == 0x0080)
        #expect(pdu.preamble.messageTypeName == "LICENSE_REQUEST" && pdu.preamble.version == 3 && pdu.preamble.extendedErrorSupported)
        #expect(pdu.preamble.messageSize == message.count)
        guard case let .licenseRequest(request) = pdu.message else { Issue.record("not a license request"); return }
        #expect(request.companyName == "Microsoft Corporation" && request.productId == "A02" && request.productVersion == 0x0006_0000)
        #expect(request.keyExchangeAlgorithms == [1] && request.scopes == ["microsoft.com"])
        #expect(request.serverCertificate.type == 0x0003 && request.serverCertificate.length == certificate.count)
        guard case let .proprietary(p)? = parsed(certificate, ServerCertificate.parse)?.body else { Issue.record("certificate"); return }
        #expect(p.keyBitLength == 2048)
    }

    @Test func newLicenseRequest() throws {
        let message = RDPBuilder.clientNewLicenseRequest(clientRandom: [UInt8](repeating: 4, count: 32),
                                                         encryptedPreMasterSecret: [UInt8](repeating: 5, count: 256),
                                                         userName: "jsmith", machineName: "WS-CLIENT07")
        guard case let .licensing(_, pdu)? = parsed(RDPBuilder.licensingPDU(message), SecuredPDU.parse),
              case let .newLicenseRequest(request) = pdu.message
        else { Issue.record("not a new license request"); return }
        #expect(pdu.preamble.messageTypeName == "NEW_LICENSE_REQUEST")
        #expect(request.clientUserName == "jsmith" && request.clientMachineName == "WS-CLIENT07")
        #expect(request.preferredKeyExchangeAlgorithm == 1 && request.platformId == 0x0401_0000)
        #expect(request.encryptedPreMasterSecret == LicensingBlob(type: 0x0002, length: 264))
    }

    @Test(arguments: [(UInt32(0x06), UInt32(0x01), "ERR_NO_LICENSE_SERVER", "ST_TOTAL_ABORT"),
                      (0x07, 0x02, "STATUS_VALID_CLIENT", "ST_NO_TRANSITION"),
                      (0x08, 0x01, "ERR_INVALID_CLIENT", "ST_TOTAL_ABORT")])
    func errorAlert(code: UInt32, transition: UInt32, codeName: String, transitionName: String) throws {
        let message = RDPBuilder.licenseErrorAlert(errorCode: code, stateTransition: transition)
        guard case let .licensing(_, pdu)? = parsed(RDPBuilder.licensingPDU(message), SecuredPDU.parse),
              case let .errorAlert(alert) = pdu.message
        else { Issue.record("not an error alert"); return }
        #expect(alert.errorCode == code && alert.stateTransition == transition)
        #expect(alert.errorCodeName == codeName && alert.stateTransitionName == transitionName)
        #expect(alert.isValidClient == (code == 0x07) && alert.errorInfo == LicensingBlob(type: 0x0004, length: 0))
    }

    @Test func validClientIsTheSpecExample() {
        // MS-RDPBCGR 4.1.12: ff 03 10 00 07 00 00 00 02 00 00 00 04 00 00 00.
        #expect(RDPBuilder.licenseValidClient() == hex("ff 03 10 00 07 00 00 00 02 00 00 00 04 00 00 00"))
        // Inside TLS: TPKT + X.224 + Send Data Indication + security header + 16 = 34 bytes.
        let pdu = RDPBuilder.x224Data(RDPBuilder.sendData(indication: true, initiator: 1002, channel: 1003,
                                                          RDPBuilder.licensingPDU(RDPBuilder.licenseValidClient())))
        #expect(pdu.count == 34)
        #expect(TLSRecordProtection.plaintextSize(fragmentLength: 34 + TLSBuilder.gcmOverhead, version: .tls12,
                                                  cipherSuite: TLSCipherSuite(rawValue: 0xC030)) == .exact(34))
    }

    // MARK: share control

    @Test func setErrorInfoServerDenied() throws {
        let bytes = RDPBuilder.setErrorInfo(0x0000_0007)
        guard case let .data(header, errorInfo)? = (parsed(bytes, ShareControlPDU.parse) ?? nil)?.body else { Issue.record("not a data PDU"); return }
        #expect(header.pduType2 == 0x2F && header.shareId == RDPBuilder.windowsShareId && header.uncompressedLength == 8)
        #expect(errorInfo?.errorInfo == 7 && errorInfo?.name == "ERRINFO_SERVER_DENIED_CONNECTION")
        let pdu = try #require(parsed(bytes, ShareControlPDU.parse) ?? nil)
        #expect(pdu.header.totalLength == 22 && pdu.header.pduType == 0x17 && pdu.header.pduSource == 1002)
        bytes.withUnsafeBytes { #expect(ShareControlHeader.isPlausible(ByteCursor($0))) }
    }

    @Test func demandActive() throws {
        let bytes = RDPBuilder.demandActive()
        let pdu = try #require(parsed(bytes, ShareControlPDU.parse) ?? nil)
        guard case let .demandActive(da) = pdu.body else { Issue.record("not a demand active"); return }
        #expect(da.sourceDescriptor == "RDP" && da.sessionId == 2 && da.shareId == RDPBuilder.windowsShareId)
        #expect(da.capabilitySets.count == RDPBuilder.windowsDemandActiveCapabilities.count)
        #expect(da.capabilitySets.first?.name != nil)
    }

    // MARK: TLS

    @Test func tlsHandshakeRecords() throws {
        func message(_ record: [UInt8], context: TLSHandshakeMessage.Context = .init(), at offset: Int = 0) -> TLSHandshakeMessage? {
            let fragment = Array(record.dropFirst(TLSRecordHeader.size))
            return fragment.withUnsafeBytes { raw in
                TLSHandshakeMessage.parse(UnsafeRawBufferPointer(rebasing: raw[offset...]), context: context).value
            }
        }
        let hello = TLSBuilder.record(type: 22, TLSBuilder.clientHello(random: [UInt8](repeating: 1, count: 32), serverName: "RDS01.corp.example.com"))
        let header = try #require(hello.withUnsafeBytes { TLSRecordHeader.parse($0).value })
        #expect(header.length == hello.count - 5 && header.contentType.rawValue == 22)
        guard case let .clientHello(ch)? = message(hello)?.body else { Issue.record("ClientHello"); return }
        #expect(ch.serverName == "RDS01.corp.example.com" && ch.cipherSuites.count == 21 && ch.sessionID.isEmpty)
        #expect(ch.extendedMasterSecret && ch.secureRenegotiation && ch.supportedGroups.map(\.rawValue) == [0x1D, 0x17, 0x18])
        #expect(ch.anomalies.isEmpty)

        let serverHello = TLSBuilder.serverHello(random: [UInt8](repeating: 2, count: 32), sessionId: [UInt8](repeating: 3, count: 32))
        let certificate = TLSBuilder.certificate([ServerCertificateDER.rds01])
        let ske = TLSBuilder.serverKeyExchangeECDHE(publicPoint: [UInt8](repeating: 4, count: 32), signature: [UInt8](repeating: 5, count: 256))
        let flight = TLSBuilder.record(type: 22, serverHello + certificate + ske + TLSBuilder.serverHelloDone())
        guard case let .serverHello(sh)? = message(flight)?.body else { Issue.record("ServerHello"); return }
        #expect(sh.cipherSuite.rawValue == 0xC030 && sh.sessionID.count == 32 && sh.extendedMasterSecret && sh.anomalies.isEmpty)
        let context = TLSHandshakeMessage.Context(version: .tls12, cipherSuite: sh.cipherSuite)
        guard case let .certificate(cert)? = message(flight, context: context, at: serverHello.count)?.body else { Issue.record("Certificate"); return }
        #expect(cert.certificates == [ServerCertificateDER.rds01] && ServerCertificateDER.rds01.count == 841)
        guard case let .serverKeyExchange(kx)? = message(flight, context: context, at: serverHello.count + certificate.count)?.body else {
            Issue.record("ServerKeyExchange"); return
        }
        #expect(kx.namedGroup?.rawValue == 0x1D && kx.signatureAlgorithm?.rawValue == 0x0401)
        #expect(message(flight, context: context, at: serverHello.count + certificate.count + ske.count)?.body == .serverHelloDone)
        let cke = TLSBuilder.record(type: 22, TLSBuilder.clientKeyExchangeECDHE(publicPoint: [UInt8](repeating: 6, count: 32)))
        guard case let .clientKeyExchange(c)? = message(cke, context: context)?.body else { Issue.record("ClientKeyExchange"); return }
        #expect(c.exchangeLength == 32)

        var random = SplitMix64(seed: 1)
        #expect(TLSBuilder.encryptedFinished(random: &random).count == 5 + 40)
        var sequence: UInt64 = 1
        let large = TLSBuilder.applicationData(plaintextLength: 20_000, sequence: &sequence, random: &random)
        #expect(sequence == 3 && large.count == 2 * (5 + 24) + 20_000)
    }

    // MARK: the generator

    /// Two runs give the same frames, byte for byte and time for time.
    @Test func generatorIsDeterministic() {
        let first = Catalog.all()
        let second = Catalog.all()
        #expect(first.map(\.name) == second.map(\.name))
        for (a, b) in zip(first, second) {
            #expect(a.frames.count == b.frames.count, "\(a.name)")
            #expect(a.frames.map(\.time) == b.frames.map(\.time), "\(a.name)")
            #expect(a.frames.map(\.bytes) == b.frames.map(\.bytes), "\(a.name)")
            #expect(a.marks.map(\.label) == b.marks.map(\.label) && a.marks.map(\.frame) == b.marks.map(\.frame))
        }
    }

    /// Every clear-text RDP PDU in the Standard RDP Security captures parses: TPKT, X.224,
    /// MCS, and the security-header PDUs and share PDUs inside Send Data.
    @Test(arguments: ["synth-win-licensing-no-license-server", "synth-win-set-error-info-denied"])
    func standardSecurityCapturesParse(name: String) throws {
        let capture = try #require(Catalog.all().first { $0.name == name })
        var seen: [String] = []
        for (index, frame) in capture.frames.enumerated() {
            let b = frame.bytes
            let ipLength = Int(b[16]) << 8 | Int(b[17])
            let tcp = 14 + 20
            let payloadStart = tcp + Int(b[tcp + 12] >> 4) * 4
            let payload = Array(b[payloadStart..<(14 + ipLength)])
            guard !payload.isEmpty else { continue }
            #expect(payload[0] == 3, "frame \(index + 1) is not TPKT")
            guard let (tpdu, rest) = Self.x224(payload) else { continue }
            guard case .data = tpdu else { seen.append("x224"); continue }
            guard let pdu = parsed(rest, MCSPDU.parse) else { continue }
            guard case let .domain(domain) = pdu else { seen.append("connect"); continue }
            switch domain {
            case let .sendDataRequest(sd), let .sendDataIndication(sd):
                let data = Array(rest[sd.userData])
                if ShareControlHeader.isPlausible(data.withUnsafeBytes { ByteCursor($0) }) {
                    guard case let .data(_, errorInfo)? = (parsed(data, ShareControlPDU.parse) ?? nil)?.body else { continue }
                    seen.append("errorInfo \(errorInfo?.errorInfo ?? 0)")
                } else {
                    switch parsed(data, SecuredPDU.parse) {
                    case let .licensing(_, l)?: seen.append(l.preamble.messageTypeName ?? "?")
                    case .securityExchange?: seen.append("security_exchange")
                    case .clientInfo?, .encrypted?: seen.append("client_info")
                    default: Issue.record("unexpected secured PDU in \(name)")
                    }
                }
            default:
                seen.append("domain")
            }
        }
        if name.contains("licensing") {
            #expect(Array(seen.drop { $0 != "security_exchange" }) == ["security_exchange", "client_info", "LICENSE_REQUEST",
                                                                        "NEW_LICENSE_REQUEST", "ERROR_ALERT", "domain"])
        } else {
            #expect(Array(seen.drop { $0 != "client_info" }) == ["client_info", "ERROR_ALERT", "errorInfo 7", "domain"])
        }
    }
}
