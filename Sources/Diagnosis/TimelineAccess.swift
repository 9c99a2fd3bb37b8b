import Dissect

// Reading a connection's timeline without copying its events.
//
// A timeline holds a few handshake messages and dozens of protected records.
// `for event in timeline` copies every event (an outlined copy and destroy
// call each), and so does a `switch` over `timeline[i].message` whose cases
// bind the protected record or call out (an array append, a string) while the
// message is bound. The loops over timelines therefore read the protected
// record through `protectedRecord` first, let the `switch` over the other
// messages only decide, and act after it.

extension HandshakeMessage {
    /// The protected TLS record, read in place (a getter borrows the message).
    package var protectedRecord: TLSEncryptedRecord? {
        if case let .tlsEncrypted(record) = self { return record }
        return nil
    }

    /// A decrypted CredSSP TSRequest or Early User Authorization Result.
    var isNLAResult: Bool {
        switch self {
        case .credSSP, .earlyUserAuthorization: return true
        default: return false
        }
    }
}
