import Capture
@testable import Dissect
import Reassembly
import Testing

/// A connection's timeline holds up to about a hundred entries, most of them
/// protected records: their size is part of what a run's memory is made of.
@Suite struct TimelineEntryTests {
    @Test func entriesStayWithin48Bytes() {
        #expect(MemoryLayout<TLSEncryptedRecord>.size <= 25)
        #expect(MemoryLayout<HandshakeEvent>.stride <= 48)
    }

    @Test(arguments: [nil, .exact(0), .exact(16_384), .range(min: 1_000, max: 1_015), .atMost(65_535)] as [TLSPlaintextSize?])
    func plaintextSizesReadBackAsStored(size: TLSPlaintextSize?) {
        let record = TLSEncryptedRecord(direction: .serverToClient, kind: .applicationData,
                                        frames: TLSFrames(first: 7, last: 9), recordLength: 16_401, plaintext: size)
        #expect(record.plaintext == size)
        #expect(record.recordLength == 16_401)
        #expect(record.frames == TLSFrames(first: 7, last: 9))
        #expect(record.direction == .serverToClient && record.kind == .applicationData)
    }

    @Test func recordsDifferingOnlyInPlaintextAreNotEqual() {
        var a = TLSEncryptedRecord(direction: .clientToServer, kind: .alert, frames: TLSFrames(first: 1, last: 1),
                                   recordLength: 26, plaintext: .exact(2))
        let b = a
        a.plaintext = .atMost(2)
        #expect(a != b)
        a.plaintext = .exact(2)
        #expect(a == b)
    }
}
