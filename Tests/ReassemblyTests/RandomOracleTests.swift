import Capture
import Reassembly
import TestSupport
import Testing


/// Random segmentation, reordering within a window, duplicates and lost
/// segments (acknowledged later) against an oracle: the delivered stream is
/// the original with exactly the lost-and-never-resent bytes drawn as gaps.
@Suite struct RandomOracleTests {
    @Test(arguments: isns)
    func randomSegmentationReorderingAndLoss(isn: UInt32) {
        for seed in UInt64(1)...40 {
            var rng = SplitMix64(seed: seed &* 7919 &+ UInt64(isn))
            let length = Int.random(in: 200...3000, using: &rng)
            let message = (0..<length).map { _ in UInt8.random(in: 0x61...0x7A, using: &rng) }
            // Cut into segments.
            var segments: [(offset: Int, bytes: [UInt8])] = []
            var offset = 0
            while offset < length {
                let n = min(length - offset, Int.random(in: 1...400, using: &rng))
                segments.append((offset, Array(message[offset..<offset + n])))
                offset += n
            }
            // Oracle bitmap: a byte is expected unless its only copy was dropped.
            var expected = message
            var order: [(offset: Int, bytes: [UInt8])] = []
            for segment in segments {
                let roll = Int.random(in: 0..<100, using: &rng)
                if roll < 8 && segment.offset > 0 {
                    for i in segment.offset..<segment.offset + segment.bytes.count { expected[i] = UInt8(ascii: "~") }
                    continue // lost
                }
                order.append(segment)
                if roll < 16 { order.append(segment) } // duplicate
            }
            // Reorder within a window of 4.
            for i in order.indices {
                let j = min(order.count - 1, i + Int.random(in: 0...3, using: &rng))
                order.swapAt(i, j)
            }
            var c = Conversation.ipv4(clientISN: isn)
            c.handshake()
            let base = c.clientSeq
            for segment in order {
                c.segment(.client, sequence: base &+ UInt32(segment.offset), flags: [.ack, .psh], payload: segment.bytes)
            }
            c.advance(.client, by: length)
            c.ack(.server) // the receiver acknowledges everything
            c.fin(.client)
            let (r, _) = track(c)
            let got = r.stream(0, .clientToServer)
            #expect(got == String(decoding: expected, as: UTF8.self), "seed \(seed)")
            #expect(r.finished[0].clientToServer.overlapsDiffering == 0, "seed \(seed)")
            #expect(r.endings.count == 1, "seed \(seed): FIN reached")
        }
    }
}
