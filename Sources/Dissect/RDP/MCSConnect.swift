import Wire

/// DomainParameters [T.125 §7 part 1]: eight INTEGERs in a SEQUENCE.
public struct MCSDomainParameters: Equatable, Sendable {
    public var maxChannelIds: UInt32
    public var maxUserIds: UInt32
    public var maxTokenIds: UInt32
    public var numPriorities: UInt32
    public var minThroughput: UInt32
    public var maxHeight: UInt32
    public var maxMCSPDUsize: UInt32
    public var protocolVersion: UInt32

    public init(maxChannelIds: UInt32, maxUserIds: UInt32, maxTokenIds: UInt32, numPriorities: UInt32,
                minThroughput: UInt32, maxHeight: UInt32, maxMCSPDUsize: UInt32, protocolVersion: UInt32) {
        self.maxChannelIds = maxChannelIds
        self.maxUserIds = maxUserIds
        self.maxTokenIds = maxTokenIds
        self.numPriorities = numPriorities
        self.minThroughput = minThroughput
        self.maxHeight = maxHeight
        self.maxMCSPDUsize = maxMCSPDUsize
        self.protocolVersion = protocolVersion
    }

    static func read(_ r: inout PDUReader) throws(DissectError) -> MCSDomainParameters {
        var s = try r.berElement([0x30], unexpected: "mcs_ber_tag_unexpected", invalid: "mcs_ber_length_invalid")
        var v: [UInt32] = []
        for _ in 0..<8 { v.append(try s.mcsInteger()) }
        try s.expectEnd("mcs_trailing_bytes")
        return MCSDomainParameters(maxChannelIds: v[0], maxUserIds: v[1], maxTokenIds: v[2], numPriorities: v[3],
                                   minThroughput: v[4], maxHeight: v[5], maxMCSPDUsize: v[6], protocolVersion: v[7])
    }
}

extension PDUReader {
    mutating func mcsInteger() throws(DissectError) -> UInt32 {
        try berUnsigned(0x02, unexpected: "mcs_ber_tag_unexpected", invalid: "mcs_integer_invalid")
    }

    mutating func mcsOctetString() throws(DissectError) -> PDUReader {
        try berElement([0x04], unexpected: "mcs_ber_tag_unexpected", invalid: "mcs_ber_length_invalid")
    }
}

/// MCS Connect-Initial [T.125 §7 part 1, §11.1; MS-RDPBCGR 2.2.1.3]: BER
/// APPLICATION 101 (`7F 65`), carrying the GCC Conference Create Request with
/// the client's data blocks. In the clear only with Standard RDP Security.
public struct MCSConnectInitial: Equatable, Sendable {
    public var callingDomainSelector: [UInt8]
    public var calledDomainSelector: [UInt8]
    public var upwardFlag: Bool
    public var targetParameters: MCSDomainParameters
    public var minimumParameters: MCSDomainParameters
    public var maximumParameters: MCSDomainParameters
    public var conference: GCCConferenceCreateRequest

    /// Parses from the first MCS byte (after the X.224 Data TPDU header) to the
    /// end of the TPKT payload; the BER length must cover exactly that.
    // [T.125 §7 part 1 Connect-Initial; MS-RDPBCGR 2.2.1.3]
    public static func parse(_ mcs: ByteCursor) -> DissectResult<MCSConnectInitial> {
        DissectResult { () throws(DissectError) in
            var outer = PDUReader(mcs, truncated: "mcs_truncated")
            var r = try outer.berElement([0x7F, 0x65], unexpected: "mcs_ber_tag_unexpected", invalid: "mcs_ber_length_invalid")
            try outer.expectEnd("mcs_trailing_bytes")
            var calling = try r.mcsOctetString()
            var called = try r.mcsOctetString()
            let callingBytes = try calling.array(calling.remaining)
            let calledBytes = try called.array(called.remaining)
            var flag = try r.berElement([0x01], unexpected: "mcs_ber_tag_unexpected", invalid: "mcs_ber_length_invalid")
            guard flag.remaining == 1 else { throw flag.fail("mcs_ber_length_invalid", "BOOLEAN of \(flag.remaining) bytes") }
            let upward = try flag.u8() != 0
            let target = try MCSDomainParameters.read(&r)
            let minimum = try MCSDomainParameters.read(&r)
            let maximum = try MCSDomainParameters.read(&r)
            let userData = try r.mcsOctetString()
            try r.expectEnd("mcs_trailing_bytes")
            let conference = try GCCConferenceCreateRequest.read(userData.cursor)
            let ci = MCSConnectInitial(callingDomainSelector: callingBytes, calledDomainSelector: calledBytes,
                                       upwardFlag: upward, targetParameters: target, minimumParameters: minimum,
                                       maximumParameters: maximum, conference: conference)
            return (ci, mcs.remaining)
        }
    }
}

