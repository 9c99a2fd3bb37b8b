import Testing
@testable import Wire

@Suite struct ByteCursorTests {
    @Test func readsIntegersInBothByteOrders() {
        let bytes: [UInt8] = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09]
        bytes.withUnsafeBytes { raw in
            var c = ByteCursor(raw)
            #expect(c.u8() == 0x01)
            #expect(c.u16be() == 0x0203)
            #expect(c.u16le() == 0x0504)
            #expect(c.u32be() == 0x0607_0809)
            #expect(c.isAtEnd)
            #expect(c.u8() == nil)
        }
    }

    @Test func failedReadLeavesOffsetUnchanged() {
        let bytes: [UInt8] = [0xAA, 0xBB, 0xCC]
        bytes.withUnsafeBytes { raw in
            var c = ByteCursor(raw)
            #expect(c.u8() == 0xAA)
            #expect(c.u32be() == nil)
            #expect(c.offset == 1)
            #expect(c.bytes(3) == nil)
            #expect(c.offset == 1)
            #expect(c.skip(-1) == false)
            #expect(c.u16le() == 0xCCBB)
        }
    }

    @Test func subCursorIsBoundedAndAdvancesParent() {
        let bytes: [UInt8] = [3, 0xA, 0xB, 0xC, 0xD]
        bytes.withUnsafeBytes { raw in
            var c = ByteCursor(raw)
            let n = Int(c.u8()!)
            var child = c.sub(length: n)!
            #expect(c.offset == 4)
            #expect(child.remaining == 3)
            #expect(child.u16be() == 0x0A0B)
            #expect(child.u16be() == nil)
            #expect(child.u8() == 0x0C)
            #expect(c.sub(length: 2) == nil)
        }
    }

    @Test(arguments: [
        ([0x05], 5), ([0x81, 0x80], 128), ([0x82, 0x01, 0x00], 256),
    ] as [([UInt8], Int)])
    func berLengths(bytes: [UInt8], expected: Int) {
        bytes.withUnsafeBytes { raw in
            var c = ByteCursor(raw)
            #expect(c.berLength() == expected)
            #expect(c.isAtEnd)
        }
    }

    @Test func berLengthRejectsIndefiniteAndTruncated() {
        for bytes: [UInt8] in [[0x80], [0x82, 0x01], [0x85, 1, 2, 3, 4, 5], []] {
            bytes.withUnsafeBytes { raw in
                var c = ByteCursor(raw)
                #expect(c.berLength() == nil)
                #expect(c.offset == 0)
            }
        }
    }

    @Test func perLengths() {
        let bytes: [UInt8] = [0x7F, 0x81, 0x2C, 0x80]
        bytes.withUnsafeBytes { raw in
            var c = ByteCursor(raw)
            #expect(c.perLength() == 0x7F)
            #expect(c.perLength() == 0x012C)
            #expect(c.perLength() == nil)
            #expect(c.offset == 3)
        }
    }
}
