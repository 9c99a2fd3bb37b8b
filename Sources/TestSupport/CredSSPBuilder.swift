/// CredSSP TSRequests [MS-CSSP 2.2.1] and the NTLM messages they carry
/// [MS-NLMP 2.2.1], for synthesized NLA exchanges. NTLM fields that would
/// come from cryptography (challenges, responses, MIC, session key) are the
/// caller's bytes of the right size.
public enum CredSSPBuilder {
    static func le16(_ v: Int) -> [UInt8] { RDPBuilder.le16(v) }
    static func le32(_ v: UInt32) -> [UInt8] { RDPBuilder.le32(v) }
    static func ber(_ tag: UInt8, _ contents: [UInt8]) -> [UInt8] { RDPBuilder.ber([tag], contents) }

    // MARK: TSRequest

    /// TSRequest ::= SEQUENCE { version [0] INTEGER, negoTokens [1] NegoData OPTIONAL,
    /// authInfo [2] OCTET STRING OPTIONAL, pubKeyAuth [3] OCTET STRING OPTIONAL,
    /// errorCode [4] INTEGER OPTIONAL, clientNonce [5] OCTET STRING OPTIONAL } (DER).
    /// NegoData ::= SEQUENCE OF SEQUENCE { negoToken [0] OCTET STRING }.
    /// `errorCode` is written as Windows' 32-bit NTSTATUS, a signed (here negative) INTEGER.
    public static func tsRequest(version: UInt32 = 6, negoToken: [UInt8]? = nil, pubKeyAuth: [UInt8]? = nil,
                                 errorCode: UInt32? = nil, clientNonce: [UInt8]? = nil) -> [UInt8] {
        var fields = ber(0xA0, RDPBuilder.berInteger(version))
        if let negoToken { fields += ber(0xA1, ber(0x30, ber(0x30, ber(0xA0, ber(0x04, negoToken))))) }
        if let pubKeyAuth { fields += ber(0xA3, ber(0x04, pubKeyAuth)) }
        if let errorCode {
            var bytes = le32(errorCode).reversed() as [UInt8]
            while bytes.count > 1 && ((bytes[0] == 0xFF && bytes[1] & 0x80 != 0) || (bytes[0] == 0 && bytes[1] & 0x80 == 0)) {
                bytes.removeFirst()
            }
            fields += ber(0xA4, ber(0x02, bytes))
        }
        if let clientNonce { fields += ber(0xA5, ber(0x04, clientNonce)) }
        return ber(0x30, fields)
    }

    // MARK: NTLM [MS-NLMP]

    static let signature: [UInt8] = Array("NTLMSSP\0".utf8)

    /// Flags of a Windows NTLMv2 exchange [MS-NLMP 2.2.2.5]: 56, KEY_EXCH, 128, VERSION,
    /// TARGET_INFO, EXTENDED_SESSIONSECURITY, ALWAYS_SIGN, NTLM, SEAL, SIGN, REQUEST_TARGET, UNICODE.
    public static let windowsFlags: UInt32 = 0xE288_8235

    /// VERSION [MS-NLMP 2.2.2.10]: Windows 10.0 build 19041 (client) or 20348 (server), revision 15.
    public static func version(build: Int) -> [UInt8] { [10, 0] + le16(build) + [0, 0, 0, 0x0F] }

    /// A payload field's (length, max length, offset) [MS-NLMP 2.2.1].
    static func field(_ length: Int, _ offset: Int) -> [UInt8] { le16(length) + le16(length) + le32(UInt32(offset)) }

    /// NEGOTIATE_MESSAGE [MS-NLMP 2.2.1.1]: no domain or workstation supplied.
    public static func ntlmNegotiate(build: Int = 19041) -> [UInt8] {
        signature + le32(1) + le32(0xE208_82B7) + field(0, 0) + field(0, 0) + version(build: build)
    }