/// MCS Connect-Response [T.125 §7 part 1, §11.2; MS-RDPBCGR 2.2.1.4]: BER
/// APPLICATION 102 (`7F 66`) with the GCC Conference Create Response and the
/// server's data blocks (security settings and certificate).
public struct MCSConnectResponse: Equatable, Sendable {
    public var result: UInt32
    public var calledConnectId: UInt32
    public var domainParameters: MCSDomainParameters
    /// nil when the response carries no user data (a refused connect may omit it).
    public var conference: GCCConferenceCreateResponse?

    public var resultName: String? { MCSCodes.resultName(result) }

    // [T.125 §7 part 1 Connect-Response; MS-RDPBCGR 2.2.1.4]
    public static func parse(_ mcs: ByteCursor) -> DissectResult<MCSConnectResponse> {
        DissectResult { () throws(DissectError) in
            var outer = PDUReader(mcs, truncated: "mcs_truncated")
            var r = try outer.berElement([0x7F, 0x66], unexpected: "mcs_ber_tag_unexpected", invalid: "mcs_ber_length_invalid")
            try outer.expectEnd("mcs_trailing_bytes")
            let result = try r.berUnsigned(0x0A, unexpected: "mcs_ber_tag_unexpected", invalid: "mcs_integer_invalid")
            let connectId = try r.mcsInteger()
            let parameters = try MCSDomainParameters.read(&r)
            let userData = try r.mcsOctetString()
            try r.expectEnd("mcs_trailing_bytes")
            let conference = userData.isAtEnd ? nil : try GCCConferenceCreateResponse.read(userData.cursor)
            let response = MCSConnectResponse(result: result, calledConnectId: connectId,
                                              domainParameters: parameters, conference: conference)
            return (response, mcs.remaining)
        }
    }
}

/// Any PDU that can follow an X.224 Data TPDU header: the BER connect PDUs
/// (first byte 0x7F) or a PER DomainMCSPDU.
public enum MCSPDU: Equatable, Sendable {
    case connectInitial(MCSConnectInitial)
    case connectResponse(MCSConnectResponse)
    case domain(MCSDomainPDU)

    /// Dispatches on the first bytes; `consumed` is the whole MCS PDU.
    // [T.125 §7]
    public static func parse(_ mcs: ByteCursor) -> DissectResult<MCSPDU> {
        guard let first = mcs.peek() else { return .malformed(DissectError("mcs_truncated", offset: mcs.offset)) }
        if first == 0x7F {
            switch mcs.peek(1) {
            case 0x65: return MCSConnectInitial.parse(mcs).mapParsed(MCSPDU.connectInitial)
            case 0x66: return MCSConnectResponse.parse(mcs).mapParsed(MCSPDU.connectResponse)
            case nil: return .malformed(DissectError("mcs_truncated", offset: mcs.offset))
            // Connect-Additional/Result (103/104) are not used by RDP.
            default: return .malformed(DissectError("mcs_ber_tag_unexpected", offset: mcs.offset))
            }
        }
        return MCSDomainPDU.parse(mcs).mapParsed(MCSPDU.domain)
    }
}
