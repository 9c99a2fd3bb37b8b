import Capture
import Diagnosis
import Foundation
import Report
import Testing

/// A pcapng timestamp is 64 bits in the interface's units, so a hostile or broken
/// capture can put two frames 2^63 ns apart, where a plain difference or `abs` of
/// the times traps. Bundled captures re-timed that way must still be analysed and
/// reported in full (a trap here ends the test run).
@Suite struct HostileTimestampTests {
    /// The frames of a bundled capture with new times (from the frame's index and the count).
    static func retimed(_ name: String, _ time: (Int, Int) -> CaptureTime) throws -> MemoryInput {
        let reader = try CaptureReader(paths: [packageRoot.appendingPathComponent("Captures/\(name).pcap").path], readAhead: false)
        var bytes: [[UInt8]] = []
        var linkType = LinkType.ethernet
        while let frame = reader.next() {
            linkType = frame.linkType
            bytes.append(Array(frame.bytes))
        }
        return MemoryInput(linkType: linkType, frames: bytes.indices.map { (time($0, bytes.count), bytes[$0]) })
    }

    /// Every other frame 2^63 ns on (exactly that from the frame before it), or only the
    /// last one (exactly that from the first): what `2^63 + i` as a pcapng timestamp gives.
    static func time(_ pattern: String, _ i: Int, _ count: Int) -> CaptureTime {
        switch pattern {
        case "alternate": CaptureTime(nanoseconds: i % 2 == 1 ? Int64.min &+ Int64(i) : Int64(i) + 1)
        default: CaptureTime(nanoseconds: i == count - 1 ? Int64.min &+ 1 : Int64(i) + 1)
        }
    }

    /// Each capture reaches one of the places that trapped: the span in the text report
    /// (xrdp-tls-success), the duplicate check of a cooked capture (the SLL2 one), and
    /// the reset judge's time comparisons (client-killed-during-mcs, and the SLL2 one).
    @Test(arguments: ["xrdp-tls-success", "xrdp-tls-success-sll2", "client-killed-during-mcs"], ["alternate", "last"])
    func analysedAndReportedInFull(capture: String, pattern: String) throws {
        let result = Analysis.run(reader: CaptureReader(memory: [try Self.retimed(capture) { Self.time(pattern, $0, $1) }]), listAll: true)
        let frames = result.stats.frames
        #expect(frames == result.inputs.first?.frames && frames > 10)
        #expect(!result.connections.isEmpty)
        var text = TextReport.closing(result, listAll: true, shown: result.connections.count, color: false)
        for (id, c) in result.connections.enumerated() {
            text += TextReport.connection(c, id: id, color: false)
            #expect(JSONReport.connection(c).serialized().contains("\"verdict\""))
        }
        #expect(text.contains("\(frames) frames"))
        #expect(JSONReport.capture(result).serialized().contains("\"frames\":\(frames)"))
    }
}
