/// Builds the PDUs of an RDP connection sequence [MS-RDPBCGR 1.3.1.1] byte by
/// byte, for tests and for the capture generator (`Captures/synth`). Every
/// length and count is computed from the parts; the constants are the ones the
/// specifications name. The bytes are meant to parse with `Sources/Dissect`
/// (Tests/DissectTests/SynthesizedPDUTests.swift checks that they do) and to
/// decode in Wireshark.
///
/// Licensing and share PDUs live in RDPBuilder+Licensing.swift.
public enum RDPBuilder {
    // MARK: encodings

    public static func le16(_ v: Int) -> [UInt8] { [UInt8(truncatingIfNeeded: v), UInt8(truncatingIfNeeded: v >> 8)] }
    public static func le32(_ v: UInt32) -> [UInt8] {
        [UInt8(truncatingIfNeeded: v), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 24)]
    }
    public static func be16(_ v: Int) -> [UInt8] { [UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)] }

    /// UTF-16LE code units of `s`, optionally NUL-terminated, zero-padded to `padTo` bytes.
    public static func utf16le(_ s: String, terminator: Bool = false, padTo: Int? = nil) -> [UInt8] {
        var out: [UInt8] = []
        for unit in s.utf16 { out += le16(Int(unit)) }
        if terminator { out += [0, 0] }
        if let padTo { out += [UInt8](repeating: 0, count: max(0, padTo - out.count)) }
        return out
    }

    /// 8-bit characters of `s` (ASCII in practice), optionally NUL-terminated, zero-padded to `padTo`.
    public static func ansi(_ s: String, terminator: Bool = true, padTo: Int? = nil) -> [UInt8] {
        var out = Array(s.utf8)
        if terminator { out.append(0) }
        if let padTo { out += [UInt8](repeating: 0, count: max(0, padTo - out.count)) }
        return out
    }

    /// ASN.1 BER definite length [X.690 §8.1.3], shortest form.
    public static func berLength(_ n: Int) -> [UInt8] {
        if n < 0x80 { return [UInt8(n)] }
        if n <= 0xFF { return [0x81, UInt8(n)] }
        return [0x82] + be16(n)
    }

    /// A BER element: tag bytes, length, contents.
    public static func ber(_ tag: [UInt8], _ contents: [UInt8]) -> [UInt8] { tag + berLength(contents.count) + contents }

    /// BER INTEGER [X.690 §8.3]: minimal two's complement, so 65535 is `00 FF FF`.
    public static func berInteger(_ v: UInt32, tag: UInt8 = 0x02) -> [UInt8] {
        var bytes: [UInt8] = []
        var x = v
        repeat { bytes.insert(UInt8(x & 0xFF), at: 0); x >>= 8 } while x != 0
        if bytes[0] & 0x80 != 0 { bytes.insert(0, at: 0) }
        return ber([tag], bytes)
    }

    /// ALIGNED PER length determinant [X.691 §10.9]: one byte below 128, else two with 0x80 set.
    public static func perLength(_ n: Int) -> [UInt8] {
        n < 0x80 ? [UInt8(n)] : [0x80 | UInt8(truncatingIfNeeded: n >> 8), UInt8(truncatingIfNeeded: n)]
    }

    // MARK: TPKT / X.224

    /// TPKT header [T.123 §8]: version 3, reserved 0, length (header included, big-endian).
    public static func tpkt(_ payload: [UInt8]) -> [UInt8] { [3, 0] + be16(4 + payload.count) + payload }

    /// RDP_NEG_REQ / RDP_NEG_RSP / RDP_NEG_FAILURE [MS-RDPBCGR 2.2.1.1.1, 2.2.1.2.1, 2.2.1.2.2]:
    /// `type u8 | flags u8 | length u16 (8) | value u32`.
    public static func negotiation(type: UInt8, flags: UInt8, value: UInt32) -> [UInt8] {
        [type, flags] + le16(8) + le32(value)
    }

    /// Client X.224 Connection Request PDU [MS-RDPBCGR 2.2.1.1; X.224 §13.3]: TPKT, the CR
    /// TPDU (LI, CR_CDT 0xE0, DST-REF 0, SRC-REF 0, class 0), the mstsc cookie
    /// `Cookie: mstshash=USER\r\n` and, unless `requestedProtocols` is nil (a client with
    /// "negotiate security layer" off), RDP_NEG_REQ.
    public static func x224ConnectionRequest(cookie: String?, requestedProtocols: UInt32?, flags: UInt8 = 0) -> [UInt8] {
        var variable: [UInt8] = []
        if let cookie { variable += Array("Cookie: mstshash=\(cookie)\r\n".utf8) }
        if let requestedProtocols { variable += negotiation(type: 0x01, flags: flags, value: requestedProtocols) }
        // LI counts the header after itself: code, DST-REF, SRC-REF, class, variable part.
        let fixed: [UInt8] = [0xE0, 0x00, 0x00, 0x00, 0x00, 0x00]
        return tpkt([UInt8(fixed.count + variable.count)] + fixed + variable)
    }

    /// What a Connection Confirm carries after its fixed part.
    public enum ConfirmNegotiation: Sendable {
        /// RDP_NEG_RSP [2.2.1.2.1].
        case response(flags: UInt8, selectedProtocol: UInt32)
        /// RDP_NEG_FAILURE [2.2.1.2.2].
        case failure(code: UInt32)
        /// Nothing: the legacy form, Standard RDP Security.
        case legacy
    }

    /// Server X.224 Connection Confirm PDU [MS-RDPBCGR 2.2.1.2; X.224 §13.4]: CC_CDT 0xD0,
    /// DST-REF 0, SRC-REF 0x1234 (the value in MS-RDPBCGR 4.1.2 and on Windows), class 0.
    public static func x224ConnectionConfirm(_ negotiationPart: ConfirmNegotiation, sourceReference: Int = 0x1234) -> [UInt8] {
        let variable: [UInt8]
        switch negotiationPart {
        case let .response(flags, selected): variable = negotiation(type: 0x02, flags: flags, value: selected)
        case let .failure(code): variable = negotiation(type: 0x03, flags: 0, value: code)
        case .legacy: variable = []
        }
        let fixed: [UInt8] = [0xD0, 0x00, 0x00] + be16(sourceReference) + [0x00]
        return tpkt([UInt8(fixed.count + variable.count)] + fixed + variable)
    }

    /// An MCS PDU in an X.224 Data TPDU [X.224 §13.7: LI 2, DT 0xF0, EOT 0x80] in TPKT.
    public static func x224Data(_ mcs: [UInt8]) -> [UInt8] { tpkt([0x02, 0xF0, 0x80] + mcs) }

    // MARK: MCS connect [T.125 §7 part 1, BER]

    /// DomainParameters [T.125 §7 part 1].
    public struct DomainParameters: Sendable {
        public var values: [UInt32]
        public init(_ maxChannelIds: UInt32, _ maxUserIds: UInt32, _ maxTokenIds: UInt32, _ numPriorities: UInt32,
                    _ minThroughput: UInt32, _ maxHeight: UInt32, _ maxMCSPDUsize: UInt32, _ protocolVersion: UInt32) {
            values = [maxChannelIds, maxUserIds, maxTokenIds, numPriorities, minThroughput, maxHeight, maxMCSPDUsize, protocolVersion]
        }
        public var encoded: [UInt8] { ber([0x30], values.flatMap { berInteger($0) }) }

        /// The three sets mstsc proposes (MS-RDPBCGR 4.1.3) and the set Windows answers with (4.1.4).
        public static let clientTarget = DomainParameters(34, 2, 0, 1, 0, 1, 0xFFFF, 2)
        public static let clientMinimum = DomainParameters(1, 1, 1, 1, 0, 1, 0x420, 2)
        public static let clientMaximum = DomainParameters(0xFFFF, 0xFC17, 0xFFFF, 1, 0, 1, 0xFFFF, 2)
        public static let serverResult = DomainParameters(34, 3, 0, 1, 0, 1, 0xFFF8, 2)
    }

    /// MCS Connect Initial [MS-RDPBCGR 2.2.1.3; T.125 §7 part 1]: APPLICATION 101 with the
    /// domain selectors "\x01", upwardFlag TRUE, three DomainParameters and the GCC
    /// Conference Create Request as userData. Returns the MCS PDU (wrap with `x224Data`).
    public static func mcsConnectInitial(gccUserData: [UInt8]) -> [UInt8] {
        let body = ber([0x04], [0x01]) + ber([0x04], [0x01]) + ber([0x01], [0xFF])
            + DomainParameters.clientTarget.encoded + DomainParameters.clientMinimum.encoded + DomainParameters.clientMaximum.encoded
            + ber([0x04], gccUserData)
        return ber([0x7F, 0x65], body)
    }

    /// MCS Connect Response [MS-RDPBCGR 2.2.1.4; T.125 §7 part 1]: APPLICATION 102 with
    /// result (ENUMERATED, 0 rt-successful), calledConnectId 0, the DomainParameters and
    /// the GCC Conference Create Response.
    public static func mcsConnectResponse(gccUserData: [UInt8], result: UInt32 = 0) -> [UInt8] {
        let body = berInteger(result, tag: 0x0A) + berInteger(0) + DomainParameters.serverResult.encoded + ber([0x04], gccUserData)
        return ber([0x7F, 0x66], body)
    }

    // MARK: GCC [T.124 §8.7, ALIGNED PER; MS-RDPBCGR 2.2.1.3.1, 2.2.1.4.1]

    /// ConnectData key: object identifier {0 0 20 124 0 1} (T.124 version 1).
    static let gccKey: [UInt8] = [0x00, 0x05, 0x00, 0x14, 0x7C, 0x00, 0x01]

    /// GCC Conference Create Request [MS-RDPBCGR 2.2.1.3.1]: ConnectData, then the
    /// ConnectGCCPDU (conferenceCreateRequest, conferenceName "1", one user data set keyed
    /// by H.221 "Duca") around the client data blocks.
    public static func gccConferenceCreateRequest(blocks: [[UInt8]]) -> [UInt8] {
        let data = blocks.flatMap { $0 }
        let pdu: [UInt8] = [0x00, 0x08, 0x00, 0x10, 0x00, 0x01, 0xC0, 0x00] + Array("Duca".utf8) + perLength(data.count) + data
        return gccKey + perLength(pdu.count) + pdu
    }

    /// GCC Conference Create Response [MS-RDPBCGR 2.2.1.4.1]: conferenceCreateResponse with
    /// nodeID 0x760A + 1001 (= 31219, as in MS-RDPBCGR 4.1.4), tag 1, result success, one
    /// user data set keyed by "McDn". The connectPDU length is computed (Windows writes a
    /// wrong constant there; decoders ignore it).
    public static func gccConferenceCreateResponse(blocks: [[UInt8]]) -> [UInt8] {
        let data = blocks.flatMap { $0 }
        let pdu: [UInt8] = [0x14, 0x76, 0x0A, 0x01, 0x01, 0x00, 0x01, 0xC0, 0x00] + Array("McDn".utf8) + perLength(data.count) + data
        return gccKey + perLength(pdu.count) + pdu
    }

    /// TS_UD_HEADER [MS-RDPBCGR 2.2.1.3.1]: `type u16 | length u16` (header included).
    public static func userDataBlock(type: UInt16, _ body: [UInt8]) -> [UInt8] { le16(Int(type)) + le16(4 + body.count) + body }

    /// TS_UD_CS_CORE [MS-RDPBCGR 2.2.1.3.2], up to and including serverSelectedProtocol.
    public struct ClientCore: Sendable {
        public var version: UInt32 = 0x0008_0004  // RDP 5.0 through 8.1 clients
        public var desktopWidth = 1920
        public var desktopHeight = 1080
        public var keyboardLayout: UInt32 = 0x409  // en-US
        public var clientBuild: UInt32 = 19041
        public var clientName = "WS-CLIENT07"
        /// RNS_UD_CS_SUPPORT_ERRINFO_PDU 0x1 | WANT_32BPP 0x2 | STATUSINFO 0x4 | STRONG_ASYMMETRIC_KEYS 0x8
        /// | VALID_CONNECTION_TYPE 0x20 | MONITOR_LAYOUT 0x40 | NETCHAR_AUTODETECT 0x80 | DYNVC_GFX 0x100
        /// | DYNAMIC_TIME_ZONE 0x200 | HEARTBEAT 0x400, as mstsc sends them.
        public var earlyCapabilityFlags = 0x07EF
        public var clientDigProductId = "00331-10000-00001-AA412"
        public var connectionType: UInt8 = 0x07  // CONNECTION_TYPE_AUTODETECT
        public var serverSelectedProtocol: UInt32 = 0

        public init() {}

        public var encoded: [UInt8] {
            var b = le32(version) + le16(desktopWidth) + le16(desktopHeight)
            b += le16(0xCA01)  // colorDepth RNS_UD_COLOR_8BPP (superseded by the fields below)
            b += le16(0xAA03)  // SASSequence RNS_UD_SAS_DEL
            b += le32(keyboardLayout) + le32(clientBuild)
            b += utf16le(String(clientName.prefix(15)), padTo: 32)
            b += le32(4) + le32(0) + le32(12)  // keyboardType IBM enhanced (101/102), subtype, 12 function keys
            b += [UInt8](repeating: 0, count: 64)  // imeFileName
            b += le16(0xCA01)  // postBeta2ColorDepth
            b += le16(1)  // clientProductId
            b += le32(0)  // serialNumber
            b += le16(24)  // highColorDepth
            b += le16(0x000F)  // supportedColorDepths: 24, 16, 15, 32 bpp
            b += le16(earlyCapabilityFlags)
            b += utf16le(String(clientDigProductId.prefix(31)), padTo: 64)  // 32 UTF-16 units, NUL-terminated
            b += [connectionType, 0]  // pad1octet
            b += le32(serverSelectedProtocol)
            return userDataBlock(type: 0xC001, b)
        }
    }

    /// TS_UD_CS_SEC [MS-RDPBCGR 2.2.1.3.3]: 40-bit 0x1 | 128-bit 0x2 | 56-bit 0x8 | FIPS 0x10
    /// by default (mstsc with Standard RDP Security); 0 under TLS.
    public static func clientSecurity(encryptionMethods: UInt32 = 0x1B) -> [UInt8] {
        userDataBlock(type: 0xC002, le32(encryptionMethods) + le32(0))
    }

    /// A static virtual channel of CS_NET: name (7 characters + NUL) and options.
    public struct Channel: Sendable {
        public var name: String
        public var options: UInt32
        public init(_ name: String, _ options: UInt32) { self.name = name; self.options = options }

        /// mstsc's usual four: device redirection, sound, clipboard, dynamic channels.
        public static let mstscDefault: [Channel] = [
            Channel("rdpdr", 0x8080_0000), Channel("rdpsnd", 0xC000_0000),
            Channel("cliprdr", 0xC0A0_0000), Channel("drdynvc", 0xC080_0000),
        ]
    }

    /// TS_UD_CS_NET [MS-RDPBCGR 2.2.1.3.4]: channelCount, then CHANNEL_DEF (8-byte name, options).
    public static func clientNetwork(_ channels: [Channel]) -> [UInt8] {
        userDataBlock(type: 0xC003, le32(UInt32(channels.count)) + channels.flatMap { ansi($0.name, padTo: 8) + le32($0.options) })
    }

    /// TS_UD_CS_CLUSTER [MS-RDPBCGR 2.2.1.3.5]: REDIRECTION_SUPPORTED | REDIRECTION_VERSION4 << 2.
    public static func clientCluster(flags: UInt32 = 0x0D) -> [UInt8] {
        userDataBlock(type: 0xC004, le32(flags) + le32(0))
    }

    /// TS_UD_SC_CORE [MS-RDPBCGR 2.2.1.4.2]: version, clientRequestedProtocols (echo of the
    /// CR), earlyCapabilityFlags (RNS_UD_SC_EDGE_ACTIONS_SUPPORTED_V1 | DYNVC_GFX_PROTOCOL_SUPPORTED).
    public static func serverCore(clientRequestedProtocols: UInt32, earlyCapabilityFlags: UInt32 = 0x03) -> [UInt8] {
        userDataBlock(type: 0x0C01, le32(0x0008_0004) + le32(clientRequestedProtocols) + le32(earlyCapabilityFlags))
    }

    /// TS_UD_SC_SEC1 [MS-RDPBCGR 2.2.1.4.3]. With method and level both 0 (TLS, or Standard
    /// RDP Security at level NONE) the block ends after them: serverRandomLen, serverCertLen,
    /// serverRandom and serverCertificate "MUST NOT be present".
    public static func serverSecurity(encryptionMethod: UInt32, encryptionLevel: UInt32,
                                      serverRandom: [UInt8] = [], certificate: [UInt8] = []) -> [UInt8] {
        var b = le32(encryptionMethod) + le32(encryptionLevel)
        if encryptionMethod != 0 || encryptionLevel != 0 {
            b += le32(UInt32(serverRandom.count)) + le32(UInt32(certificate.count)) + serverRandom + certificate
        }
        return userDataBlock(type: 0x0C02, b)
    }

    /// SERVER_CERTIFICATE with a PROPRIETARYSERVERCERTIFICATE [MS-RDPBCGR 2.2.1.4.3.1,
    /// 2.2.1.4.3.1.1]: dwVersion CERT_CHAIN_VERSION_1, SIGNATURE_ALG_RSA, KEY_EXCHANGE_ALG_RSA,
    /// BB_RSA_KEY_BLOB with an RSA_PUBLIC_KEY [2.2.1.4.3.1.1.1] ("RSA1", keylen = modulus +
    /// 8 bytes of zero padding, bitlen, datalen = bitlen/8 - 1, exponent, modulus little-endian),
    /// then BB_RSA_SIGNATURE_BLOB (a 512-bit signature + 8 zero bytes: the Terminal Services
    /// signing key is 512 bits [5.3.3.1.1]).
    public static func proprietaryCertificate(modulus: [UInt8], signature: [UInt8], exponent: UInt32 = 0x10001) -> [UInt8] {
        let keyLength = modulus.count + 8
        let bits = modulus.count * 8
        let key = le32(0x3141_5352) + le32(UInt32(keyLength)) + le32(UInt32(bits)) + le32(UInt32(bits / 8 - 1)) + le32(exponent)
            + modulus + [UInt8](repeating: 0, count: 8)
        let sig = signature + [UInt8](repeating: 0, count: 8)
        return le32(1) + le32(1) + le32(1) + le16(0x0006) + le16(key.count) + key + le16(0x0008) + le16(sig.count) + sig
    }

    /// TS_UD_SC_NET [MS-RDPBCGR 2.2.1.4.4]: the I/O channel, the static channel ids, and a
    /// 2-byte pad after an odd count.
    public static func serverNetwork(ioChannel: Int = 1003, channelIds: [Int]) -> [UInt8] {
        var b = le16(ioChannel) + le16(channelIds.count) + channelIds.flatMap { le16($0) }
        if channelIds.count % 2 == 1 { b += [0, 0] }
        return userDataBlock(type: 0x0C03, b)
    }

    // MARK: MCS domain PDUs [T.125 §7 part 10, ALIGNED PER: CHOICE index << 2 in the first byte]

    /// UserId is sent as an offset from 1001 [T.125 §7 part 2].
    static func userId(_ id: Int) -> [UInt8] { be16(id - 1001) }

    /// Erect Domain Request [MS-RDPBCGR 2.2.1.5]: choice 1, subHeight 0, subInterval 0.
    public static func erectDomainRequest() -> [UInt8] { [1 << 2, 0x01, 0x00, 0x01, 0x00] }

    /// Attach User Request [MS-RDPBCGR 2.2.1.6]: choice 10, no fields.
    public static func attachUserRequest() -> [UInt8] { [10 << 2] }

    /// Attach User Confirm [MS-RDPBCGR 2.2.1.7]: choice 11, initiator-present bit, result
    /// (4 bits across the two bytes, 0 rt-successful), initiator.
    public static func attachUserConfirm(initiator: Int, result: UInt8 = 0) -> [UInt8] {
        [11 << 2 | 0x02 | result >> 3, (result & 0x07) << 5] + userId(initiator)
    }

    /// Channel Join Request [MS-RDPBCGR 2.2.1.8]: choice 14, initiator, channelId.
    public static func channelJoinRequest(initiator: Int, channel: Int) -> [UInt8] {
        [14 << 2] + userId(initiator) + be16(channel)
    }

    /// Channel Join Confirm [MS-RDPBCGR 2.2.1.9]: choice 15 with channelId present, result,
    /// initiator, requested, channelId.
    public static func channelJoinConfirm(initiator: Int, channel: Int, result: UInt8 = 0) -> [UInt8] {
        [15 << 2 | 0x02 | result >> 3, (result & 0x07) << 5] + userId(initiator) + be16(channel) + be16(channel)
    }

    /// Disconnect Provider Ultimatum [MS-RDPBCGR 2.2.2.3; T.125 §10.1]: choice 8, reason as a
    /// 3-bit ENUMERATED across the two bytes (3 rn-user-requested, 1 rn-provider-initiated).
    public static func disconnectProviderUltimatum(reason: UInt8 = 3) -> [UInt8] {
        [8 << 2 | reason >> 1, (reason & 0x01) << 7]
    }

    /// Send Data Request (client, choice 25) / Indication (server, choice 26) [T.125 §11.32-33;
    /// MS-RDPBCGR 2.2.8.1.1.1]: initiator, channelId, priority high + segmentation begin|end
    /// (0x70), PER length, user data.
    public static func sendData(indication: Bool, initiator: Int, channel: Int, _ userData: [UInt8]) -> [UInt8] {
        [indication ? 26 << 2 : 25 << 2] + userId(initiator) + be16(channel) + [0x70] + perLength(userData.count) + userData
    }

    // MARK: security [MS-RDPBCGR 2.2.8.1.1.2]

    /// TS_SECURITY_HEADER [2.2.8.1.1.2.1]: flags, flagsHi.
    public static func securityHeader(flags: UInt16, flagsHi: UInt16 = 0) -> [UInt8] { le16(Int(flags)) + le16(Int(flagsHi)) }

    /// Security Exchange PDU data [MS-RDPBCGR 2.2.1.10.1]: SEC_EXCHANGE_PKT |
    /// SEC_LICENSE_ENCRYPT_SC, length, the client random encrypted with the server's public
    /// key (`encryptedRandom`, modulus-sized) followed by 8 zero bytes of padding.
    public static func securityExchange(encryptedRandom: [UInt8]) -> [UInt8] {
        let data = encryptedRandom + [UInt8](repeating: 0, count: 8)
        return securityHeader(flags: 0x0201) + le32(UInt32(data.count)) + data
    }

    /// TS_SECURITY_HEADER1 [2.2.8.1.1.2.2] with SEC_ENCRYPT and `flags`, around ciphertext:
    /// RC4 keeps the plaintext's length, so `ciphertext` has the plaintext's size.
    public static func encrypted(flags: UInt16, signature: [UInt8], ciphertext: [UInt8]) -> [UInt8] {
        securityHeader(flags: flags | 0x0008) + signature + ciphertext
    }

    // MARK: Client Info [MS-RDPBCGR 2.2.1.11]

    /// TS_INFO_PACKET [2.2.1.11.1.1] in Unicode with a TS_EXTENDED_INFO_PACKET
    /// [2.2.1.11.1.1.1] (IPv4 client address, client directory, a TS_TIME_ZONE_INFORMATION
    /// [2.2.1.11.1.1.1.1] for UTC, performance flags, the dynamic DST key "UTC").
    /// cb* fields exclude the terminators.
    public struct ClientInfo: Sendable {
        public var domain = "CORP"
        public var userName = "jsmith"
        public var clientAddress = "192.168.10.57"
        public var clientDir = "C:\\Windows\\System32\\mstscax.dll"
        /// INFO_MOUSE | DISABLECTRLALTDEL | UNICODE | MAXIMIZESHELL | LOGONNOTIFY |
        /// ENABLEWINDOWSKEY | LOGONERRORS | MOUSE_HAS_WHEEL.
        public var flags: UInt32 = 0x0003_0173

        public init() {}

        public var encoded: [UInt8] {
            var b = le32(0x0409) + le32(flags)
            let fields = [domain, userName, "", "", ""]  // domain, user, password, alternate shell, working dir
            for f in fields { b += le16(utf16le(f).count) }
            for f in fields { b += utf16le(f, terminator: true) }
            let address = utf16le(clientAddress, terminator: true)
            let dir = utf16le(clientDir, terminator: true)
            b += le16(2) + le16(address.count) + address + le16(dir.count) + dir
            // TS_TIME_ZONE_INFORMATION: Bias, StandardName[32], StandardDate, StandardBias,
            // DaylightName[32], DaylightDate, DaylightBias.
            b += le32(0) + utf16le("Coordinated Universal Time", padTo: 64) + [UInt8](repeating: 0, count: 16) + le32(0)
            b += utf16le("Coordinated Universal Time", padTo: 64) + [UInt8](repeating: 0, count: 16) + le32(0)
            b += le32(0)  // clientSessionId
            b += le32(0x0000_0007)  // performanceFlags: disable wallpaper, full-window drag, menu animations
            b += le16(0)  // cbAutoReconnectCookie (no cookie)
            b += le16(0) + le16(0)  // reserved1, reserved2
            // Dynamic DST time zone key (RNS_UD_CS_SUPPORT_DYNAMIC_TIME_ZONE is in CS_CORE).
            let key = utf16le("UTC")
            b += le16(key.count) + key + le16(1)  // dynamicDaylightTimeDisabled
            return b
        }
    }

    /// Client Info PDU data in the clear [2.2.1.11.1]: SEC_INFO_PKT then the TS_INFO_PACKET
    /// (encryption level NONE, or TLS).
    public static func clientInfo(_ info: ClientInfo) -> [UInt8] { securityHeader(flags: 0x0040) + info.encoded }
}