    /// AV_PAIR list [MS-NLMP 2.2.2.1] of a domain member server, ending with MsvAvEOL.
    static func targetInfo(domain: String, computer: String, dnsDomain: String, timestamp: UInt64) -> [UInt8] {
        func pair(_ id: Int, _ value: [UInt8]) -> [UInt8] { le16(id) + le16(value.count) + value }
        let u = { (s: String) in RDPBuilder.utf16le(s) }
        var time: [UInt8] = []
        for i in 0..<8 { time.append(UInt8(truncatingIfNeeded: timestamp >> UInt64(8 * i))) }
        return pair(2, u(domain)) + pair(1, u(computer)) + pair(4, u(dnsDomain)) + pair(3, u("\(computer).\(dnsDomain)"))
            + pair(5, u(dnsDomain)) + pair(7, time) + pair(0, [])
    }

    /// CHALLENGE_MESSAGE [MS-NLMP 2.2.1.2]: target name (the NetBIOS domain), the 8-byte
    /// server challenge, target info; payload after the 56-byte header.
    public static func ntlmChallenge(serverChallenge: [UInt8], domain: String = "CORP", computer: String = "RDS01",
                                     dnsDomain: String = "corp.example.com", timestamp: UInt64, build: Int = 20348) -> [UInt8] {
        let name = RDPBuilder.utf16le(domain)
        let info = targetInfo(domain: domain, computer: computer, dnsDomain: dnsDomain, timestamp: timestamp)
        let header = 56
        return signature + le32(2) + field(name.count, header) + le32(windowsFlags) + serverChallenge + [UInt8](repeating: 0, count: 8)
            + field(info.count, header + name.count) + version(build: build) + name + info
    }

    /// AUTHENTICATE_MESSAGE [MS-NLMP 2.2.1.3] with an NTLMv2 response: LM response zeros
    /// (a timestamp is in the target info, §3.1.5.1.2), NT response = NTProofStr(16) +
    /// NTLMv2_CLIENT_CHALLENGE [2.2.2.7] (the server's AV pairs plus MsvAvFlags "MIC present"),
    /// domain, user, workstation, the encrypted session key; MIC after VERSION.
    public static func ntlmAuthenticate(ntProof: [UInt8], clientChallenge: [UInt8], timestamp: UInt64, serverTargetInfo: [UInt8],
                                        domain: String, user: String, workstation: String, sessionKey: [UInt8], mic: [UInt8],
                                        build: Int = 19041) -> [UInt8] {
        var time: [UInt8] = []
        for i in 0..<8 { time.append(UInt8(truncatingIfNeeded: timestamp >> UInt64(8 * i))) }
        let avFlags = le16(6) + le16(4) + le32(0x0000_0002)
        let pairs = Array(serverTargetInfo.dropLast(4)) + avFlags + le16(0) + le16(0)
        let clientBlob = [1, 1, 0, 0, 0, 0, 0, 0] + time + clientChallenge + [0, 0, 0, 0] + pairs + [0, 0, 0, 0]
        let nt = ntProof + clientBlob
        let lm = [UInt8](repeating: 0, count: 24)
        let d = RDPBuilder.utf16le(domain), u = RDPBuilder.utf16le(user), w = RDPBuilder.utf16le(workstation)
        let header = 88
        var offset = header
        func next(_ n: Int) -> [UInt8] { defer { offset += n }; return field(n, offset) }
        // Payload order as Windows writes it: domain, user, workstation, LM, NT, session key.
        let dF = next(d.count), uF = next(u.count), wF = next(w.count), lmF = next(lm.count), ntF = next(nt.count), kF = next(sessionKey.count)
        return signature + le32(3) + lmF + ntF + dF + uF + wF + kF + le32(windowsFlags) + version(build: build) + mic
            + d + u + w + lm + nt + sessionKey
    }

    /// The target info of a CHALLENGE message built by `ntlmChallenge` (for the AUTHENTICATE's blob).
    public static func targetInfo(ofChallenge challenge: [UInt8]) -> [UInt8] {
        guard challenge.count >= 48 else { return [] }
        let length = Int(challenge[40]) | Int(challenge[41]) << 8
        let offset = Int(challenge[44]) | Int(challenge[45]) << 8
        guard offset + length <= challenge.count else { return [] }
        return Array(challenge[offset..<offset + length])
    }
}
