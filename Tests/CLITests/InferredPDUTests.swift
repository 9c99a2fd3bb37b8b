@testable import Diagnosis
import Testing

@Suite struct InferredPDUTests {
    /// Findings name an inferred PDU by its JSON kind with spaces; the names are spelled
    /// out (cheaper than rewriting the raw value), so they must keep matching it.
    @Test(arguments: InferredPDU.Kind.allCases)
    func wordsAreTheRawValueWithSpaces(kind: InferredPDU.Kind) {
        #expect(kind.words == String(kind.rawValue.map { $0 == "_" ? " " : $0 }))
    }
}
