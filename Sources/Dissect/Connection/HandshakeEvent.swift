import Capture
import Reassembly

/// One message of the handshake as dissected, with where it was seen.
public struct HandshakeEvent: Sendable, Equatable {
    // The message comes first so that the direction fills its tail padding: 48
    // bytes an entry (a connection keeps up to about a hundred).
    public var message: HandshakeMessage
    public var direction: Direction
    /// The frame in which the message's last byte arrived (as Wireshark shows reassembled PDUs).
    public var frame: Int
    public var time: CaptureTime

    public init(frame: Int, time: CaptureTime, direction: Direction, message: HandshakeMessage) {
        self.frame = frame
        self.time = time
        self.direction = direction
        self.message = message
    }
}

/// Everything the dissector can say about a message in the handshake. The
/// parsed messages are boxed (`indirect`) so a timeline of many small
/// protected records does not pay for the largest message in every entry.
/// The X.224 Connection Confirm and Disconnect Request are not: they are no
/// larger than an entry's other payloads (16 bytes), and a box for the Confirm
/// of every connection was an allocation on the reassembling thread.
public enum HandshakeMessage: Sendable, Equatable {
    indirect case x224Request(X224ConnectionRequest)
    case x224Confirm(X224ConnectionConfirm)
    case x224Disconnect(X224DisconnectRequest)
    indirect case mcsConnectInitial(MCSConnectInitial)
    indirect case mcsConnectResponse(MCSConnectResponse)
    /// An MCS domain PDU other than Send Data, or Send Data whose content is listed separately.
    indirect case mcsDomain(MCSDomainPDU)
    indirect case securityExchange(SecurityExchangePDU)
    indirect case clientInfo(ClientInfoPacket)
    indirect case licensing(LicensingPDU)
    indirect case shareControl(ShareControlPDU)
    /// Standard RDP Security payload with SEC_ENCRYPT: length of what is encrypted, and the MCS channel.
    case encryptedRDP(channel: UInt16, length: Int)
    /// A fast-path PDU (input from the client, output from the server): its length and whether it is encrypted.
    case fastPath(length: Int, encrypted: Bool)
    /// (Not boxed: the message is a class, and its reference fits the entry.)
    case tlsHandshake(TLSHandshakeMessage)
    case tlsChangeCipherSpec
    case tlsAlert(TLSAlert)
    /// A protected TLS record: its kind, record length and implied plaintext size.
    case tlsEncrypted(TLSEncryptedRecord)
    /// CredSSP in the clear (decrypted with a key log).
    indirect case credSSP(TSRequest)
    /// The HYBRID_EX Early User Authorization Result (decrypted with a key log).
    case earlyUserAuthorization(EarlyUserAuthorizationResult)
    /// A protected record that did not decrypt with the key log.
    case tlsDecryptFailure(String)

    /// A short name for timelines.
    public var name: String {
        switch self {
        case .x224Request: return "X.224 Connection Request"
        case .x224Confirm(let cc):
            switch cc.negotiation {
            case .failure: return "X.224 Connection Confirm (RDP_NEG_FAILURE)"
            case .legacy: return "X.224 Connection Confirm (legacy)"
            case .response: return "X.224 Connection Confirm"
            }
        case .x224Disconnect: return "X.224 Disconnect Request"
        case .mcsConnectInitial: return "MCS Connect Initial"
        case .mcsConnectResponse: return "MCS Connect Response"
        case .mcsDomain(let pdu): return "MCS " + (pdu.name ?? "domain PDU \(pdu.choice)")
        case .securityExchange: return "Security Exchange"
        case .clientInfo: return "Client Info"
        case .licensing(let pdu): return "Licensing " + (pdu.preamble.messageTypeName ?? "message 0x" + String(pdu.preamble.messageType, radix: 16))
        case .shareControl(let pdu):
            if case let .data(_, errorInfo?) = pdu.body { return "Set Error Info" + (errorInfo.name.map { " " + $0 } ?? "") }
            return pdu.header.typeName ?? "Share Control PDU"
        case .encryptedRDP: return "Encrypted RDP data"
        case .fastPath: return "Fast-path PDU"
        case .tlsHandshake(let m): return "TLS \(m.type)"
        case .tlsChangeCipherSpec: return "TLS ChangeCipherSpec"
        case .tlsAlert(let a): return "TLS alert \(a.level) \(a.alertDescription)"
        case .tlsEncrypted(let r): return r.kind == .applicationData ? "TLS application data" : "TLS encrypted " + r.kind.rawValue
        case .credSSP: return "CredSSP TSRequest"
        case .earlyUserAuthorization(let r): return "Early User Authorization Result" + (r.name.map { " " + $0 } ?? "")
        case .tlsDecryptFailure: return "TLS record not decrypted"
        }
    }
}
